package streamprocessor

import (
	"strings"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/unsproc/unsproc/processor"
)

// Names of the plugin-only fields of the `stream_processor` block (the others are
// processor.Config's, named by the processor.Field constants).
const (
	fieldOnReject       = "on_reject"
	fieldStateCache     = "state_cache"
	fieldStateKeyPrefix = "state_cache_prefix"
	fieldStateInterval  = "state_cache_interval"
)

// Engine names accepted by the `engine` field.
const (
	engineAuto = "auto"
	engineGoja = "goja"
)

const specDescription = `
Receives UMH timeseries messages (payload ` + "`" + `{"value": …, "timestamp_ms": …}` + "`" + `, topic in the
` + "`umh_topic`" + ` metadata key) from the topics listed under ` + "`sources`" + `, remembers the last value of
each source alias and evaluates the JavaScript expressions under ` + "`mapping`" + `. It only emits new
messages, one per mapping that fires, to
` + "`<output_topic>._<model.name>_<model.version>.<virtual path>`" + `; input messages are consumed.

For every accepted input: static mappings (no alias referenced) are emitted, then the
dynamic mappings that reference an alias the message updated and whose aliases all have a
value. Each group is ordered by virtual path. Every output carries the input's
` + "`timestamp_ms`" + ` and metadata (it is derived from the input message).

A mapping value is JavaScript source, not text: ` + "`pump`" + ` is the identifier pump (rejected as
unknown), ` + "`'\"pump\"'`" + ` is the string "pump". Problems are reported at start-up, all at once.

Benthos replaces ` + "`${name}`" + ` in config files with environment variables before this processor
sees them, so inside a JavaScript template literal write ` + "`${{name}}`" + ` for a bare alias: the
mapping ` + "`` '`T=${{tF}}`' ``" + ` becomes the expression ` + "`` `T=${tF}` ``" + `. Placeholders that are not a bare
name, such as ` + "`${tF * 2}`" + `, are left alone. Configs built in code use the plain form.

### Inputs without output

Every input that produces no output is counted in ` + "`messages_rejected`" + ` with a ` + "`reason`" + ` label and
logged (at most once per 10 s per reason and, for source topics, per topic, with the count of suppressed lines):
` + "`missing_topic`" + ` (no ` + "`umh_topic`" + ` metadata; warning), ` + "`invalid_payload`" + ` (not a valid timeseries payload;
warning; the state is unchanged), ` + "`unknown_topic`" + ` (not a source; debug) and ` + "`no_output`" + ` (the value
was stored but no mapping fired; debug). With ` + "`on_reject: error`" + ` the first two are passed on with
their error flag set, for a dead-letter route:

` + "```yaml" + `
output:
  switch:
    cases:
      - check: errored()
        output: { file: { path: ./dead-letter.jsonl, codec: lines } }
      - output: { stdout: {} }
` + "```" + `

### State that survives restarts

With ` + "`state_cache`" + ` set to the label of a cache resource, every batch writes the latest value of each
alias it updated to the cache before the batch is acknowledged (or, with ` + "`state_cache_interval`" + `, a
background writer does so periodically), under the key
` + "`<state_cache_prefix><alias>`" + `, as ` + "`" + `{"topic": "<source topic>", "value": <value>, "timestamp_ms": <int>}` + "`" + `.
At start-up the processor reads these entries back, so a mapping fires as soon as any one of its inputs
updates. An entry that is unreadable, malformed or recorded for another topic is skipped with a
warning: that alias starts empty. The cache must not expire entries (e.g. no ` + "`default_ttl`" + `
shorter than the slowest source's update interval).`

