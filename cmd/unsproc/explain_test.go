package main

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// explainJSON runs `explain --format json` and decodes the report.
func explainJSON(t *testing.T, path string) (fileReport, int) {
	t.Helper()
	res := runCLI(t, "explain", "-c", path, "--format", "json")
	var r fileReport
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &r), "stdout: %s\nstderr: %s", res.stdout, res.stderr)
	return r, res.code
}

// countLeaves counts the expressions of a mapping object as written in YAML.
func countLeaves(n *yaml.Node) int {
	if n.Kind != yaml.MappingNode {
		return 1
	}
	total := 0
	for i := 1; i < len(n.Content); i += 2 {
		total += countLeaves(n.Content[i])
	}
	return total
}

func TestExplainExamples(t *testing.T) {
	for _, path := range exampleConfigs(t) {
		t.Run(path, func(t *testing.T) {
			r, code := explainJSON(t, path)
			require.Equal(t, 0, code)
			require.True(t, r.OK)
			require.Len(t, r.Processors, 1)
			b := r.Processors[0]
			assert.Regexp(t, `^/\w+/processors/\d+$`, b.Path)
			assert.Empty(t, b.Problems)

			text, err := os.ReadFile(path)
			require.NoError(t, err)
			var root yaml.Node
			require.NoError(t, yaml.Unmarshal(text, &root))
			blocks := blocksIn(&root)
			require.Len(t, blocks, 1)
			mapping := mapValue(blocks[0], "mapping")
			require.NotNil(t, mapping)
			require.Len(t, b.Mappings, countLeaves(mapping))
			var sources map[string]string
			require.NoError(t, mapValue(blocks[0], "sources").Decode(&sources))
			require.Len(t, b.Sources, len(sources))
			for _, s := range b.Sources {
				assert.Equal(t, sources[s.Alias], s.Topic, s.Alias)
			}

			prefix := b.OutputTopic + "._" + b.Model.Name + "_" + b.Model.Version + "."
			for _, m := range b.Mappings {
				assert.Equal(t, prefix+m.Path, m.Topic)
				assert.Contains(t, []string{"static", "impure static", "dynamic"}, m.Kind)
				assert.Equal(t, m.Kind == "dynamic", len(m.Deps) > 0, m.Path)
				assert.Contains(t, []string{engineExpr, engineGoja}, m.Engine)
				assert.Equal(t, m.Engine == engineGoja, m.Fallback != "", m.Path)
				for _, d := range m.Deps {
					if slices.Contains(m.Reads, d) {
						assert.NotNil(t, findRow(b, d), "%s reads a mapping of the same processor", m.Path)
						continue
					}
					assert.Contains(t, sources, d, m.Path)
				}
			}

			res := runCLI(t, "explain", path) // the config as the argument, text format
			require.Equal(t, 0, res.code)
			for _, m := range b.Mappings {
				assert.Regexp(t, `(?m)^  `+regexp.QuoteMeta(m.Path)+` +`+regexp.QuoteMeta(m.Topic)+` +`+regexp.QuoteMeta(m.Kind)+` `, res.stdout)
			}
		})
	}
}

// blocksIn finds the values of the stream_processor keys of a YAML tree.
func blocksIn(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	for i, c := range n.Content {
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			if c.Value == blockKey {
				out = append(out, n.Content[i+1])
			}
			continue
		}
		out = append(out, blocksIn(c)...)
	}
	return out
}

func findProblem(ps []problem, mapping, substr string) *problem {
	for i := range ps {
		if ps[i].Mapping == mapping && strings.Contains(ps[i].Message, substr) {
			return &ps[i]
		}
	}
	return nil
}

func findRow(b *blockReport, path string) *mappingReport {
	for i := range b.Mappings {
		if b.Mappings[i].Path == path {
			return &b.Mappings[i]
		}
	}
	return nil
}

