package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// graphEdges extracts the edges of a rendered graph, with each endpoint's label.
func graphEdges(t *testing.T, format, out string) [][2]string {
	t.Helper()
	var nodeRe, edgeRe *regexp.Regexp
	switch format {
	case graphMermaid:
		nodeRe = regexp.MustCompile(`(?m)^    (\w+)[\[(/]+"([^"]*)"`)
		edgeRe = regexp.MustCompile(`(?m)^    (\w+) -\.?-> (\w+)$`)
	case graphDot:
		nodeRe = regexp.MustCompile(`(?m)^    (\w+) \[label="((?:[^"\\]|\\.)*)"`)
		edgeRe = regexp.MustCompile(`(?m)^    (\w+) -> (\w+)(?: \[style=dashed\])?;$`)
	}
	labels := map[string]string{}
	for _, m := range nodeRe.FindAllStringSubmatch(out, -1) {
		labels[m[1]] = strings.NewReplacer("<br/>", "\n", `\n`, "\n").Replace(m[2])
	}
	var edges [][2]string
	for _, m := range edgeRe.FindAllStringSubmatch(out, -1) {
		from, ok1 := labels[m[1]]
		to, ok2 := labels[m[2]]
		require.True(t, ok1 && ok2, "edge %s -> %s between unknown nodes", m[1], m[2])
		edges = append(edges, [2]string{from, to})
	}
	return edges
}

func TestGraphShowsEveryDependency(t *testing.T) {
	for _, path := range exampleConfigs(t) {
		r, _ := explainJSON(t, path)
		b := r.Processors[0]
		for _, format := range []string{graphMermaid, graphDot} {
			t.Run(path+"/"+format, func(t *testing.T) {
				res := runCLI(t, "explain", "-c", path, "--graph", format)
				require.Equal(t, 0, res.code, res.stderr)
				edges := graphEdges(t, format, res.stdout)

				var want [][2]string
				for _, s := range b.Sources {
					want = append(want, [2]string{s.Topic, s.Alias})
				}
				nodes := map[string]string{}
				for _, m := range b.Mappings {
					nodes[m.Path] = m.Path + "\n" + m.Kind + ", " + m.Engine
				}
				for _, m := range b.Mappings {
					node := nodes[m.Path]
					for _, d := range m.Deps {
						from := d
						if slices.Contains(m.Reads, d) {
							from = nodes[d]
						}
						want = append(want, [2]string{from, node})
					}
					if len(m.Deps) == 0 {
						want = append(want, [2]string{"every source message", node})
					}
					want = append(want, [2]string{node, m.Topic})
				}
				assert.ElementsMatch(t, want, edges)
			})
		}
	}
}

func TestGraphEscapesLabels(t *testing.T) {
	config := block(`output_topic: 'umh.v1."quoted"'
model: {name: m, version: v1}
sources:
  a: 'umh.v1.back\slash'
mapping:
  'say "hi"': a
`)
	path := writeFile(t, "config.yaml", config)
	mermaid := runCLI(t, "explain", "-c", path, "--graph", graphMermaid)
	require.Equal(t, 0, mermaid.code, mermaid.stderr)
	assert.Contains(t, mermaid.stdout, `"say #quot;hi#quot;<br/>dynamic, expr"`)
	assert.Len(t, graphEdges(t, graphMermaid, mermaid.stdout), 3)

	dot := runCLI(t, "explain", "-c", path, "--graph", graphDot)
	require.Equal(t, 0, dot.code, dot.stderr)
	assert.Contains(t, dot.stdout, `label="say \"hi\"\ndynamic, expr"`)
	assert.Contains(t, dot.stdout, `label="umh.v1.back\\slash"`)
	assert.Len(t, graphEdges(t, graphDot, dot.stdout), 3)
}

func TestGraphClustersPerProcessor(t *testing.T) {
	res := runCLI(t, "explain", "-c", "testdata/broken.yaml", "--graph", graphDot)
	assert.Equal(t, 1, res.code) // the config has errors, the graph is still drawn
	assert.Equal(t, 2, strings.Count(res.stdout, "subgraph cluster_"))
	assert.NotContains(t, res.stdout, `"deviceType`) // invalid mappings are left out
	assert.Contains(t, res.stdout, `label="ratio\ndynamic, expr"`)
}
