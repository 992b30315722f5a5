package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/processor"
)

// Severities of a problem. Errors make `explain` exit non-zero and stop Benthos from
// starting the processor; warnings do not.
const (
	severityError   = "error"
	severityWarning = "warning"
)

// Engines a mapping runs on.
const (
	engineExpr = "expr"
	engineGoja = "goja"
)

// kindInvalid marks the row of a mapping that does not compile.
const kindInvalid = "invalid"

// fileReport is what `explain` says about one config file.
type fileReport struct {
	File       string         `json:"file"`
	OK         bool           `json:"ok"`
	Problems   []problem      `json:"problems"`
	Processors []*blockReport `json:"processors"`
}

// blockReport describes one stream_processor block.
type blockReport struct {
	Path        string          `json:"path"`
	Label       string          `json:"label,omitempty"`
	Line        int             `json:"line"`
	OutputTopic string          `json:"output_topic"`
	Model       modelReport     `json:"model"`
	Sources     []sourceReport  `json:"sources"`
	Mappings    []mappingReport `json:"mappings"`
	Problems    []problem       `json:"problems"`
}

type modelReport struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// The data model's fields, when data_models_file is set: the file, how many fields
	// the model has and how many a mapping fills, and the paths of the others.
	File     string   `json:"data_models_file,omitempty"`
	Fields   int      `json:"fields,omitempty"`
	Mapped   int      `json:"mapped,omitempty"`
	Unmapped []string `json:"unmapped,omitempty"`
}

type sourceReport struct {
	Alias string `json:"alias"`
	Topic string `json:"topic"`
}

// mappingReport is one row of the table: a mapping, where it writes, what it waits for
// and how it runs.
type mappingReport struct {
	Path       string   `json:"path"`
	Topic      string   `json:"topic"`
	Expression string   `json:"expression"`
	Kind       string   `json:"kind"` // static, impure static, dynamic or invalid
	Deps       []string `json:"dependencies"`
	Reads      []string `json:"reads_mappings,omitempty"`  // the dependencies that are other mappings
	Engine     string   `json:"engine,omitempty"`          // expr or goja; empty when invalid
	Fallback   string   `json:"fallback_reason,omitempty"` // why goja, when Engine is goja
	Shape      string   `json:"shape,omitempty"`           // the payload shape of its data model field
	Notes      []string `json:"notes,omitempty"`
}

// problem is a config problem, with a hint on how to fix it when there is one.
type problem struct {
	Severity   string `json:"severity"`
	Mapping    string `json:"mapping,omitempty"`
	Message    string `json:"message"`
	Hint       string `json:"hint,omitempty"`
	Expression string `json:"expression,omitempty"`
	// Position is line:column within the expression.
	Position string `json:"position,omitempty"`
}

