package processor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/state"
	"github.com/unsproc/unsproc/value"
)

// Mappings that read other mappings.
//
// A mapping may read another mapping of the same processor by its top-level path name
// (`status: value > 100 ? 'HIGH' : 'NORMAL'` reads the mapping `value`), when that name
// is a valid alias name and not an alias (an alias of the same name wins). It reads the
// mapping's latest emitted value, kept in a state slot like an alias's. A dynamic mapping
// fires when, within one input, an alias it reads was updated or a dynamic mapping it
// reads emitted, and everything it reads has a value; the mappings of one input are
// evaluated in dependency order and emitted in output order. Static mappings are
// constants to their readers (a pure static's value is known from construction; an
// impure static is evaluated first, on every matched message) and do not make them fire.

// mappingNames are the names a mapping may read besides the aliases.
type mappingNames struct {
	leaves  map[string]int      // top-level mapping name → its leaf index
	folders map[string][]string // name of a folder of mappings → the paths under it
	aliased []string            // top-level mapping names that are also aliases, by path
}

// readableNames finds the top-level mapping and folder names of leaves that are not
// aliases and could be aliases (so an expression can name them).
func readableNames(leaves []leaf, aliases map[string]bool) mappingNames {
	n := mappingNames{leaves: map[string]int{}, folders: map[string][]string{}}
	for i, l := range leaves {
		name, _, dotted := strings.Cut(l.path, ".")
		if aliases[name] {
			if !dotted {
				n.aliased = append(n.aliased, name)
			}
			continue
		}
		if compiler.ValidateAlias(name) != nil {
			continue
		}
		if !dotted {
			if _, dup := n.leaves[name]; !dup {
				n.leaves[name] = i
			}
			continue
		}
		n.folders[name] = append(n.folders[name], l.path)
	}
	for name := range n.leaves {
		delete(n.folders, name) // `motor` is then the mapping, `motor.rpm` another one
	}
	return n
}

