// Package topicindex maps topics to values for lookups on every message.
package topicindex

import (
	"slices"
	"strings"
)

// Index maps topics to values for lookups on every message. Topics share long
// prefixes and differ near their end, so with few of them comparing length and last
// byte first finds the match faster than hashing the whole topic; many use a map.
type Index[V any] struct {
	few  []entry[V]
	many map[string]V
}

// entry is one indexed topic and its value.
type entry[V any] struct {
	topic string
	value V
}

// maxLinearTopics is the most topics an Index compares one by one.
const maxLinearTopics = 8

// New indexes m. Few topics are compared in sorted order, so that a
// lookup costs the same in every run (map order is random).
func New[V any](m map[string]V) Index[V] {
	if len(m) > maxLinearTopics {
		return Index[V]{many: m}
	}
	var t Index[V]
	for topic, v := range m {
		t.few = append(t.few, entry[V]{topic: topic, value: v})
	}
	slices.SortFunc(t.few, func(a, b entry[V]) int { return strings.Compare(a.topic, b.topic) })
	return t
}

// Get returns the value of topic, if it is indexed.
func (t *Index[V]) Get(topic string) (V, bool) {
	if t.many != nil {
		v, ok := t.many[topic]
		return v, ok
	}
	n := len(topic)
	for i := range t.few {
		e := &t.few[i]
		if len(e.topic) == n && (n == 0 || e.topic[n-1] == topic[n-1]) && e.topic == topic {
			return e.value, true
		}
	}
	var zero V
	return zero, false
}
