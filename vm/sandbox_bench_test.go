package vm

import (
	"testing"

	"github.com/dop251/goja"
)

// BenchmarkSandboxRun measures one evaluation of a cheap expression, the case whose cost
// the watchdog and the bounded export must not raise.
func BenchmarkSandboxRun(b *testing.B) {
	s := NewSandbox(0, nil)
	script := NewScript(goja.MustCompile("", "(function (press) { return press + 1; })", false))
	args := []any{41.0}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Run(script, args); err != nil {
			b.Fatal(err)
		}
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
