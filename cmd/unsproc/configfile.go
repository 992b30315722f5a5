package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/redpanda-data/benthos/v4/public/service"
	"gopkg.in/yaml.v3"

	"github.com/unsproc/unsproc/components/streamprocessor"
	"github.com/unsproc/unsproc/processor"
)

// configFile is a Benthos config file as `explain` and `try` read it: interpolated like
// Benthos does, with every stream_processor block found wherever processors may stand
// (pipeline, input and output processors, branch, switch, workflow, try, resources…).
type configFile struct {
	Path   string
	Raw    string // the file as written
	Interp interpolation
	Blocks []*configBlock
	lines  []string // the interpolated text's lines
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
const blockKey = streamprocessor.PluginName

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
	f := &configFile{Path: path, Raw: string(text), Interp: in, lines: strings.Split(in.Text, "\n")}
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
	_, v := mapEntry(n, key)
	return v
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
// spec. It returns the config (nil when the block cannot be read) and the problems,
// each placed in the file.
func (b *configBlock) parse(f *configFile) (*processor.Config, []problem) {
	text, err := yaml.Marshal(b.node)
	if err != nil {
		return nil, []problem{placeAt(f, location{Line: b.Line}, problem{Severity: severityError, Message: err.Error()})}
	}
	problems := b.lint(f)
	parsed, err := streamprocessor.ConfigSpec().ParseYAML(string(text), nil)
	if err == nil {
		var cfg processor.Config
		if cfg, err = streamprocessor.ConfigFromParsed(parsed); err == nil {
			return &cfg, problems
		}
	}
	if len(problems) == 0 { // the linter usually says the same, better placed
		problems = append(problems, b.parseProblem(f, err))
	}
	return nil, problems
}

// lint runs Benthos' linter on the block. The linter sees the block marshalled on its
// own; each lint is placed at the node of the file it points at, and a field is
// named by its full path (model.version rather than version).
func (b *configBlock) lint(f *configFile) []problem {
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: blockKey}
	wrapper := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{key, b.node}}
	text, err := yaml.Marshal(wrapper)
	if err != nil {
		return nil
	}
	lints, err := service.GlobalEnvironment().NewComponentConfigLinter().
		SetSkipEnvVarCheck(true).
		LintYAML("processor", text)
	if err != nil {
		return nil
	}
	var copy yaml.Node
	if yaml.Unmarshal(text, &copy) != nil || len(copy.Content) == 0 {
		return nil
	}
	var problems []problem
	for _, l := range lints {
		p := problem{Severity: severityError, Message: l.What, linted: true}
		loc := location{Line: b.Line}
		if t, ok := pickLintTarget(l.What, nodesOnLine(wrapper, copy.Content[0], l.Line, nil, nil)); ok {
			path := t.path[min(len(t.path), 1):] // the stream_processor key
			loc = nodeLocation(t.node)
			if t.node.Kind == yaml.MappingNode && len(path) > 0 {
				// A field missing from an object: at the object's key.
				if k, _ := fieldNode(b.node, path); k != nil {
					loc = nodeLocation(k)
				}
			}
			p.Message = fieldMessage(l.What, path, t.isKey || t.node.Kind == yaml.MappingNode)
		}
		problems = append(problems, placeAt(f, loc, p))
	}
	return problems
}

// quotedFieldRe finds the field a parse error names, as in "failed to parse 'timeout'
// as a duration string".
var quotedFieldRe = regexp.MustCompile(`'([A-Za-z0-9_.]+)'`)

// parseProblem places an error of the config spec's parser at the field it names.
func (b *configBlock) parseProblem(f *configFile, err error) problem {
	p, loc := problem{Severity: severityError, Message: err.Error()}, location{Line: b.Line}
	if m := quotedFieldRe.FindStringSubmatch(p.Message); m != nil {
		if k, found := fieldNode(b.node, strings.Split(m[1], ".")); found {
			loc, p.Message = nodeLocation(k), "field "+m[1]+": "+p.Message
		}
	}
	return placeAt(f, loc, p)
}

// fieldMessage names the field of a lint by its full path: "field version is
// required" about the object at path model becomes "field model.version is required";
// a lint about a value gets its field's path in front.
func fieldMessage(what string, path []string, aboutChild bool) string {
	if len(path) == 0 {
		return what
	}
	prefix := strings.Join(path, ".")
	if rest, ok := strings.CutPrefix(what, "field "); ok && aboutChild {
		return "field " + prefix + "." + rest
	}
	return "field " + prefix + ": " + what
}

// placeAt places a problem at loc in file f.
func placeAt(f *configFile, loc location, p problem) problem {
	p.File, p.Line, p.Column = f.Path, loc.Line, loc.Column
	return p
}
