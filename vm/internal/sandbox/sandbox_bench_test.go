package sandbox

import "testing"

// BenchmarkSandboxRun measures evaluations on the sandbox: a cheap expression, whose
// cost the watchdog and the bounded export must not raise, and expressions calling the
// built-ins the lockdown wraps, and the string operators the sandbox routes through its
// checked builders.
func BenchmarkSandboxRun(b *testing.B) {
	for _, c := range []struct{ name, expr string }{
		{"add", "press + 1"},
		{"array_methods", "[press, 2, 3].map(x => x * 2).filter(x => x > 2).join('-')"},
		{"string_methods", "('p' + press).toUpperCase().padStart(8, '0').split('').length"},
		{"json", "JSON.stringify({p: press, list: [1, 2, 3]})"},
		{"object_result", "({p: press, q: [press, 'x']})"},
		{"concat_loop", "(() => { let s = ''; for (let i = 0; i < 100; i++) s += i + ','; return s.length + press; })()"},
		{"template", "`p=${press} q=${press * 2}`"},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := NewSandbox(0, nil)
			script := script(b, c.expr, "press")
			args := []any{41.0}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Run(script, args); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSandboxNewRuntime measures creating and locking down one runtime.
func BenchmarkSandboxNewRuntime(b *testing.B) {
	s := NewSandbox(0, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.newRuntime(); err != nil {
			b.Fatal(err)
		}
	}
}
