package processor

import (
	"fmt"
	"strings"
	"time"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/vm"
)

// ModeTimeseries is the only processing mode (docs/behaviour.md#config-fields).
const ModeTimeseries = "timeseries"

// Names of the Config fields in a config file's `stream_processor` block; the
// problems New reports name fields by them (FieldError.Field).
const (
	FieldMode        = "mode"
	FieldOutputTopic = "output_topic"
	FieldModel       = "model"
	FieldModelName   = "name"    // under FieldModel
	FieldModelVer    = "version" // under FieldModel
	FieldSources     = "sources"
	FieldMapping     = "mapping"
	FieldTimeout     = "timeout"
	FieldEngine      = "engine"
	FieldDataModels  = "data_models_file"
)

// Config is the stream processor's configuration (docs/behaviour.md#config-fields). It is what the Benthos
// `stream_processor` block holds; programs may also fill it in directly.
type Config struct {
	// Mode must be ModeTimeseries.
	Mode string
	// OutputTopic is the prefix of every output topic.
	OutputTopic string
	// Model names the data contract: outputs go to
	// <OutputTopic>._<Model.Name>_<Model.Version>.<virtual path>.
	Model Model
	// Sources maps each alias (a JavaScript identifier usable in mappings) to the exact
	// UNS topic whose values it holds. Several aliases may share a topic.
	Sources map[string]string
	// Mapping is a nested object whose leaves are JavaScript expressions. Nested keys
	// join with '.' into virtual paths; a non-string leaf (number, bool, null, list)
	// is turned into expression text with %v, as YAML scalars are (docs/behaviour.md#flattening).
	Mapping map[string]any
	// Timeout bounds one evaluation in the goja sandbox; zero means the compiler's
	// default (100 ms).
	Timeout time.Duration
	// Engine selects the evaluation engine; the zero value is compiler.EngineAuto.
	Engine compiler.Engine
	// DataModelsFile, when set, names a YAML file of UMH data models and payload
	// shapes (see package datamodel) that defines Model: every mapping path must then
	// be a field of it whose shape the mapping's results can match, and a result that
	// does not match is not emitted.
	DataModelsFile string
}

// Model is the data-contract name and version of the outputs.
type Model struct {
	Name    string
	Version string
}

// ConfigError lists every problem found in a configuration.
type ConfigError struct {
	Problems []error
}

// Error lists the problems, one per line when there are several.
func (e *ConfigError) Error() string {
	if len(e.Problems) == 1 {
		return "invalid configuration: " + e.Problems[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "invalid configuration (%d problems):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap gives the individual problems to errors.Is and errors.As.
func (e *ConfigError) Unwrap() []error { return e.Problems }

// MappingError is a problem with the mapping at a virtual path.
type MappingError struct {
	Path string
	Err  error // a *compiler.Error, a *NonEmittableError or a plain error
}

// Error names the mapping and the problem; compiler errors carry position and hint.
func (e *MappingError) Error() string { return fmt.Sprintf("mapping %q: %v", e.Path, e.Err) }

// Unwrap returns the underlying problem.
func (e *MappingError) Unwrap() error { return e.Err }

// FieldError is a problem with one field of the configuration.
type FieldError struct {
	Field string // the field's path in the stream_processor block, e.g. model.version
	Msg   string
}

// Error is the problem, without the field's path.
func (e *FieldError) Error() string { return e.Msg }

// fieldError records a problem with the field at path (its names in the block).
func fieldError(msg string, path ...string) error {
	return &FieldError{Field: strings.Join(path, "."), Msg: msg}
}

// checkFields reports the problems of the plain fields, in the order of docs/behaviour.md#validation,
// with the reference's wording.
func (c *Config) checkFields() []error {
	var problems []error
	switch c.Mode {
	case ModeTimeseries:
	case "":
		problems = append(problems, fieldError(fmt.Sprintf("mode is required (use %q)", ModeTimeseries), FieldMode))
	default:
		problems = append(problems, fieldError(fmt.Sprintf("unsupported mode: %s (only '%s' is supported)", c.Mode, ModeTimeseries), FieldMode))
	}
	if c.OutputTopic == "" {
		problems = append(problems, fieldError("output_topic is required", FieldOutputTopic))
	}
	if c.Model.Name == "" {
		problems = append(problems, fieldError("model name is required", FieldModel, FieldModelName))
	}
	if c.Model.Version == "" {
		problems = append(problems, fieldError("model version is required", FieldModel, FieldModelVer))
	}
	if len(c.Sources) == 0 {
		problems = append(problems, fieldError("at least one source mapping is required", FieldSources))
	}
	if c.Timeout < 0 || c.Timeout > vm.MaxTimeout {
		problems = append(problems, fieldError(fmt.Sprintf("timeout must be between 0 and %v, got %v (hint: a mapping that needs longer is better split or precomputed)", vm.MaxTimeout, c.Timeout), FieldTimeout))
	}
	return problems
}

// TopicPrefix is what every output topic starts with, before the virtual path:
// `<OutputTopic>._<Model.Name>_<Model.Version>.`.
func (c *Config) TopicPrefix() string {
	return c.OutputTopic + "._" + c.Model.Name + "_" + c.Model.Version + "."
}

// compilerOptions are the compiler settings the config asks for.
func (c *Config) compilerOptions() []compiler.Option {
	opts := []compiler.Option{compiler.WithEngine(c.Engine)}
	if c.Timeout > 0 {
		opts = append(opts, compiler.WithTimeout(c.Timeout))
	}
	return opts
}
