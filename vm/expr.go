package vm

import (
	"strconv"
	"strings"
	"sync"

	exprvm "github.com/expr-lang/expr/vm"

	"github.com/unsproc/unsproc/value"
)

// maxNamedSlots is the number of slot names precomputed by SlotName.
const maxNamedSlots = 64

var slotNames = func() [maxNamedSlots]string {
	var names [maxNamedSlots]string
	for i := range names {
		names[i] = "v" + strconv.Itoa(i)
	}
	return names
}()

// SlotName is the expr identifier under which the i-th dependency of a program is bound
// ("v0", "v1", …). Renaming aliases to slots keeps them clear of expr builtins and helpers.
func SlotName(i int) string {
	if i < maxNamedSlots {
		return slotNames[i]
	}
	return "v" + strconv.Itoa(i)
}

// SlotIndex is the inverse of SlotName: the dependency index a slot name stands for.
func SlotIndex(name string) (int, bool) {
	if !strings.HasPrefix(name, "v") {
		return 0, false
	}
	i, err := strconv.Atoi(name[1:])
	return i, err == nil && i >= 0 && SlotName(i) == name
}

// ExprRunner runs expr programs whose variables are named by SlotName. It reuses one
// expr VM and one environment map per concurrent caller, so a run allocates only what
// the program itself boxes. It is safe for concurrent use.
type ExprRunner struct {
	helpers map[string]any
	pool    sync.Pool
}

type exprMachine struct {
	vm  exprvm.VM
	env map[string]any
}

// NewExprRunner returns a runner whose environments hold the given helper functions
// besides the slots. The map must not be changed afterwards.
func NewExprRunner(helpers map[string]any) *ExprRunner {
	r := &ExprRunner{helpers: helpers}
	r.pool.New = func() any {
		env := make(map[string]any, len(helpers)+8)
		for k, v := range helpers {
			env[k] = v
		}
		return &exprMachine{env: env}
	}
	return r
}

// Run binds in[i] to SlotName(i) and runs p. A helper's panic (such as a deopt
// signal) comes back as an error wrapping the panic value.
func (r *ExprRunner) Run(p *exprvm.Program, in []value.Value) (any, error) {
	m := r.pool.Get().(*exprMachine)
	for i := range in {
		m.env[SlotName(i)] = in[i].Interface()
	}
	out, err := m.vm.Run(p, m.env)
	r.pool.Put(m)
	return out, err
}