// ConfigSpec describes the `stream_processor` config block.
func ConfigSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Mapping", "Utility").
		Summary("Computes UNS data-model outputs from the latest values of several source topics with JavaScript expressions.").
		Description(specDescription).
		Fields(
			service.NewStringField(processor.FieldMode).
				Description("Processing mode. Only `timeseries` is supported.").
				Default(processor.ModeTimeseries),
			service.NewStringField(processor.FieldOutputTopic).
				Description("Topic prefix of every output.").
				Example("umh.v1.corpA.plant-A.aawd"),
			service.NewObjectField(processor.FieldModel,
				service.NewStringField(processor.FieldModelName).Description("Data-model name, part of the output topic.").Example("pump"),
				service.NewStringField(processor.FieldModelVer).Description("Data-model version, part of the output topic.").Example("v1"),
			).Description("The data model (contract) the outputs belong to."),
			service.NewStringField(processor.FieldDataModels).
				Description("Path of a YAML file with UMH data models (top-level `dataModels:`, or `datamodels:`) and optional custom payload shapes (`payloadShapes:`); a UMH Core config.yaml works as it is. A relative path is taken from the working directory, like other file paths of a Benthos config. The model named by `model` is resolved in it, `_refModel` references followed. Start-up then fails when a mapping path is not a field of the model (the error lists the fields and suggests the closest) or when a mapping can never give a value of its field's payload shape (a template literal into `timeseries-number`); fields no mapping fills are logged as one warning. At run time a result that does not match its field's shape (`timeseries-number`, `timeseries-string`, `timeseries-boolean`, or a custom shape's object with exactly its fields and types) is not emitted; it is counted in `mapping_errors` with reason `shape_mismatch` and logged, rate-limited.").
				Example("./data-models.yaml").
				Optional(),
			service.NewStringMapField(processor.FieldSources).
				Description("Alias → exact UNS topic. Aliases are the variable names the mappings use; they must be JavaScript identifiers and may not shadow globals such as `Math`. Several aliases may name the same topic; a message on it updates all of them.").
				Example(map[string]any{"press": "umh.v1.corpA.plant-A.aawd._raw.press", "tF": "umh.v1.corpA.plant-A.aawd._raw.tempF"}),
			service.NewAnyField(processor.FieldMapping).
				Description("Nested object whose leaves are JavaScript expressions. Nested keys join with `.` into the virtual path that ends the output topic. Numbers and booleans are used as expressions as written; quote string constants inside the YAML value (`'\"pump\"'`); in template literals write `${{alias}}` for `${alias}` (Benthos environment-variable escape).").
				Example(map[string]any{"pressure": "press + 4.00001", "motor": map[string]any{"rpm": "press / 4"}, "deviceType": `"pump"`}).
				Optional(),
			service.NewStringAnnotatedEnumField(fieldOnReject, map[string]string{
				onRejectDrop:  "Consume them; they are still counted in `messages_rejected` (label `reason`) and logged, rate-limited, with topic and reason.",
				onRejectError: "Pass inputs with a missing `umh_topic` or an invalid payload on, unchanged, with their error flag set, so that `catch`, `switch` with `errored()` or a `reject_errored` output can dead-letter them; `error()` names the reason and topic. Inputs on other topics and inputs that only update the state are consumed as with `drop`.",
			}).
				Description("What happens to inputs the processor cannot use.").
				Default(onRejectDrop),
			service.NewStringField(fieldStateCache).
				Description("Label of a cache resource that keeps the last value of every source alias across restarts: written at the end of every batch that updated it, read back at start-up.").
				Example("stream_state").
				Optional(),
			service.NewStringField(fieldStateKeyPrefix).
				Description("Prefix of the cache key of every alias (the key is the prefix followed by the alias). Defaults to `<output_topic>._<model.name>_<model.version>.state.`; set it to keep the state when the model version changes.").
				Optional().
				Advanced(),
			service.NewDurationField(fieldStateInterval).
				Description("How the state cache is written. `0s`: at the end of every batch, for the aliases the batch updated, before the batch is acknowledged (no acknowledged value is lost in a crash; each batch waits for the cache). A positive duration: a background writer stores the aliases updated since its last run at most this often, and once more when the processor closes; a crash loses at most that much of the latest values, but a slow cache (such as `file`, or a remote one under small batches) no longer slows the pipeline.").
				Default("0s").
				Example("1s").
				Advanced(),
			service.NewDurationField(processor.FieldTimeout).
				Description("Longest time one evaluation may take in the sandboxed JavaScript engine (at most 1s); longer ones are interrupted, tried once more, and produce no output.").
				Default("100ms").
				Advanced(),
			service.NewStringAnnotatedEnumField(processor.FieldEngine, map[string]string{
				engineAuto: "Compiled expr bytecode where it reproduces JavaScript exactly, the goja sandbox otherwise.",
				engineGoja: "Every evaluation in the goja sandbox (the reference; slower).",
			}).
				Description("How expressions are evaluated. Both give identical results.").
				Default(engineAuto).
				Advanced(),
		).
		Example("Pump model",
			"Derives pressure, temperature and motor values of a pump from three raw topics.",
			"\npipeline:\n  processors:\n    - stream_processor:\n"+indent(examplePumpConfig, "        "))
}

// examplePumpConfig is the body of the spec's example (tested in plugin_test.go).
const examplePumpConfig = `output_topic: umh.v1.corpA.plant-A.aawd
model:
  name: pump
  version: v1
sources:
  press: umh.v1.corpA.plant-A.aawd._raw.press
  tF: umh.v1.corpA.plant-A.aawd._raw.tempF
  r: umh.v1.corpA.plant-A.aawd._raw.run
mapping:
  pressure: press + 4.00001
  temperature: (tF - 32) * 5 / 9
  combined: press + tF
  motor:
    rpm: press / 4
    label: '` + "`rpm=${press / 4} at ${{tF}}°F`" + `'
  serialNumber: '"SN-P42-008"'
`

// indent prefixes every non-empty line of s with pad.
func indent(s, pad string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n")
}
