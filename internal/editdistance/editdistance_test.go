package editdistance

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"press", "press", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"pres", "press", 1},   // an insertion
		{"presss", "press", 1}, // a deletion
		{"prass", "press", 1},  // a substitution
		{"perss", "press", 1},  // neighbours swapped
		{"motor.rmp", "motor.rpm", 1},
		{"kitten", "sitting", 3},
	} {
		assert.Equal(t, tt.want, Distance(tt.a, tt.b), "%q → %q", tt.a, tt.b)
		assert.Equal(t, tt.want, Distance(tt.b, tt.a), "%q → %q", tt.b, tt.a)
	}
}