func TestExplainBrokenConfig(t *testing.T) {
	r, code := explainJSON(t, "testdata/broken.yaml")
	require.Equal(t, 1, code)
	require.False(t, r.OK)

	require.Len(t, r.Problems, 1)
	assert.Equal(t, "required environment variable tF is not set", r.Problems[0].Message)
	assert.Equal(t, [3]any{"testdata/broken.yaml", 18, 22}, [3]any{r.Problems[0].File, r.Problems[0].Line, r.Problems[0].Column})

	require.Len(t, r.Processors, 2)
	pump, nested := r.Processors[0], r.Processors[1]
	assert.Equal(t, "/pipeline/processors/0", pump.Path)
	assert.Equal(t, "pump", pump.Label)
	assert.Equal(t, 6, pump.Line)
	assert.Equal(t, "/pipeline/processors/1/branch/processors/0", nested.Path)
	assert.Empty(t, nested.Problems)
	require.Len(t, nested.Mappings, 1)
	assert.Equal(t, []string{"a"}, nested.Mappings[0].Deps)

	unknown := findProblem(pump.Problems, "deviceType", "unknown name pump")
	require.NotNil(t, unknown, "%+v", pump.Problems)
	assert.Equal(t, severityError, unknown.Severity)
	assert.Equal(t, "1:1", unknown.Position)
	assert.Contains(t, unknown.Hint, `'"pump"'`)

	syntax := findProblem(pump.Problems, "broken", "")
	require.NotNil(t, syntax)
	assert.Equal(t, "press +", syntax.Expression)
	assert.NotEmpty(t, syntax.Position)

	assert.NotNil(t, findProblem(pump.Problems, "", `alias "my-alias"`))

	env := findProblem(pump.Problems, "label", "${tF}")
	require.NotNil(t, env)
	assert.Equal(t, severityWarning, env.Severity)
	assert.Contains(t, env.Hint, "${{tF}}")

	// The mappings that compile are still described, the others marked invalid.
	assert.Equal(t, []string{"press", "tF"}, findRow(pump, "ratio").Deps)
	assert.Equal(t, "dynamic", findRow(pump, "pressure").Kind)
	assert.Equal(t, kindInvalid, findRow(pump, "broken").Kind)
	assert.Equal(t, kindInvalid, findRow(pump, "deviceType").Kind)
	assert.Equal(t, "static", findRow(pump, "label").Kind) // `T=` once tF is replaced by nothing

	res := runCLI(t, "explain", "-c", "testdata/broken.yaml")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stdout, "hint: to emit the text \"pump\"")
	assert.Contains(t, res.stderr, errConfigProblems.Error())
}

// block wraps stream_processor fields into a config with one pipeline processor.
func block(fields string) string {
	return "pipeline:\n  processors:\n    - stream_processor:\n" + indentLines(fields, "        ")
}

