package docs

import (
	"os"
	"regexp"
	"strings"
	"testing"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	_ "github.com/unsproc/unsproc/components/mqtt"
	_ "github.com/unsproc/unsproc/components/prometheus"
	"github.com/unsproc/unsproc/components/streamprocessor"
	_ "github.com/unsproc/unsproc/components/uns"
	"github.com/unsproc/unsproc/processor"
)

var fenceRe = regexp.MustCompile("(?s)```(\\w+)\n(.*?)```")

// codeBlocks returns the fenced code blocks of a Markdown document in language lang.
func codeBlocks(doc, lang string) []string {
	var out []string
	for _, m := range fenceRe.FindAllStringSubmatch(doc, -1) {
		if m[1] == lang {
			out = append(out, m[2])
		}
	}
	return out
}

// streamProcessorBlocks finds the stream_processor blocks of a YAML tree.
func streamProcessorBlocks(n *yaml.Node) []*yaml.Node {
	var out []*yaml.Node
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == streamprocessor.PluginName {
				out = append(out, n.Content[i+1])
				continue
			}
			out = append(out, streamProcessorBlocks(n.Content[i+1])...)
		}
		return out
	}
	for _, c := range n.Content {
		out = append(out, streamProcessorBlocks(c)...)
	}
	return out
}

// TestDeploymentConfigs checks that every config of deployment.md is YAML and that its
// stream_processor blocks build a processor.
func TestDeploymentConfigs(t *testing.T) {
	doc, err := os.ReadFile("deployment.md")
	require.NoError(t, err)
	blocks := 0
	for _, config := range codeBlocks(string(doc), "yaml") {
		var root yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(config), &root), config)
		for _, b := range streamProcessorBlocks(&root) {
			blocks++
			text, err := yaml.Marshal(b)
			require.NoError(t, err)
			parsed, err := streamprocessor.ConfigSpec().ParseYAML(string(text), nil)
			require.NoError(t, err, "%s", text)
			cfg, err := streamprocessor.ConfigFromParsed(parsed)
			require.NoError(t, err, "%s", text)
			_, err = processor.New(cfg)
			assert.NoError(t, err, "%s", text)
		}
	}
	assert.Equal(t, 4, blocks)
}

// TestDeploymentHostSnippet checks that the Go code shown in deployment.md is the
// example host's, which `go build ./examples/host` compiles.
func TestDeploymentHostSnippet(t *testing.T) {
	doc, err := os.ReadFile("deployment.md")
	require.NoError(t, err)
	host, err := os.ReadFile("../examples/host/main.go")
	require.NoError(t, err)
	snippets := codeBlocks(string(doc), "go")
	require.Len(t, snippets, 1)
	assert.True(t, strings.HasSuffix(string(host), snippets[0]), "the Go block of deployment.md differs from the end of examples/host/main.go")
}

// TestDeploymentConfigsLint checks that every config of deployment.md with an input or
// an output is a valid Benthos config for the unsproc binary's components.
func TestDeploymentConfigsLint(t *testing.T) {
	doc, err := os.ReadFile("deployment.md")
	require.NoError(t, err)
	configs := 0
	for _, config := range codeBlocks(string(doc), "yaml") {
		var top map[string]any
		require.NoError(t, yaml.Unmarshal([]byte(config), &top))
		if top["input"] == nil && top["output"] == nil {
			continue
		}
		configs++
		assert.NoError(t, service.NewStreamBuilder().SetYAML(config), "%s", config)
	}
	assert.Equal(t, 4, configs)
}

// docTable returns the rows of the first Markdown table after marker in doc, each as
// its cells with surrounding spaces and backticks removed; the header row and the
// separator are left out.
func docTable(t *testing.T, doc, marker string) [][]string {
	t.Helper()
	at := strings.Index(doc, marker)
	require.GreaterOrEqual(t, at, 0, "%q is not in the document", marker)
	var rows [][]string
	inTable := false
	for _, line := range strings.Split(doc[at:], "\n") {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		var cells []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			cells = append(cells, strings.Trim(strings.TrimSpace(c), "`"))
		}
		rows = append(rows, cells)
	}
	require.Greater(t, len(rows), 2, "no table after %q", marker)
	return rows[2:]
}

// TestDeploymentComponentFields checks that the field tables of the uns input and
// output list exactly the components' top-level fields.
func TestDeploymentComponentFields(t *testing.T) {
	doc, err := os.ReadFile("deployment.md")
	require.NoError(t, err)
	env := service.GlobalEnvironment()
	for _, c := range []struct {
		marker string
		walk   func(func(string, *service.ConfigView))
	}{
		{"**`uns` input**", env.WalkInputs},
		{"**`uns` output**", env.WalkOutputs},
	} {
		var want []string
		c.walk(func(name string, view *service.ConfigView) {
			if name != "uns" {
				return
			}
			data, err := view.TemplateData()
			require.NoError(t, err)
			for _, f := range data.Fields {
				if !strings.Contains(f.FullName, ".") {
					want = append(want, f.FullName)
				}
			}
		})
		require.NotEmpty(t, want, c.marker)
		var got []string
		for _, row := range docTable(t, string(doc), c.marker) {
			got = append(got, row[0])
		}
		assert.ElementsMatch(t, want, got, c.marker)
	}
}

// metricRe matches a metric the processor's Benthos observer creates: its kind, name
// and label names.
var metricRe = regexp.MustCompile(`m\.New(Counter|Timer|Gauge)\("(\w+)"((?:, "\w+")*)\)`)

// TestDeploymentMetricsTable checks that the metrics table lists every metric the
// processor exports, with its type and labels, and nothing else.
func TestDeploymentMetricsTable(t *testing.T) {
	src, err := os.ReadFile("../components/streamprocessor/plugin_observer.go")
	require.NoError(t, err)
	want := map[string][2]string{}
	for _, m := range metricRe.FindAllStringSubmatch(string(src), -1) {
		var labels []string
		for _, l := range strings.Split(m[3], ",") {
			if l = strings.Trim(strings.TrimSpace(l), `"`); l != "" {
				labels = append(labels, l)
			}
		}
		want[m[2]] = [2]string{strings.ToLower(m[1]), strings.Join(labels, ", ")}
	}
	require.Greater(t, len(want), 10, "the observer's metrics were not found")

	doc, err := os.ReadFile("deployment.md")
	require.NoError(t, err)
	got := map[string][2]string{}
	for _, row := range docTable(t, string(doc), "## 4. Metrics\n") {
		require.GreaterOrEqual(t, len(row), 3, "%v", row)
		got[row[0]] = [2]string{row[1], strings.ReplaceAll(row[2], "`", "")}
	}
	assert.Equal(t, want, got)
}
