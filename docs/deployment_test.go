package docs

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

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
			if n.Content[i].Value == processor.PluginName {
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
			parsed, err := processor.ConfigSpec().ParseYAML(string(text), nil)
			require.NoError(t, err, "%s", text)
			cfg, err := processor.ConfigFromParsed(parsed)
			require.NoError(t, err, "%s", text)
			_, err = processor.New(cfg)
			assert.NoError(t, err, "%s", text)
		}
	}
	assert.Equal(t, 3, blocks)
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
