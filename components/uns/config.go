package uns

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/redpanda-data/benthos/v4/public/service"
)

// Defaults of the fields shared by the input and the output.
const (
	defaultBroker     = "localhost:9092"
	defaultKafkaTopic = "umh.messages"
	defaultGroup      = "unsproc"
	defaultMaxBatch   = 1000
	defaultBridgedBy  = "umh-core"
)

// Field names, as benthos-umh spells them. `topic` is benthos-umh's former name of
// `umh_topic`, still accepted there: it names the UNS topic, not the Kafka topic.
const (
	fieldBrokers   = "broker_address"
	fieldKafka     = "kafka_topic"
	fieldTopic     = "topic"
	fieldUMHTopic  = "umh_topic"
	fieldUMHTopics = "umh_topics"
	fieldGroup     = "consumer_group"
	fieldMaxBatch  = "max_batch_records"
	fieldBridgedBy = "bridged_by"
	fieldBatching  = "batching"
)

// metaUMHTopic is the metadata key holding the UNS topic, the record key.
const metaUMHTopic = "umh_topic"

func brokersField() *service.ConfigField {
	return service.NewStringField(fieldBrokers).
		Description("The Kafka (Redpanda) bootstrap brokers, comma-separated.").
		Example("localhost:9092").
		Example("redpanda-0:9092,redpanda-1:9092").
		Default(defaultBroker)
}

func kafkaTopicField(role string) *service.ConfigField {
	return service.NewStringField(fieldKafka).
		Description("The Kafka topic the UNS lives in, " + role + ".").
		Advanced().
		Default(defaultKafkaTopic)
}

// deprecatedTopicField is `topic`, the former name of `umh_topic`.
func deprecatedTopicField(field *service.ConfigField) *service.ConfigField {
	return field.Description("The former name of `umh_topic`, accepted so that older benthos-umh configs run unchanged. Not together with `umh_topic`.").
		Deprecated().
		Optional()
}

// notBoth is the lint rule refusing two fields that name the same thing.
func notBoth(a, b string) string {
	return `root = if this.` + a + ` != null && this.` + b + ` != null { [ "set ` + a + ` or ` + b + `, not both" ] }`
}

func inputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Reads the Unified Namespace from Kafka: the records of one topic whose key is the UNS topic.").
		Description(`
Consumes the Kafka topic ` + "`kafka_topic`" + ` (UMH Core's ` + "`umh.messages`" + `) with the consumer group
` + "`consumer_group`" + `, starting at the oldest record when the group has no committed offset.
Records whose key (the UNS topic) matches none of the regular expressions of
` + "`umh_topics`" + ` (or the one of ` + "`umh_topic`" + `) are skipped; without either, every record
is read. The expressions are unanchored: ` + "`^…$`" + ` makes one match whole keys only.

Each poll of the broker becomes one batch of at most ` + "`max_batch_records`" + ` messages.
Delivery is at least once: a record's offset is committed only after Benthos has
acknowledged its batch and every batch read before it, and a batch that the pipeline
rejects is delivered again. After a crash, the batches read since the last commit are
read again.

While the brokers are unreachable the input logs it (at most once per 10 seconds per
kind of problem) and retries with a growing back-off; it resumes when they return.

### Metadata

- ` + "`umh_topic`" + `: the record key, the UNS topic.
- ` + "`kafka_msg_key`" + `: the record key.
- ` + "`kafka_topic`" + `, ` + "`kafka_partition`" + `, ` + "`kafka_offset`" + `: where the record is.
- ` + "`kafka_timestamp_ms`" + `: the record's timestamp in milliseconds since the epoch.
- every record header, under its own name.`).
		Field(brokersField()).
		Field(service.NewStringListField(fieldUMHTopics).
			Description("Regular expressions (RE2) matched against the record key; a record is read when one matches. Not together with `umh_topic`.").
			Example([]string{`umh\.v1\.corpA\.plant-A\.aawd\._raw\..*`}).
			Optional()).
		Field(service.NewStringField(fieldUMHTopic).
			Description("One regular expression matched against the record key. Not together with `umh_topics`.").
			Example(`umh\.v1\..+`).
			Optional()).
		Field(deprecatedTopicField(service.NewStringField(fieldTopic))).
		Field(service.NewStringField(fieldGroup).
			Description("The Kafka consumer group; its committed offsets say where a restarted instance goes on.").
			Default(defaultGroup)).
		Field(kafkaTopicField("read from")).
		Field(service.NewIntField(fieldMaxBatch).
			Description("The most records one batch holds.").
			Advanced().
			Default(defaultMaxBatch)).
		LintRule(`root = [
  if this.` + fieldUMHTopic + `.or(this.` + fieldTopic + `) != null && this.` + fieldUMHTopics + `.or([]).length() > 0 { "set umh_topic or umh_topics, not both" },
  if this.` + fieldUMHTopic + ` != null && this.` + fieldTopic + ` != null { "set umh_topic or topic, not both" },
].filter(x -> x != null)`)
}

