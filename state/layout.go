// Package state holds the stream processor's memory: the last accepted value of every
// source alias (and of every mapping that other mappings read, which the processor
// lists as one more alias), in typed slots that many pipeline threads read and write
// concurrently.
//
// A Layout fixes, once at construction, which slot index each alias has and which
// mappings depend on it. A Table holds the values for one Layout. Each slot is a small
// seqlock: a number is stored unboxed and other values in atomic cells, a sequence word
// serialises the writers of one slot and lets a reader see a value and its timestamp
// from the same write. Readers take no lock, and threads touching different slots do
// not share cache lines.
package state

import (
	"fmt"
	"slices"
)

// Layout is the immutable shape of a Table: the alias of every slot and, for every
// slot, the mappings that depend on it. It is safe for concurrent use.
type Layout struct {
	aliases    []string
	slots      map[string]int
	dependents [][]int // slot → ascending mapping indices
	depSlots   [][]int // mapping → slot of each dependency, in dependency order
}

// NewLayout gives every alias a slot (its index in aliases) and precomputes the
// dependents of each slot. deps[m] lists the aliases mapping m depends on, in the order
// the mapping wants their values; a mapping with no dependencies has an empty list.
// It fails on an empty or duplicate alias and on a dependency that is not an alias.
func NewLayout(aliases []string, deps [][]string) (*Layout, error) {
	l := &Layout{
		aliases:    slices.Clone(aliases),
		slots:      make(map[string]int, len(aliases)),
		dependents: make([][]int, len(aliases)),
		depSlots:   make([][]int, len(deps)),
	}
	for i, a := range aliases {
		if a == "" {
			return nil, fmt.Errorf("state: alias %d is empty", i)
		}
		if _, dup := l.slots[a]; dup {
			return nil, fmt.Errorf("state: alias %q is listed twice", a)
		}
		l.slots[a] = i
	}
	for m, ds := range deps {
		l.depSlots[m] = make([]int, len(ds))
		for j, d := range ds {
			s, ok := l.slots[d]
			if !ok {
				return nil, fmt.Errorf("state: mapping %d depends on %q, which is not an alias", m, d)
			}
			l.depSlots[m][j] = s
			if !slices.Contains(l.dependents[s], m) {
				l.dependents[s] = append(l.dependents[s], m)
			}
		}
	}
	return l, nil
}

// Len is the number of slots (aliases).
func (l *Layout) Len() int { return len(l.aliases) }

// Alias is the alias held by slot.
func (l *Layout) Alias(slot int) string { return l.aliases[slot] }

// Slot is the slot index of alias, and whether alias is known.
func (l *Layout) Slot(alias string) (int, bool) {
	s, ok := l.slots[alias]
	return s, ok
}

// Dependents lists, in ascending order, the mappings whose dependencies include the
// alias of slot. The caller must not modify the slice.
func (l *Layout) Dependents(slot int) []int { return l.dependents[slot] }

// DepSlots lists the slot of each dependency of mapping m, in the order given to
// NewLayout. The caller must not modify the slice.
func (l *Layout) DepSlots(m int) []int { return l.depSlots[m] }
