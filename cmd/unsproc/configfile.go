package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/redpanda-data/benthos/v4/public/service"
	"gopkg.in/yaml.v3"

	"github.com/unsproc/unsproc/processor"
)

// configFile is a Benthos config file as `explain` and `try` read it: interpolated like
// Benthos does, with every stream_processor block found wherever processors may stand
// (pipeline, input and output processors, branch, switch, workflow, try, resources…).
type configFile struct {
	Path   string
	Interp interpolation
	Blocks []*configBlock
}

// configBlock is one `stream_processor` block of a config file.
type configBlock struct {
	// Path locates the processor the way Benthos config tests name it in
	// target_processors, e.g. /pipeline/processors/1.
	Path  string
	Label string
	Line  int
	node  *yaml.Node // the block as Benthos parses it (after interpolation)
	// raw is the block's mapping object as written in the file, before interpolation;
	// nil when the file does not parse as YAML without interpolation.
	raw *yaml.Node
}

// blockKey is the config key of the processor.
const blockKey = processor.PluginName

// loadConfigFile reads and interpolates a config file and finds its stream_processor
// blocks. lookup resolves environment variables (os.LookupEnv in the CLI).
func loadConfigFile(path string, lookup func(string) (string, bool)) (*configFile, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	in, err := interpolate(string(text), lookup)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(in.Text), &root); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f := &configFile{Path: path, Interp: in}
	findBlocks(&root, "", func(b *configBlock) { f.Blocks = append(f.Blocks, b) })

	var raw yaml.Node
	if yaml.Unmarshal(text, &raw) == nil {
		rawBlocks := map[string]*configBlock{}
		findBlocks(&raw, "", func(b *configBlock) { rawBlocks[b.Path] = b })
		for _, b := range f.Blocks {
			if r := rawBlocks[b.Path]; r != nil {
				b.raw = mapValue(r.node, "mapping")
			}
		}
	}
	return f, nil
}

// findBlocks walks a YAML tree and reports every mapping that holds a stream_processor
// key. The tests section is skipped: it holds inputs, not processors.
func findBlocks(n *yaml.Node, path string, found func(*configBlock)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			findBlocks(c, path, found)
		}
	case yaml.AliasNode:
		findBlocks(n.Alias, path, found)
	case yaml.SequenceNode:
		for i, c := range n.Content {
			findBlocks(c, path+"/"+strconv.Itoa(i), found)
		}
	case yaml.MappingNode:
		if v := mapValue(n, blockKey); v != nil {
			b := &configBlock{Path: path, Line: n.Line, node: v}
			if l := mapValue(n, "label"); l != nil {
				b.Label = l.Value
			}
			found(b)
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if path == "" && key == "tests" {
				continue
			}
			findBlocks(n.Content[i+1], path+"/"+key, found)
		}
	}
}

// mapValue returns the value of key in a YAML mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// find returns the block at path or with that label; with an empty selector, the only
// block of the file.
func (f *configFile) find(selector string) (*configBlock, error) {
	var names []string
	for _, b := range f.Blocks {
		if selector != "" && (b.Path == selector || b.Label == selector) {
			return b, nil
		}
		names = append(names, b.Path)
	}
	switch {
	case len(f.Blocks) == 0:
		return nil, fmt.Errorf("%s has no %s", f.Path, blockKey)
	case selector == "" && len(f.Blocks) == 1:
		return f.Blocks[0], nil
	case selector == "":
		return nil, fmt.Errorf("%s has %d %s blocks; choose one with --processor (%s)", f.Path, len(f.Blocks), blockKey, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("%s has no %s at %q (there are: %s)", f.Path, blockKey, selector, strings.Join(names, ", "))
}

// parse lints the block with Benthos' linter and reads it with the plugin's config
// spec. It returns the config (nil when the block cannot be read) and the problems.
func (b *configBlock) parse() (*processor.Config, []problem) {
	text, err := yaml.Marshal(b.node)
	if err != nil {
		return nil, []problem{{Severity: severityError, Message: err.Error()}}
	}
	var problems []problem
	wrapped, err := yaml.Marshal(map[string]*yaml.Node{blockKey: b.node})
	if err == nil {
		lints, lerr := service.GlobalEnvironment().NewComponentConfigLinter().
			SetSkipEnvVarCheck(true).
			LintYAML("processor", wrapped)
		if lerr == nil {
			for _, l := range lints {
				problems = append(problems, problem{Severity: severityError, Message: l.What})
			}
		}
	}
	parsed, err := processor.ConfigSpec().ParseYAML(string(text), nil)
	if err == nil {
		var cfg processor.Config
		if cfg, err = processor.ConfigFromParsed(parsed); err == nil {
			return &cfg, problems
		}
	}
	if len(problems) == 0 { // the linter usually says the same, better placed
		problems = append(problems, problem{Severity: severityError, Message: err.Error()})
	}
	return nil, problems
}