func outputSpec() *service.ConfigSpec {
	return service.NewConfigSpec().
		Beta().
		Categories("Services").
		Summary("Writes messages to the Unified Namespace in Kafka: key = UNS topic, value = payload, headers = metadata.").
		Description(`
Produces each message as a record of the Kafka topic ` + "`kafka_topic`" + ` (UMH Core's
` + "`umh.messages`" + `). The key is the UNS topic: the ` + "`umh_topic`" + ` field when set, else the
message's ` + "`umh_topic`" + ` metadata; as in benthos-umh, every character of it other than
ASCII letters, digits, ` + "`.`" + `, ` + "`_`" + ` and ` + "`-`" + ` becomes ` + "`_`" + `. A message without a UNS topic
is not written; it fails with an error that Benthos' error handling sees (for example a
` + "`fallback`" + ` output), while the other messages of its batch are written. Every metadata
entry except those starting with ` + "`kafka_`" + ` becomes a record header, and a
` + "`bridged_by`" + ` header names the writer.

The producer is idempotent and waits until all in-sync replicas have a batch before it
is acknowledged. While the brokers are unreachable the output logs it (at most once
per 10 seconds per kind of problem), holds the batch and retries with a growing
back-off; it resumes when they return.`).
		Field(brokersField()).
		Field(service.NewInterpolatedStringField(fieldUMHTopic).
			Description("The UNS topic, the record key. By default the message's `umh_topic` metadata.").
			Example(`${! meta("umh_topic") }`).
			Optional()).
		Field(deprecatedTopicField(service.NewInterpolatedStringField(fieldTopic))).
		Field(service.NewStringField(fieldBridgedBy).
			Description("The value of the `bridged_by` header added to every record (UMH's traceability header), in place of one the message carries in its metadata; empty: no header of its own.").
			Advanced().
			Default(defaultBridgedBy)).
		Field(kafkaTopicField("written to")).
		Field(service.NewOutputMaxInFlightField()).
		Field(service.NewBatchPolicyField(fieldBatching)).
		LintRule(notBoth(fieldUMHTopic, fieldTopic))
}

// parseBrokers splits the comma-separated broker_address field.
func parseBrokers(conf *service.ParsedConfig) ([]string, error) {
	raw, err := conf.FieldString(fieldBrokers)
	if err != nil {
		return nil, err
	}
	var brokers []string
	for _, b := range strings.Split(raw, ",") {
		if b = strings.TrimSpace(b); b != "" {
			brokers = append(brokers, b)
		}
	}
	if len(brokers) == 0 {
		return nil, fmt.Errorf("%s %q names no broker", fieldBrokers, raw)
	}
	return brokers, nil
}

// umhTopicField is the field that names the UNS topic: umh_topic, or its former name
// topic, or "" when neither is set.
func umhTopicField(conf *service.ParsedConfig) (string, error) {
	switch one, old := conf.Contains(fieldUMHTopic), conf.Contains(fieldTopic); {
	case one && old:
		return "", errors.New("set umh_topic or topic, not both")
	case one:
		return fieldUMHTopic, nil
	case old:
		return fieldTopic, nil
	}
	return "", nil
}

// parseFilters compiles umh_topics or umh_topic (or its former name topic); none (or an
// empty list) means every key.
func parseFilters(conf *service.ParsedConfig) ([]*regexp.Regexp, error) {
	var list []string
	if conf.Contains(fieldUMHTopics) {
		var err error
		if list, err = conf.FieldStringList(fieldUMHTopics); err != nil {
			return nil, err
		}
	}
	patterns := list
	field, err := umhTopicField(conf)
	switch {
	case err != nil:
		return nil, err
	case len(list) > 0 && field != "":
		return nil, fmt.Errorf("set %s or umh_topics, not both", field)
	case field != "":
		one, err := conf.FieldString(field)
		if err != nil {
			return nil, err
		}
		patterns = []string{one}
	}
	filters := make([]*regexp.Regexp, 0, len(patterns))
	for i, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("umh topic pattern %d %q: %w", i, p, err)
		}
		filters = append(filters, re)
	}
	return filters, nil
}
