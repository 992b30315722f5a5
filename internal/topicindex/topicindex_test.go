package topicindex

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTopicIndex(t *testing.T) {
	for _, n := range []int{0, 1, 3, maxLinearTopics, maxLinearTopics + 1, 50} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			m := map[string]int{}
			for i := range n {
				m[fmt.Sprintf("umh.v1.e._raw.t%d", i)] = i
			}
			if n > 0 {
				m[""] = -1
			}
			idx := New(m)
			for topic, want := range m {
				got, ok := idx.Get(topic)
				assert.True(t, ok, topic)
				assert.Equal(t, want, got, topic)
			}
			for _, other := range []string{"umh.v1.e._raw.t", "umh.v1.e._raw.x0", "umh.v1.e._raw.t0x", "x", "umh.v1.e._raw.t00"} {
				_, ok := idx.Get(other)
				assert.False(t, ok, other)
			}
			if n == 0 {
				_, ok := idx.Get("")
				assert.False(t, ok)
			}
		})
	}
}
