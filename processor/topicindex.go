package processor

import (
	"slices"
	"strings"
)

// topicIndex maps topics to values for lookups on every message. Topics share long
// prefixes and differ near their end, so with few of them comparing length and last
// byte first finds the match faster than hashing the whole topic; many use a map.
type topicIndex[V any] struct {
	few  []topicEntry[V]
	many map[string]V
}

type topicEntry[V any] struct {
	topic string
	value V
}

// maxLinearTopics is the most topics a topicIndex compares one by one.
const maxLinearTopics = 8

// newTopicIndex indexes m. Few topics are compared in sorted order, so that a
// lookup costs the same in every run (map order is random).
func newTopicIndex[V any](m map[string]V) topicIndex[V] {
	if len(m) > maxLinearTopics {
		return topicIndex[V]{many: m}
	}
	var t topicIndex[V]
	for topic, v := range m {
		t.few = append(t.few, topicEntry[V]{topic: topic, value: v})
	}
	slices.SortFunc(t.few, func(a, b topicEntry[V]) int { return strings.Compare(a.topic, b.topic) })
	return t
}

// get returns the value of topic, if it is indexed.
func (t *topicIndex[V]) get(topic string) (V, bool) {
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
