package compiler

import (
	"fmt"

	"github.com/expr-lang/expr"
	exprast "github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	exprcompiler "github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	exprvm "github.com/expr-lang/expr/vm"

	"github.com/unsproc/unsproc/value"
)

// kindSample is a value of each kind, from which expr's checker learns a slot's type.
var kindSample = [...]any{value.Number: 0.0, value.String: "", value.Bool: false, value.Null: nil}

// compileExpr type-checks and compiles a translated expr AST for the given slot kinds.
// It mirrors expr.Compile without the parse step. expr's optimizer is off: it folds `**`
// with math.Pow and could fold a -0 constant into existence; the translator folds
// constants itself with the exact helpers.
func compileExpr(node exprast.Node, kinds []value.Kind) (*exprvm.Program, error) {
	env := helperEnv(len(kinds))
	for i, k := range kinds {
		env[slotName(i)] = kindSample[k]
	}
	cfg := conf.CreateNew()
	for _, opt := range []expr.Option{expr.Env(env), expr.Optimize(false), expr.DisableAllBuiltins()} {
		opt(cfg)
	}
	for name := range cfg.Disabled {
		delete(cfg.Builtins, name)
	}
	cfg.Check()
	tree := &parser.Tree{Node: node, Source: file.NewSource("")}
	if _, err := new(checker.Checker).PatchAndCheck(tree, cfg); err != nil {
		return nil, fmt.Errorf("expr check: %w", err)
	}
	prog, err := exprcompiler.Compile(tree, cfg)
	if err != nil {
		return nil, fmt.Errorf("expr compile: %w", err)
	}
	return prog, nil
}
