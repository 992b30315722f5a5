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

// problem is a config problem, with where it is and a hint on how to fix it when there
// is one.
type problem struct {
	Severity string `json:"severity"`
	// File, Line and Column place the problem in the config file (line and column
	// from 1; zero when unknown).
	File       string `json:"file,omitempty"`
	Line       int    `json:"line,omitempty"`
	Column     int    `json:"column,omitempty"`
	Mapping    string `json:"mapping,omitempty"`
	Message    string `json:"message"`
	Hint       string `json:"hint,omitempty"`
	Expression string `json:"expression,omitempty"`
	// Position is line:column within the expression.
	Position string `json:"position,omitempty"`
	// emptied marks a ${…} in a mapping that Benthos replaced with nothing.
	emptied bool
	// linted marks a lint of Benthos' linter, which `run --chilled` lets through.
	linted bool
}

// String renders the problem as Benthos' linter does, file(line,column) and the
// message, on one line; the hint follows on a second one.
func (p problem) String() string {
	text := p.lintText("")
	if p.Hint != "" {
		text += "\n  hint: " + p.Hint
	}
	return text
}

// lintText is the problem on one line without its hint: file(line,column), tag, the
// mapping and the message.
func (p problem) lintText(tag string) string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, "(%d,%d)", p.Line, max(p.Column, 1))
		}
		b.WriteString(" ")
	}
	b.WriteString(tag)
	if p.Mapping != "" {
		fmt.Fprintf(&b, "mapping %s: ", p.Mapping)
	}
	b.WriteString(p.Message)
	return b.String()
}

// explainFile analyses every stream_processor block of a loaded config file.
func explainFile(f *configFile) *fileReport {
	r := &fileReport{File: f.Path, Problems: fileProblems(f), Processors: []*blockReport{}}
	if len(f.Blocks) == 0 {
		r.Problems = append(r.Problems, problem{Severity: severityWarning, File: f.Path, Message: "no " + blockKey + " in this config"})
	}
	for _, b := range f.Blocks {
		r.Processors = append(r.Processors, explainBlock(f, b))
	}
	r.OK = !hasErrors(r.allProblems())
	return r
}

// allProblems lists the problems of the file, then those of each block.
func (r *fileReport) allProblems() []problem {
	all := slices.Clone(r.Problems)
	for _, b := range r.Processors {
		all = append(all, b.Problems...)
	}
	return all
}

// fileProblems are the problems of the file as a whole, which Benthos would refuse
// before parsing it: required environment variables that are not set, each placed at
// its first ${…}.
func fileProblems(f *configFile) []problem {
	problems := []problem{}
	for _, name := range f.Interp.missing() {
		p := problem{
			Severity: severityError,
			File:     f.Path,
			Message:  fmt.Sprintf("required environment variable %s is not set", name),
			Hint:     "Benthos replaces ${NAME} with an environment variable before parsing; write ${{NAME}} for a literal ${NAME}, e.g. in a JavaScript template literal",
		}
		i := slices.IndexFunc(f.Interp.Placeholders, func(ph placeholder) bool { return ph.Missing && ph.Name == name })
		loc := textLocation(f.Raw, f.Interp.Placeholders[i].Offset)
		p.Line, p.Column = loc.Line, loc.Column
		problems = append(problems, p)
	}
	return problems
}

func hasErrors(ps []problem) bool {
	return slices.ContainsFunc(ps, func(p problem) bool { return p.Severity == severityError })
}

