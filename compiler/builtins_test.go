package compiler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/value"
)

// exampleAlias is an alias of each kind, and exampleValue a value of it.
var (
	exampleAlias = map[value.Kind]string{value.Number: "press", value.String: "name", value.Bool: "running", value.Null: "nothing"}
	exampleValue = map[value.Kind]any{value.Number: 2.5, value.String: "2.5", value.Bool: true, value.Null: nil}
	// exampleLiteral is a constant of each kind, for the static examples of misuse.
	exampleLiteral = map[value.Kind]string{value.Number: "(1)", value.String: `"x"`, value.Bool: "true", value.Null: "null"}
)

// example writes a use of b whose arguments (or receiver) are operand, an alias or a
// literal of the row's first operand kind.
func (b *builtin) example(operand func(value.Kind) string) string {
	first := func(s kindSet) value.Kind {
		for _, k := range []value.Kind{value.Number, value.String, value.Bool, value.Null} {
			if s.has(k) {
				return k
			}
		}
		return value.Other
	}
	args := make([]string, max(b.minArgs, min(b.maxArgs, 1), 0))
	if b.maxArgs < 0 {
		args = make([]string, max(b.minArgs, 2))
	}
	for i := range args {
		args[i] = operand(first(b.operands))
	}
	list := "(" + strings.Join(args, ", ") + ")"
	switch b.site {
	case siteMathConstant:
		return b.what()
	case siteMethod:
		return operand(first(b.receiver)) + "." + b.name + list
	case siteProperty:
		return operand(first(b.receiver)) + "." + b.name
	}
	return b.what() + list
}

// TestBuiltinsRunWhereTheTableSays compiles a use of every built-in with operands of
// its first kind and checks that it is on the fast path, on the machine the row names.
func TestBuiltinsRunWhereTheTableSays(t *testing.T) {
	aliases := []string{"press", "name", "running", "nothing"}
	for i := range builtins {
		b := &builtins[i]
		src := b.example(func(k value.Kind) string { return exampleAlias[k] })
		t.Run(src, func(t *testing.T) {
			p, err := Compile(src, aliases)
			require.NoError(t, err)
			require.True(t, p.Fast(), "falls back: %s", p.FallbackReason())
			vals := make([]any, len(p.Deps()))
			for j, d := range p.Deps() {
				for k, a := range exampleAlias {
					if a == d {
						vals[j] = exampleValue[k]
					}
				}
			}
			assert.Equal(t, b.fastest.String(), p.Machine(vals))
		})
	}
}

// TestBuiltinFallbackReasons checks the reason each row gives for an operand of a kind
// it does not lower against what explain reports (FallbackReason) for such a use.
func TestBuiltinFallbackReasons(t *testing.T) {
	seen := 0
	for _, d := range Builtins() {
		if d.Fallback == "" {
			continue
		}
		seen++
		b := rowNamed(t, d.Name)
		other := b.operands
		if b.site == siteMethod || b.site == siteProperty {
			other = b.receiver
		}
		missing, _ := other.firstMissing()
		src := b.example(func(k value.Kind) string {
			if (b.site == siteMethod || b.site == siteProperty) == (other == b.receiver) && k == missing {
				return exampleLiteral[k]
			}
			return exampleLiteral[missing]
		})
		t.Run(src, func(t *testing.T) {
			p, err := Compile(src, nil)
			require.NoError(t, err)
			assert.False(t, p.Fast())
			assert.Equal(t, d.Fallback, p.FallbackReason())
		})
	}
	assert.NotZero(t, seen)
}

// rowNamed finds the row Builtins describes as name.
func rowNamed(t *testing.T, name string) *builtin {
	t.Helper()
	for i := range builtins {
		if builtins[i].describe().Name == name {
			return &builtins[i]
		}
	}
	t.Fatalf("no row for %s", name)
	return nil
}

// TestBuiltinsInParityCorpus requires every built-in of the table to be used in the
// parity corpus, which compares the fast path with goja: a new row needs cases there.
func TestBuiltinsInParityCorpus(t *testing.T) {
	paths, err := filepath.Glob("../corpus/parity/*.json")
	require.NoError(t, err)
	var corpus strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		corpus.Write(data)
	}
	for i := range builtins {
		b := &builtins[i]
		use := b.what() + "("
		switch b.site {
		case siteMathConstant:
			use = b.what()
		case siteMethod:
			use = "." + b.name + "("
		case siteProperty:
			use = "." + b.name
		}
		assert.True(t, strings.Contains(corpus.String(), use), "the parity corpus has no case of %s", b.describe().Name)
	}
}

// TestBuiltinsDescribe checks the description of a few rows field by field.
func TestBuiltinsDescribe(t *testing.T) {
	byName := map[string]Builtin{}
	for _, d := range Builtins() {
		_, dup := byName[d.Name]
		require.False(t, dup, "two rows named %s", d.Name)
		byName[d.Name] = d
	}
	assert.Equal(t, Builtin{Name: "Math.sqrt", Arity: "1", Operands: []string{"number", "string", "boolean", "null"},
		Helper: "compat.Sqrt", Machines: []string{"numeric", "expr"}}, byName["Math.sqrt"])
	assert.Equal(t, Builtin{Name: "Math.sign", Arity: "1", Operands: []string{"number"}, Helper: "compat.Sign",
		Machines: []string{"numeric", "expr"}, Fallback: "Math.sign with a string argument"}, byName["Math.sign"])
	assert.Equal(t, Builtin{Name: ".toFixed", Arity: "0–1", Operands: []string{"number"}, Helper: "compat.ToFixed",
		Machines: []string{"expr"}, Fallback: "toFixed of a string"}, byName[".toFixed"])
	assert.Equal(t, Builtin{Name: "Math.max", Arity: "any", Operands: []string{"number", "string", "boolean", "null"},
		Helper: "compat.Max", Machines: []string{"numeric", "expr"}}, byName["Math.max"])
	assert.Equal(t, Builtin{Name: "Math.PI", Machines: []string{"numeric", "expr"}}, byName["Math.PI"])
	assert.Equal(t, "math.IsNaN", byName["isNaN"].Helper)
}
