package compiler

import (
	"errors"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/parser"
)

// MaxSourceLen is the longest expression accepted, in bytes.
const MaxSourceLen = 16 << 10

// wrapOpen and wrapClose turn a mapping into a parenthesised expression, so that
// `{a: 1}` is an object literal (spec §14.2); the newlines keep a trailing `// comment`
// from swallowing the closing parenthesis.
const (
	wrapOpen  = "(\n"
	wrapClose = "\n)"
)

// parsed is one expression, or one statement body, parsed from its canonical text.
type parsed struct {
	text string              // the canonical text (src without a trailing `;` after an expression)
	expr ast.Expression      // the expression's AST; nil for a statement body
	body *ast.BlockStatement // the statement body's AST (see body.go); nil for an expression
	base int                 // file.Idx of text[0] in the parsed file
}

// offset converts a goja file index of the parsed file into a byte offset of text.
func (p *parsed) offset(idx int) int {
	off := idx - p.base
	if off < 0 || off > len(p.text) {
		return -1
	}
	return off
}

// parse reads src as one JavaScript expression.
func parse(src string) (*parsed, *Error) {
	if strings.TrimSpace(src) == "" {
		return nil, newError(src, -1, `a string constant is written with quotes inside the YAML value, e.g. '"pump"'`, "empty expression")
	}
	if len(src) > MaxSourceLen {
		return nil, newError(src, -1, "split the computation over several mappings", "expression is %d bytes long, above the limit of %d", len(src), MaxSourceLen)
	}
	prog, err := parser.ParseFile(nil, "", wrapOpen+src+wrapClose, 0, parser.WithDisableSourceMaps)
	if err == nil {
		if e, ok := singleExpression(prog); ok {
			return &parsed{text: src, expr: e, base: 1 + len(wrapOpen)}, nil
		}
		return nil, newError(src, -1, "", "not a single expression")
	}
	wrappedErr := err
	if p, berr, ok := parseBody(src, wrappedErr); ok {
		return p, berr
	}
	// A trailing semicolon (`press + 1;`) is tolerated: the unwrapped text must then be
	// exactly one expression statement, whose expression becomes the canonical text.
	prog, err = parser.ParseFile(nil, "", src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, syntaxError(src, wrappedErr)
	}
	if len(prog.Body) != 1 {
		if len(prog.Body) == 0 {
			return nil, newError(src, -1, "", "no expression (only comments or whitespace)")
		}
		return nil, newError(src, statementOffset(prog.Body[1]), bodyHint, "multiple statements are not allowed")
	}
	stmt, ok := prog.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil, newError(src, statementOffset(prog.Body[0]), bodyHint, "statements are not allowed")
	}
	from, to := int(stmt.Expression.Idx0())-1, int(stmt.Expression.Idx1())-1
	if from < 0 || to > len(src) || from >= to {
		return nil, syntaxError(src, wrappedErr)
	}
	return parse(src[from:to])
}

// statementOffset is the byte offset of a statement of an unwrapped parse (some
// statements do not record their position: they are reported at the start).
func statementOffset(s ast.Statement) int {
	if off := int(s.Idx0()) - 1; off > 0 {
		return off
	}
	return 0
}

// singleExpression returns the expression of a program made of one expression statement.
func singleExpression(prog *ast.Program) (ast.Expression, bool) {
	if len(prog.Body) != 1 {
		return nil, false
	}
	stmt, ok := prog.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil, false
	}
	return stmt.Expression, true
}

// syntaxError converts a parser error of the wrapped text into an Error on src.
func syntaxError(src string, err error) *Error {
	var list parser.ErrorList
	var one *parser.Error
	switch {
	case errors.As(err, &list) && len(list) > 0:
		one = list[0]
	case errors.As(err, &one):
	default:
		return newError(src, -1, "", "syntax error: %v", err)
	}
	srcLines := strings.Count(src, "\n") + 1
	switch line := one.Position.Line - 1; { // the wrapper adds one line before src
	case line > srcLines:
		// The parser stumbled on the wrapper's closing parenthesis: the expression
		// itself ended too early (`press +`, an unclosed bracket or string).
		return newError(src, len(src), "", "syntax error: the expression ends unexpectedly")
	case line >= 1:
		return newError(src, lineColumnOffset(src, line, one.Position.Column), "", "syntax error: %s", one.Message)
	}
	return newError(src, 0, "", "syntax error: %s", one.Message)
}

// lineColumnOffset returns the byte offset of a 1-based line and column (in characters) of src.
func lineColumnOffset(src string, line, col int) int {
	l, c := 1, 1
	for i, r := range src {
		if l == line && c >= col {
			return i
		}
		if r == '\n' {
			if l == line {
				return i
			}
			l++
			c = 1
			continue
		}
		c++
	}
	return len(src)
}

// fallbackHeaderLines is the number of lines compileFallback's wrapper puts before the
// expression.
const fallbackHeaderLines = 2

// compileFallback compiles the expression for the goja sandbox as a function taking the
// dependencies as parameters. The function wrapper is parsed again and checked to hold
// exactly the analysed expression, so a source cannot escape the wrapper.
func compileFallback(p *parsed, deps []string) (*goja.Program, *Error) {
	head := "(function (" + strings.Join(deps, ", ") + ") {\nreturn (\n" // fallbackHeaderLines lines
	text := head + p.text + "\n);\n})"
	prog, err := parser.ParseFile(nil, "", text, 0, parser.WithDisableSourceMaps)
	if err != nil {
		return nil, newError(p.text, -1, "", "cannot be compiled for the JavaScript engine: %v", err)
	}
	if !wrapsExactly(prog, len(head)+1, len(head)+1+len(p.text)) {
		return nil, newError(p.text, -1, "check that parentheses and brackets are balanced", "the expression does not stand alone")
	}
	gp, err := goja.CompileAST(prog, false)
	if err != nil {
		return nil, newError(p.text, -1, "", "cannot be compiled for the JavaScript engine: %v", err)
	}
	return gp, nil
}

// wrapsExactly checks that prog is `(function (…) { return (<expr>); })` with <expr>
// spanning exactly the file indexes [from, to).
func wrapsExactly(prog *ast.Program, from, to int) bool {
	e, ok := singleExpression(prog)
	if !ok {
		return false
	}
	fn, ok := e.(*ast.FunctionLiteral)
	if !ok || fn.Body == nil || len(fn.Body.List) != 1 {
		return false
	}
	ret, ok := fn.Body.List[0].(*ast.ReturnStatement)
	if !ok || ret.Argument == nil {
		return false
	}
	return int(ret.Argument.Idx0()) >= from && int(ret.Argument.Idx1()) <= to
}