// list returns every readable name, sorted.
func (n mappingNames) list() []string {
	out := make([]string, 0, len(n.leaves)+len(n.folders))
	for name := range n.leaves {
		out = append(out, name)
	}
	for name := range n.folders {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// linker connects the compiled leaves: ms[i] is leaf i compiled (nil when errs[i] is
// set). It records which mappings each one reads, rejects folders, cycles and readers
// of invalid mappings, and classifies every mapping in dependency order.
type linker struct {
	leaves  []leaf
	ms      []*Mapping
	errs    []error
	names   mappingNames
	aliases map[string]bool
	reads   [][]int // leaf → the leaves it reads
	visit   []int8  // 0 unvisited, 1 on the stack, 2 done
	stack   []int
	order   []int // valid leaves, every mapping after those it reads
}

// link runs the linker over every leaf.
func link(leaves []leaf, ms []*Mapping, errs []error, names mappingNames, aliases map[string]bool) {
	l := &linker{leaves: leaves, ms: ms, errs: errs, names: names, aliases: aliases,
		reads: make([][]int, len(ms)), visit: make([]int8, len(ms))}
	for i, m := range ms {
		if m != nil {
			l.findReads(i, m)
		}
	}
	for i := range ms {
		if l.visit[i] == 0 {
			l.walk(i)
		}
	}
	for rank, i := range l.order {
		l.classify(i, rank)
	}
}

// findReads records the mappings leaf i reads and rejects reads of folders.
func (l *linker) findReads(i int, m *Mapping) {
	for _, dep := range m.prog.Deps() {
		if l.aliases[dep] {
			continue
		}
		if j, ok := l.names.leaves[dep]; ok {
			l.reads[i] = append(l.reads[i], j)
			m.reads = append(m.reads, dep)
			continue
		}
		if paths, ok := l.names.folders[dep]; ok && l.errs[i] == nil {
			l.errs[i] = fmt.Errorf("reads %s, which is a folder of mappings (%s), not a value (hint: a mapping reads another mapping by a top-level name only; read the source aliases it uses instead, or move it to the top level)",
				dep, strings.Join(paths, ", "))
		}
	}
}

// walk visits leaf i after the leaves it reads (depth first), reporting cycles and
// reads of invalid mappings, and appends the valid ones to l.order.
func (l *linker) walk(i int) {
	l.visit[i] = 1
	l.stack = append(l.stack, i)
	for _, j := range l.reads[i] {
		switch l.visit[j] {
		case 0:
			l.walk(j)
		case 1:
			l.cycle(j)
			continue
		}
		if l.errs[j] != nil && l.errs[i] == nil {
			l.errs[i] = fmt.Errorf("reads mapping %q, which is invalid (hint: fix %q; its error is listed too)", l.leaves[j].path, l.leaves[j].path)
		}
	}
	l.stack = l.stack[:len(l.stack)-1]
	l.visit[i] = 2
	if l.ms[i] != nil && l.errs[i] == nil {
		l.order = append(l.order, i)
	}
}

// cycle reports the cycle that closes at leaf j (on the stack) on each of its mappings.
func (l *linker) cycle(j int) {
	at := slices.Index(l.stack, j)
	chain := make([]string, 0, len(l.stack)-at+1)
	for _, k := range l.stack[at:] {
		chain = append(chain, l.leaves[k].path)
	}
	chain = append(chain, l.leaves[j].path)
	err := fmt.Errorf("mappings read each other in a cycle: %s (hint: a mapping reads the latest output of another; compute one of them from the source aliases)", strings.Join(chain, " → "))
	for _, k := range l.stack[at:] {
		if l.errs[k] == nil {
			l.errs[k] = err
		}
	}
}

// classify gives leaf i its kind from its own program and the mappings it reads (all
// classified before it) and evaluates it now when it is a pure static.
func (l *linker) classify(i, rank int) {
	m := l.ms[i]
	m.rank = rank
	dynamic := false
	impure := m.prog.Impure()
	for _, dep := range m.prog.Deps() {
		dynamic = dynamic || l.aliases[dep]
	}
	for _, j := range l.reads[i] {
		switch l.ms[j].kind {
		case compiler.Dynamic:
			dynamic = true
		case compiler.ImpureStatic:
			impure = true
		}
	}
	switch {
	case dynamic:
		m.kind = compiler.Dynamic
	case impure:
		m.kind = compiler.ImpureStatic
	default:
		m.kind = compiler.Static
		vals := make([]value.Value, len(m.prog.Deps()))
		for k, dep := range m.prog.Deps() {
			vals[k] = l.ms[l.names.leaves[dep]].value
		}
		l.errs[i] = m.precompute(l.leaves[i].src, vals)
	}
}

// precompute evaluates a pure static mapping once, with vals the values of the
// mappings it reads, and keeps its value and the start of its payload.
func (m *Mapping) precompute(src string, vals []value.Value) error {
	v, _, err := m.prog.EvalValues(vals)
	if err != nil {
		return fmt.Errorf("static expression %q fails: %w (hint: it references no source alias, so it is evaluated once at start-up; use an alias or fix the expression)", src, err)
	}
	var enc encoder
	if m.head, err = enc.appendValue([]byte(valuePrefix), v.Interface()); err != nil {
		return fmt.Errorf("static expression %q would never give an output: %w (hint: a mapping must evaluate to a string, number, boolean, object or array; text is quoted, e.g. '\"pump\"')", src, err)
	}
	if m.shape != nil {
		if err := m.shape.Check(m.head[len(valuePrefix):]); err != nil {
			return fmt.Errorf("static expression %q does not fit its data model field: %w", src, err)
		}
		m.shape = nil // checked once: its value never changes
	}
	m.value = v
	return nil
}

// step is one mapping a chained source evaluates for each of its messages.
type step struct {
	mapping int   // index in Processor.mappings
	own     []int // input positions that take the message's value
	// fresh are the inputs read from mappings this source evaluates: when one emitted
	// for the current message, its value is taken rather than the state's.
	fresh []freshInput
	// triggers are the slots of the dynamic mappings it reads that this source
	// evaluates; a dynamic step without own inputs fires when one of them emitted.
	triggers []int
}

// freshInput is an input position fed by the mapping whose value is in slot.
type freshInput struct{ pos, slot int }

// buildPlan lists, for a source whose message updates the alias slots, the mappings to
// evaluate in dependency order: every static, then the dynamic mappings that read one
// of the aliases and those that read them, transitively. It also returns the state
// slots the message may update (the aliases and the dynamic mappings' value slots).
func (p *Processor) buildPlan(layout *state.Layout, slots []int) ([]step, []int) {
	in := make([]bool, len(p.mappings))
	for i := range p.mappings[:p.statics] {
		in[i] = true
	}
	queue := []int{}
	for _, s := range slots {
		queue = append(queue, layout.Dependents(s)...)
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		if in[i] {
			continue
		}
		in[i] = true
		if m := p.mappings[i]; m.slot >= 0 {
			queue = append(queue, layout.Dependents(m.slot)...)
		}
	}
	var order []int
	for i, ok := range in {
		if ok {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return p.mappings[a].rank - p.mappings[b].rank })
	stateSlots := slices.Clone(slots)
	plan := make([]step, 0, len(order))
	for _, i := range order {
		m := p.mappings[i]
		st := step{mapping: i}
		for j, s := range m.depSlots {
			switch {
			case slices.Contains(slots, s):
				st.own = append(st.own, j)
			case s >= p.aliasSlots && in[p.slotMappings[s-p.aliasSlots]]:
				producer := p.mappings[p.slotMappings[s-p.aliasSlots]]
				if producer.head != nil {
					continue // a pure static: its slot holds its value from construction
				}
				st.fresh = append(st.fresh, freshInput{pos: j, slot: s})
				if producer.kind == compiler.Dynamic {
					st.triggers = append(st.triggers, s)
				}
			}
		}
		plan = append(plan, st)
		if m.kind == compiler.Dynamic && m.slot >= 0 {
			stateSlots = append(stateSlots, m.slot)
		}
	}
	return plan, stateSlots
}

// runPlan evaluates a chained source's plan for one message whose value is v: each
// step that fires is evaluated with the values emitted earlier for the same message,
// and the outputs are emitted in output order once all are built.
func (p *Processor) runPlan(src *source, v value.Value, ts int64, sc *scratch, out *outputBuilder) {
	sink := &sc.deferred
	sink.next, out.emit = out.emit, sink.callback()
	var local [stackInputs]value.Value
	for i := range src.plan {
		st := &src.plan[i]
		m := p.mappings[st.mapping]
		if m.kind == compiler.Dynamic && len(st.own) == 0 && !anyFired(st.triggers, sc.fired) {
			continue
		}
		vals := local[:0]
		if len(m.depSlots) > len(local) {
			vals = sc.vals
		}
		vals = vals[:len(m.depSlots)]
		if len(vals) > 0 && !p.state.Gather(m.depSlots, vals) {
			if p.observer != nil {
				p.observer.Waiting(m)
			}
			continue
		}
		for _, j := range st.own {
			vals[j] = v
		}
		for _, f := range st.fresh {
			if sc.fired[f.slot] {
				vals[f.pos] = sc.fresh[f.slot]
			}
		}
		emitted := out.n
		p.emitMapping(m, vals, out)
		if out.n > emitted && m.slot >= 0 && m.head == nil {
			p.state.Store(m.slot, out.last, ts)
			sc.fresh[m.slot], sc.fired[m.slot] = out.last, true
			out.last = value.Value{}
		}
	}
	clear(sc.fired)
	clear(sc.fresh) // do not keep values alive from the pool
	out.emit = sink.next
	sink.flush()
}

// anyFired reports whether the mapping of one of slots emitted for the current message.
func anyFired(slots []int, fired []bool) bool {
	for _, s := range slots {
		if fired[s] {
			return true
		}
	}
	return false
}

// deferredSink holds the outputs of one message evaluated in dependency order, to pass
// them on in output order.
type deferredSink struct {
	next func(Output)
	list []Output
	hold func(Output) // appends to list; made once, on first use
}

// callback returns the function that holds an output.
func (d *deferredSink) callback() func(Output) {
	if d.hold == nil {
		d.hold = func(o Output) { d.list = append(d.list, o) }
	}
	return d.hold
}

// flush emits the held outputs by mapping index (output order) and forgets them.
func (d *deferredSink) flush() {
	slices.SortFunc(d.list, func(a, b Output) int { return a.Mapping.index - b.Mapping.index })
	for _, o := range d.list {
		d.next(o)
	}
	clear(d.list)
	d.list = d.list[:0]
	d.next = nil
}

// SlotTopic returns the topic the value in a slot of the state table (see State) is
// recorded for: an alias's source topic, or the output topic of the mapping whose
// value it holds. kept is false for the slots of static mappings, which are evaluated
// afresh and need no saved value: a host that saves the state skips them.
func (p *Processor) SlotTopic(slot int) (topic string, kept bool) {
	if slot < p.aliasSlots {
		return p.sourceTopics[p.state.Layout().Alias(slot)], true
	}
	m := p.mappings[p.slotMappings[slot-p.aliasSlots]]
	return m.topic, m.kind == compiler.Dynamic
}
