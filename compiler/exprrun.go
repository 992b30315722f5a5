package compiler

import (
	"maps"
	"strconv"
	"strings"
	"sync"

	exprvm "github.com/expr-lang/expr/vm"

	"github.com/unsproc/unsproc/value"
)

// maxNamedSlots is the number of slot names precomputed by slotName.
const maxNamedSlots = 64

var slotNames = func() [maxNamedSlots]string {
	var names [maxNamedSlots]string
	for i := range names {
		names[i] = "v" + strconv.Itoa(i)
	}
	return names
}()

// slotName is the expr identifier under which the i-th dependency of a program is bound
// ("v0", "v1", …). Renaming aliases to slots keeps them clear of expr builtins and helpers.
func slotName(i int) string {
	if i < maxNamedSlots {
		return slotNames[i]
	}
	return "v" + strconv.Itoa(i)
}

// slotIndex is the inverse of slotName: the dependency index a slot name stands for.
func slotIndex(name string) (int, bool) {
	if !strings.HasPrefix(name, "v") {
		return 0, false
	}
	i, err := strconv.Atoi(name[1:])
	return i, err == nil && i >= 0 && slotName(i) == name
}

// exprRunner runs expr programs whose variables are named by slotName. It reuses one
// expr VM and one environment map per concurrent caller, so a run allocates only what
// the program itself boxes. It is safe for concurrent use.
type exprRunner struct {
	pool sync.Pool
}

// exprMachine is one caller's expr VM and environment.
type exprMachine struct {
	vm  exprvm.VM
	env map[string]any
}

// newExprRunner returns a runner whose environments hold the helpers besides the slots.
func newExprRunner() *exprRunner {
	r := &exprRunner{}
	r.pool.New = func() any { return &exprMachine{env: helperEnv(8)} }
	return r
}

// helperEnv returns a new expr environment holding the helpers, with room for slots
// more names.
func helperEnv(slots int) map[string]any {
	env := make(map[string]any, len(helpers)+slots)
	maps.Copy(env, helpers)
	return env
}

// run binds in[i] to slotName(i) and runs p. A helper's panic (such as a deopt
// signal) comes back as an error wrapping the panic value.
func (r *exprRunner) run(p *exprvm.Program, in []value.Value) (any, error) {
	m := r.pool.Get().(*exprMachine)
	for i := range in {
		m.env[slotName(i)] = in[i].Interface()
	}
	out, err := m.vm.Run(p, m.env)
	r.pool.Put(m)
	return out, err
}
