package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProblemsArePlacedInTheFile: every problem names the file, the line and column
// in it (for an expression, the spot the compiler points at; for a nested mapping,
// the leaf's line) and, for a field, its full path.
func TestProblemsArePlacedInTheFile(t *testing.T) {
	const model = "model: {name: m, version: v1}\n"
	const sources = "sources:\n  press: umh.v1.site._raw.press\n"
	cases := []struct {
		name, fields  string
		line, column  int // in the block's fields, from 1; block() adds 3 lines and 8 columns
		mapping, text string
	}{
		{name: "plain", fields: "output_topic: t\n" + model + sources + "mapping:\n  a: press + pump\n", line: 6, column: 14, mapping: "a", text: "unknown name pump"},
		{name: "single quoted", fields: "output_topic: t\n" + model + sources + "mapping:\n  a: 'press + pump'\n", line: 6, column: 15, mapping: "a", text: "unknown name pump"},
		{name: "double quoted", fields: "output_topic: t\n" + model + sources + "mapping:\n  a: \"press +\"\n", line: 6, column: 14, mapping: "a", text: "syntax error"},
		{name: "literal block", fields: "output_topic: t\n" + model + sources + "mapping:\n  a: |\n    press +\n      pump\n", line: 8, column: 7, mapping: "a", text: "unknown name pump"},
		{name: "nested leaf", fields: "output_topic: t\n" + model + sources + "mapping:\n  motor:\n    speed:\n      rpm: pres / 4\n", line: 8, column: 12, mapping: "motor.speed.rpm", text: "unknown name pres"},
		{name: "missing nested field", fields: "output_topic: t\nmodel: {name: m}\n" + sources + "mapping:\n  a: press\n", line: 2, column: 1, text: "field model.version is required"},
		{name: "empty nested field", fields: "output_topic: t\nmodel:\n  name: m\n  version: ''\n" + sources + "mapping:\n  a: press\n", line: 4, column: 3, text: "field model.version: model version is required"},
		{name: "unknown field", fields: "output_topic: t\n" + model + sources + "mapings:\n  a: press\n", line: 5, column: 1, text: "field mapings not recognised"},
		{name: "alias", fields: "output_topic: t\n" + model + "sources:\n  press: umh.v1.site._raw.press\n  run-state: umh.v1.site._raw.run\n" + "mapping:\n  a: press\n", line: 5, column: 3, text: `alias "run-state"`},
		{name: "wrong type", fields: "output_topic: t\n" + model + sources + "timeout: soon\nmapping:\n  a: press\n", line: 5, column: 1, text: "field timeout: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "config.yaml", block(c.fields))
			r, code := explainJSON(t, path)
			require.Equal(t, 1, code)
			var found *problem
			for _, p := range r.allProblems() {
				if strings.Contains(p.Message, c.text) {
					found = &p
				}
			}
			require.NotNil(t, found, "%+v", r.allProblems())
			assert.Equal(t, path, found.File)
			assert.Equal(t, [2]int{c.line + 3, c.column + 8}, [2]int{found.Line, found.Column}, found.Message)
			assert.Equal(t, c.mapping, found.Mapping)
		})
	}
}

// TestUnknownNameCloseToAMapping: a mapping may read another by its name; a typo of
// that name is told which mapping it is close to, and an alias's suggestion comes first.
func TestUnknownNameCloseToAMapping(t *testing.T) {
	fields := strings.Replace(validFields, "  pressure: press + 1\n", "  pressure: press + 1\n  alarm: pressure > 80\n  high: pressur > 90\n  low: alrm && pressure < 10\n", 1)
	r, code := explainJSON(t, writeFile(t, "config.yaml", block(fields)))
	require.Equal(t, 1, code)
	assert.Nil(t, findProblem(r.Processors[0].Problems, "alarm", ""), "alarm reads the mapping pressure")
	high := findProblem(r.Processors[0].Problems, "high", "unknown name pressur")
	require.NotNil(t, high)
	assert.Contains(t, high.Hint, "did you mean press?", "the compiler's suggestion comes first")
	low := findProblem(r.Processors[0].Problems, "low", "unknown name alrm")
	require.NotNil(t, low)
	assert.Contains(t, low.Hint, "did you mean the mapping alarm?")
}
