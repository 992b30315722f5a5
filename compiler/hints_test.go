package compiler

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUnknownNameHints(t *testing.T) {
	aliases := []string{"press", "tF", "state"}
	cases := []struct {
		src, name string
		hint      []string // substrings of the hint
		not       []string // what the hint must not say
	}{
		{src: "pres * 2", name: "pres", hint: []string{"did you mean press?", `'"pres"'`}},
		{src: "Press", name: "Press", hint: []string{"did you mean press?"}},
		{src: "math.abs(press)", name: "math", hint: []string{"did you mean Math?"}},
		{src: "pressur", name: "pressur", hint: []string{"did you mean press?"}},
		{src: "pump", name: "pump", hint: []string{`to emit the text "pump"`, "the aliases are [press state tF]"}, not: []string{"did you mean"}},
		{src: "run-state ? 1 : 0", name: "run", hint: []string{"run-state reads as run - state, a subtraction", "e.g. to run_state"}, not: []string{"did you mean"}},
		{src: "press + motor-speed-rpm", name: "motor", hint: []string{"motor-speed-rpm reads as motor - speed - rpm"}},
		{src: "state-run", name: "run", hint: []string{"state-run reads as state - run"}},
		{src: "press - run", name: "run", not: []string{"reads as"}},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			_, err := Compile(c.src, aliases)
			var cerr *Error
			require.True(t, errors.As(err, &cerr), "%v", err)
			assert.Equal(t, c.name, UnknownName(cerr))
			for _, h := range c.hint {
				assert.Contains(t, cerr.Hint, h)
			}
			for _, h := range c.not {
				assert.NotContains(t, cerr.Hint, h)
			}
		})
	}
}

func TestUnknownNameOfOtherErrors(t *testing.T) {
	_, err := Compile("press +", []string{"press"})
	var cerr *Error
	require.True(t, errors.As(err, &cerr))
	assert.Empty(t, UnknownName(cerr))
}

func TestSuggest(t *testing.T) {
	candidates := []string{"press", "pressure", "tF", "temp", "Math", "motor_rpm"}
	cases := map[string][]string{
		"pres":      {"press"},
		"prses":     {"press"}, // a swap is one edit
		"presure":   {"pressure"},
		"tf":        {"tF"}, // case alone
		"x":         nil,    // one letter is not close to anything
		"motor_rmp": {"motor_rpm"},
		"press":     nil, // never itself; pressure is three edits away
		"speed":     nil,
	}
	for name, want := range cases {
		assert.Equal(t, want, nilIfEmpty(Suggest(name, candidates)), name)
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