// String renders the problem on one line (the hint on a second one).
func (p problem) String() string {
	var b strings.Builder
	if p.Mapping != "" {
		fmt.Fprintf(&b, "mapping %s", p.Mapping)
		if p.Position != "" {
			fmt.Fprintf(&b, " at %s", p.Position)
		}
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	if p.Hint != "" {
		b.WriteString("\n  hint: " + p.Hint)
	}
	return b.String()
}

// explainFile analyses every stream_processor block of a loaded config file.
func explainFile(f *configFile) *fileReport {
	r := &fileReport{File: f.Path, Problems: fileProblems(f), Processors: []*blockReport{}}
	if len(f.Blocks) == 0 {
		r.Problems = append(r.Problems, problem{Severity: severityWarning, Message: "no " + blockKey + " in this config"})
	}
	for _, b := range f.Blocks {
		r.Processors = append(r.Processors, explainBlock(b))
	}
	r.OK = !hasErrors(r.Problems)
	for _, b := range r.Processors {
		r.OK = r.OK && !hasErrors(b.Problems)
	}
	return r
}

// fileProblems are the problems of the file as a whole, which Benthos would refuse
// before parsing it: required environment variables that are not set.
func fileProblems(f *configFile) []problem {
	missing := f.Interp.missing()
	if len(missing) == 0 {
		return []problem{}
	}
	return []problem{{
		Severity: severityError,
		Message:  fmt.Sprintf("required environment variables are not set: %s", strings.Join(missing, ", ")),
		Hint:     "Benthos replaces ${NAME} with an environment variable before parsing; write ${{NAME}} for a literal ${NAME}, e.g. in a JavaScript template literal",
	}}
}

func hasErrors(ps []problem) bool {
	return slices.ContainsFunc(ps, func(p problem) bool { return p.Severity == severityError })
}

// explainBlock builds the report of one block: the processor's own view of its mappings
// when the config is valid, otherwise every problem and whatever still compiles.
func explainBlock(b *configBlock) *blockReport {
	r := &blockReport{Path: b.Path, Label: b.Label, Line: b.Line, Sources: []sourceReport{}, Mappings: []mappingReport{}}
	cfg, problems := b.parse()
	r.Problems = append([]problem{}, problems...)
	if cfg == nil {
		return r
	}
	r.OutputTopic = cfg.OutputTopic
	r.Model = modelReport{Name: cfg.Model.Name, Version: cfg.Model.Version}
	if c, _ := processor.InspectModel(*cfg); c != nil { // a model that does not load is among Inspect's problems
		r.Model.File, r.Model.Fields, r.Model.Mapped, r.Model.Unmapped = c.File, len(c.Fields), c.Mapped(), c.Unmapped()
	}
	for _, alias := range slices.Sorted(maps.Keys(cfg.Sources)) {
		r.Sources = append(r.Sources, sourceReport{Alias: alias, Topic: cfg.Sources[alias]})
	}
	// The processor describes every mapping as it compiles it, valid or not, so each
	// valid one is shown next to the problems of a config it rejects.
	inspections, errs := processor.Inspect(*cfg)
	for _, err := range errs {
		r.Problems = append(r.Problems, problemOf(err))
	}
	for _, in := range inspections {
		if in.Err != nil {
			r.Mappings = append(r.Mappings, mappingReport{Path: in.Path, Topic: in.Topic, Expression: in.Source, Kind: kindInvalid, Deps: []string{}})
			continue
		}
		row := mappingRow(in)
		row.Shape = in.Shape
		r.Mappings = append(r.Mappings, row)
		if in.Aliased {
			r.Problems = append(r.Problems, problem{
				Severity: severityWarning,
				Mapping:  in.Path,
				Message:  fmt.Sprintf("%s is also an alias: the mappings that use the name %s read the alias, not this mapping", in.Path, in.Path),
				Hint:     "rename the mapping or the alias if a mapping should read this mapping's value",
			})
		}
	}
	r.Problems = append(r.Problems, interpolationNotes(r.Mappings, b.raw)...)
	return r
}

// mappingRow describes a compiled mapping.
func mappingRow(in processor.Inspection) mappingReport {
	prog := in.Program
	row := mappingReport{Path: in.Path, Topic: in.Topic, Expression: prog.Source(), Kind: in.Kind.String(), Deps: prog.Deps(), Reads: in.Reads, Engine: engineExpr}
	if row.Deps == nil {
		row.Deps = []string{}
	}
	if !prog.Fast() {
		row.Engine, row.Fallback = engineGoja, prog.FallbackReason()
	}
	return row
}

// problemOf turns one problem of a *processor.ConfigError into a report entry, with the
// compiler's position and hint when it has them.
func problemOf(err error) problem {
	p := problem{Severity: severityError, Message: err.Error()}
	var merr *processor.MappingError
	if !errors.As(err, &merr) {
		return p
	}
	p.Mapping, p.Message = merr.Path, merr.Err.Error()
	var cerr *compiler.Error
	if errors.As(merr.Err, &cerr) {
		p.Message, p.Hint, p.Expression, p.Position = cerr.Msg, cerr.Hint, cerr.Source, cerr.Position()
	}
	return p
}

// interpolationNotes reports, per mapping, the ${…} placeholders Benthos replaced with
// environment variables (almost always a template literal that needed ${{…}}), and notes
// the escapes that became ${…} in the expression.
func interpolationNotes(rows []mappingReport, raw *yaml.Node) []problem {
	if raw == nil {
		return nil
	}
	written := map[string]string{}
	flattenRaw(raw, "", written)
	var problems []problem
	for i := range rows {
		text := written[rows[i].Path]
		for _, ph := range placeholdersIn(text) {
			problems = append(problems, problem{
				Severity: severityWarning,
				Mapping:  rows[i].Path,
				Message:  fmt.Sprintf("Benthos replaced %s with an environment variable before the processor saw the mapping; the expression is %s", ph, rows[i].Expression),
				Hint:     fmt.Sprintf("inside a JavaScript template literal write %s", "${{"+strings.TrimPrefix(ph, "${")+"}"),
			})
		}
		for _, esc := range escapesIn(text) {
			rows[i].Notes = append(rows[i].Notes, fmt.Sprintf("%s in the file is %s in the expression (Benthos escape)", esc, "$"+strings.TrimSuffix(strings.TrimPrefix(esc, "${"), "}")))
		}
	}
	return problems
}

// flattenRaw collects the string leaves of a mapping object by virtual path.
func flattenRaw(n *yaml.Node, prefix string, out map[string]string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		path, v := prefix+n.Content[i].Value, n.Content[i+1]
		switch v.Kind {
		case yaml.MappingNode:
			flattenRaw(v, path+".", out)
		case yaml.ScalarNode:
			out[path] = v.Value
		}
	}
}
