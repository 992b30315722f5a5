package compiler_test

import (
	"fmt"
	"testing"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/value"
)

// benchExprs are the expressions the engines are compared on.
var benchExprs = []struct{ name, src string }{
	{"add", "press + 1"},
	{"hypot", "Math.sqrt(press * press + tF * tF) / 2.0"},
	{"concat", `"Temperature: " + tF + "F, Pressure: " + press + " PSI"`},
	{"ternary", "press > 20 ? 'high' : 'normal'"},
	{"pow_abs", "Math.pow(press, 2) + Math.abs(tF - 32) * 1.8"},
	{"celsius", "(tF - 32) * 5 / 9"},
	{"template", "`T=${tF}`"},
	{"constant", `'"SN-P42-008"'`},
}

// benchRing is a ring of inputs whose values change every iteration.
const benchRing = 64

func benchVars() []map[string]any {
	vars := make([]map[string]any, benchRing)
	for i := range vars {
		vars[i] = map[string]any{"press": 10 + float64(i)*0.37, "tF": 60 + float64(i)*1.5}
	}
	return vars
}

// BenchmarkEval compares the fast path (auto) with goja on the public Eval entry.
func BenchmarkEval(b *testing.B) {
	vars := benchVars()
	for _, e := range benchExprs {
		for _, engine := range []compiler.Engine{compiler.EngineAuto, compiler.EngineGoja} {
			b.Run(fmt.Sprintf("%s/%s", e.name, engine), func(b *testing.B) {
				p, err := compiler.Compile(e.src, []string{"press", "tF"}, compiler.WithEngine(engine))
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, err := p.Eval(vars[i%benchRing]); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkEvalValues measures the processor's entry, which takes the inputs in
// dependency order and returns numbers unboxed.
func BenchmarkEvalValues(b *testing.B) {
	vars := benchVars()
	for _, e := range benchExprs {
		b.Run(e.name, func(b *testing.B) {
			p, err := compiler.Compile(e.src, []string{"press", "tF"})
			if err != nil {
				b.Fatal(err)
			}
			benchEvalValues(b, p, vars)
		})
	}
}

// benchEvalValues times p's EvalValues over the inputs of vars, passed in dependency
// order and converted beforehand, as the processor passes them.
func benchEvalValues(b *testing.B, p *compiler.Program, vars []map[string]any) {
	slots := make([][]value.Value, benchRing)
	for i, v := range vars {
		for _, d := range p.Deps() {
			slots[i] = append(slots[i], value.FromAny(v[d]))
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := p.EvalValues(slots[i%benchRing]); err != nil {
			b.Fatal(err)
		}
	}
}

// benchBodies are straight-line statement bodies next to the same computation written
// as one expression: on the fast path a body should cost about what its expression does.
var benchBodies = []struct{ name, body, expr string }{
	{"efficiency", "var produced = press;\nvar planned = tF;\nreturn (produced / planned) * 100;", "(press / tF) * 100"},
	{"branches", "const c = (tF - 32) * 5 / 9;\nif (c > 30) return 'hot';\nif (c < 10) return 'cold';\nreturn 'ok';",
		"(tF - 32) * 5 / 9 > 30 ? 'hot' : (tF - 32) * 5 / 9 < 10 ? 'cold' : 'ok'"},
}

// BenchmarkBody compares each straight-line body with its expression on EvalValues.
func BenchmarkBody(b *testing.B) {
	vars := benchVars()
	for _, c := range benchBodies {
		for _, form := range []struct{ name, src string }{{"body", c.body}, {"expr", c.expr}} {
			b.Run(c.name+"/"+form.name, func(b *testing.B) {
				p, err := compiler.Compile(form.src, []string{"press", "tF"})
				if err != nil {
					b.Fatal(err)
				}
				if !p.Fast() {
					b.Fatalf("not on the fast path: %s", p.FallbackReason())
				}
				benchEvalValues(b, p, vars)
			})
		}
	}
}