func indentLines(s, pad string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := range lines {
		lines[i] = pad + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}

const validFields = `output_topic: umh.v1.site.line
model: {name: m, version: v1}
sources:
  press: umh.v1.site.line._raw.press
mapping:
  pressure: press + 1
`

func TestExplainCases(t *testing.T) {
	cases := []struct {
		name   string
		config string
		env    map[string]string
		code   int
		check  func(t *testing.T, r fileReport)
	}{
		{
			name: "valid", config: block(validFields),
			check: func(t *testing.T, r fileReport) {
				assert.Equal(t, "umh.v1.site.line._m_v1.pressure", r.Processors[0].Mappings[0].Topic)
			},
		},
		{
			name: "misspelt field", config: block(strings.Replace(validFields, "mapping:", "mapings:", 1)), code: 1,
			check: func(t *testing.T, r fileReport) {
				assert.NotNil(t, findProblem(r.Processors[0].Problems, "", "mapings"), "%+v", r.Processors[0].Problems)
			},
		},
		{
			name: "missing output_topic", config: block(strings.Replace(validFields, "output_topic: umh.v1.site.line\n", "", 1)), code: 1,
			check: func(t *testing.T, r fileReport) {
				assert.NotNil(t, findProblem(r.Processors[0].Problems, "", "output_topic"), "%+v", r.Processors[0].Problems)
				assert.Empty(t, r.Processors[0].Mappings)
			},
		},
		{
			name: "environment variable in a field", config: block(strings.Replace(validFields, "umh.v1.site.line\n", "${SITE}.line\n", 1)),
			env: map[string]string{"SITE": "umh.v1.plant"},
			check: func(t *testing.T, r fileReport) {
				assert.Equal(t, "umh.v1.plant.line", r.Processors[0].OutputTopic)
			},
		},
		{
			name: "template literal replaced by a set variable", config: block(validFields + "  label: '`P=${press}`'\n"),
			env: map[string]string{"press": "7"},
			check: func(t *testing.T, r fileReport) {
				b := r.Processors[0]
				p := findProblem(b.Problems, "label", "${press}")
				require.NotNil(t, p)
				assert.Equal(t, severityWarning, p.Severity)
				assert.Equal(t, "`P=7`", findRow(b, "label").Expression)
				assert.Equal(t, "static", findRow(b, "label").Kind)
			},
		},
		{
			name: "mappings reading mappings", config: block(validFields + "  status: \"pressure > 100 ? 'HIGH' : 'NORMAL'\"\n  press: '1'\n"),
			check: func(t *testing.T, r fileReport) {
				b := r.Processors[0]
				row := findRow(b, "status")
				assert.Equal(t, []string{"pressure"}, row.Deps)
				assert.Equal(t, []string{"pressure"}, row.Reads)
				assert.Equal(t, "dynamic", row.Kind)
				p := findProblem(b.Problems, "press", "also an alias")
				require.NotNil(t, p, "%+v", b.Problems)
				assert.Equal(t, severityWarning, p.Severity)
				assert.NotEmpty(t, p.Hint)
				assert.Empty(t, findRow(b, "pressure").Reads, "pressure reads the alias press, not the mapping")
			},
		},
		{
			name: "a cycle of mappings", config: block(validFields + "  a: b + 1\n  b: a * 2\n"), code: 1,
			check: func(t *testing.T, r fileReport) {
				p := findProblem(r.Processors[0].Problems, "a", "cycle: a → b → a")
				require.NotNil(t, p, "%+v", r.Processors[0].Problems)
				assert.Equal(t, severityError, p.Severity)
			},
		},
		{
			name: "escaped template literal", config: block(validFields + "  label: '`P=${{press}}`'\n"),
			check: func(t *testing.T, r fileReport) {
				row := findRow(r.Processors[0], "label")
				assert.Equal(t, "`P=${press}`", row.Expression)
				assert.Equal(t, []string{"press"}, row.Deps)
				require.Len(t, row.Notes, 1)
				assert.Contains(t, row.Notes[0], "${{press}} in the file is ${press}")
			},
		},
		{
			name: "static that never emits", config: block(validFields + "  bad: Math.sqrt(-1)\n"), code: 1,
			check: func(t *testing.T, r fileReport) {
				assert.NotNil(t, findProblem(r.Processors[0].Problems, "bad", "NaN"), "%+v", r.Processors[0].Problems)
			},
		},
		{
			name: "engine goja", config: block(validFields + "engine: goja\n"),
			check: func(t *testing.T, r fileReport) {
				row := r.Processors[0].Mappings[0]
				assert.Equal(t, engineGoja, row.Engine)
				assert.NotEmpty(t, row.Fallback)
			},
		},
		{
			name: "field problem: the mappings are still described", config: block(validFields + "mode: batch\n"), code: 1,
			check: func(t *testing.T, r fileReport) {
				b := r.Processors[0]
				assert.NotNil(t, findProblem(b.Problems, "", "unsupported mode"), "%+v", b.Problems)
				require.Len(t, b.Mappings, 1)
				assert.Equal(t, "dynamic", b.Mappings[0].Kind)
				assert.Equal(t, engineExpr, b.Mappings[0].Engine)
			},
		},
		{
			name: "no stream_processor", config: "pipeline:\n  processors:\n    - mapping: root = this\n",
			check: func(t *testing.T, r fileReport) {
				assert.Empty(t, r.Processors)
				require.Len(t, r.Problems, 1)
				assert.Equal(t, severityWarning, r.Problems[0].Severity)
			},
		},
		{
			name: "resources and output processors", config: "processor_resources:\n  - label: sp\n    stream_processor:\n" + indentLines(validFields, "      ") +
				"output:\n  drop: {}\n  processors:\n    - switch:\n        - check: 'true'\n          processors:\n            - stream_processor:\n" + indentLines(validFields, "                "),
			check: func(t *testing.T, r fileReport) {
				require.Len(t, r.Processors, 2)
				assert.Equal(t, "/processor_resources/0", r.Processors[0].Path)
				assert.Equal(t, "sp", r.Processors[0].Label)
				assert.Equal(t, "/output/processors/0/switch/0/processors/0", r.Processors[1].Path)
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			r, code := explainJSON(t, writeFile(t, "config.yaml", c.config))
			assert.Equal(t, c.code, code)
			assert.Equal(t, c.code == 0, r.OK)
			c.check(t, r)
		})
	}
}

func TestExplainText(t *testing.T) {
	res := runCLI(t, "explain", "-c", "../../examples/sensor-calibration/config.yaml")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Regexp(t, `(?m)^  PATH +OUTPUT TOPIC +KIND +DEPENDENCIES +ENGINE$`, res.stdout)
	assert.Regexp(t, `(?m)^  calibrated_at +\S+\.calibrated_at +impure static +- +goja \(.+\)$`, res.stdout)
	assert.Regexp(t, `(?m)^  pressure +\S+\._sensor_calibrated_v1\.pressure +dynamic +raw_press +expr$`, res.stdout)
	assert.Contains(t, res.stdout, "no problems")
}

func TestExplainUsageErrors(t *testing.T) {
	pump := "../../examples/pump/config.yaml"
	cases := map[string][]string{
		"no config":      {"explain"},
		"two configs":    {"explain", "-c", pump, pump},
		"unknown format": {"explain", "-c", pump, "--format", "xml"},
		"unknown graph":  {"explain", "-c", pump, "--graph", "svg"},
		"missing file":   {"explain", "-c", "testdata/does-not-exist.yaml"},
		"not YAML":       {"explain", "-c", writeFile(t, "bad.yaml", "a: [b\n")},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			res := runCLI(t, args...)
			assert.Equal(t, 1, res.code)
			assert.NotEmpty(t, res.stderr)
		})
	}
}