// explainBlock builds the report of one block: the processor's own view of its mappings
// when the config is valid, otherwise every problem and whatever still compiles.
func explainBlock(f *configFile, b *configBlock) *blockReport {
	r := &blockReport{Path: b.Path, Label: b.Label, Line: b.Line, Sources: []sourceReport{}, Mappings: []mappingReport{}}
	cfg, problems := b.parse(f)
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
	paths := make([]string, len(inspections))
	for i, in := range inspections {
		paths[i] = in.Path
	}
	for _, err := range errs {
		r.Problems = append(r.Problems, b.problemOf(f, paths, err))
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
	r.Problems = append(r.Problems, interpolationNotes(f, b, r.Mappings)...)
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

// problemOf turns one problem of a *processor.ConfigError into a report entry placed
// in the file: a mapping's at the spot of the expression the compiler points at, a
// field's at the field, an alias's at the alias. Compiler errors bring their hint,
// completed with what only the whole config knows: the paths of its mappings.
func (b *configBlock) problemOf(f *configFile, mappings []string, err error) problem {
	p := problem{Severity: severityError, Message: err.Error()}
	loc := location{Line: b.Line}
	var (
		merr *processor.MappingError
		ferr *processor.FieldError
	)
	switch {
	case errors.As(err, &merr):
		p.Mapping, p.Message = merr.Path, merr.Err.Error()
		offset := -1
		var cerr *compiler.Error
		if errors.As(merr.Err, &cerr) {
			p.Message, p.Hint, p.Expression, p.Position = cerr.Msg, mappingHint(cerr, mappings), cerr.Source, cerr.Position()
			offset = cerr.Offset
		}
		leaves := map[string]*yaml.Node{}
		mappingLeaves(mapValue(b.node, "mapping"), "", leaves)
		if leaf := leaves[merr.Path]; leaf != nil {
			loc = expressionLocation(leaf, f.lines, offset)
		}
	case errors.As(err, &ferr):
		p.Message = "field " + ferr.Field + ": " + ferr.Msg
		if k, _ := fieldNode(b.node, strings.Split(ferr.Field, ".")); k != nil {
			loc = nodeLocation(k)
		}
	default:
		if k := b.badAlias(err); k != nil {
			loc = nodeLocation(k)
		}
	}
	return placeAt(f, loc, p)
}

// mappingHint is the compiler's hint, preceded, for an unknown name close to the name of
// a mapping that mappings may read (a top-level one), by "did you mean the mapping …?".
func mappingHint(cerr *compiler.Error, mappings []string) string {
	name := compiler.UnknownName(cerr)
	if name == "" || strings.HasPrefix(cerr.Hint, "did you mean") {
		return cerr.Hint
	}
	var readable []string
	for _, m := range mappings {
		if !strings.Contains(m, ".") {
			readable = append(readable, m)
		}
	}
	close := compiler.Suggest(name, readable)
	if len(close) == 0 {
		return cerr.Hint
	}
	note := fmt.Sprintf("did you mean the mapping %s?", strings.Join(close, " or "))
	if cerr.Hint == "" {
		return note
	}
	return note + "; " + cerr.Hint
}

// badAlias returns the key of the source alias err is about, or nil.
func (b *configBlock) badAlias(err error) *yaml.Node {
	sources := mapValue(b.node, "sources")
	if sources == nil || sources.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i < len(sources.Content); i += 2 {
		key := sources.Content[i]
		if verr := compiler.ValidateAlias(key.Value); verr != nil && err.Error() == "sources: "+verr.Error() {
			return key
		}
	}
	return nil
}

// interpolationNotes reports, per mapping, the ${…} placeholders Benthos replaced with
// environment variables (almost always a template literal that needed ${{…}}), each
// at its place in the file, and notes the escapes that became ${…} in the expression.
func interpolationNotes(f *configFile, b *configBlock, rows []mappingReport) []problem {
	if b.raw == nil {
		return nil
	}
	written := map[string]*yaml.Node{}
	mappingLeaves(b.raw, "", written)
	values := map[string]string{}
	for _, ph := range f.Interp.Placeholders {
		values[ph.Text] = ph.Value
	}
	rawLines := strings.Split(f.Raw, "\n")
	var problems []problem
	for i := range rows {
		leaf := written[rows[i].Path]
		if leaf == nil || leaf.Kind != yaml.ScalarNode {
			continue
		}
		for _, m := range placeholderRe.FindAllStringIndex(leaf.Value, -1) {
			ph := leaf.Value[m[0]:m[1]]
			replacement := fmt.Sprintf("the value of %s", strings.TrimSuffix(strings.TrimPrefix(ph, "${"), "}"))
			if values[ph] == "" {
				replacement = "nothing (the variable is not set, or empty)"
			}
			p := placeAt(f, expressionLocation(leaf, rawLines, m[0]), problem{
				Severity: severityWarning,
				Mapping:  rows[i].Path,
				Message:  fmt.Sprintf("Benthos replaced %s with %s before the processor saw the mapping; the expression is %s", ph, replacement, rows[i].Expression),
				Hint:     fmt.Sprintf("inside a JavaScript template literal write %s", "${{"+strings.TrimPrefix(ph, "${")+"}"),
			})
			p.emptied = values[ph] == ""
			problems = append(problems, p)
		}
		for _, esc := range escapesIn(leaf.Value) {
			rows[i].Notes = append(rows[i].Notes, fmt.Sprintf("%s in the file is %s in the expression (Benthos escape)", esc, "$"+strings.TrimSuffix(strings.TrimPrefix(esc, "${"), "}")))
		}
	}
	return problems
}
