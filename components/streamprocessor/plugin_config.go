package streamprocessor

import (
	"fmt"
	"time"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/processor"
)

// ConfigFromParsed reads a Config from a parsed `stream_processor` block (see
// ConfigSpec). It does not validate: New reports every problem at once. Only values of
// the wrong type fail here.
func ConfigFromParsed(conf *service.ParsedConfig) (processor.Config, error) {
	var (
		cfg processor.Config
		err error
	)
	stringFields := []struct {
		dst  *string
		path []string
	}{
		{&cfg.Mode, []string{processor.FieldMode}},
		{&cfg.OutputTopic, []string{processor.FieldOutputTopic}},
		{&cfg.Model.Name, []string{processor.FieldModel, processor.FieldModelName}},
		{&cfg.Model.Version, []string{processor.FieldModel, processor.FieldModelVer}},
	}
	for _, f := range stringFields {
		if *f.dst, err = conf.FieldString(f.path...); err != nil {
			return processor.Config{}, err
		}
	}
	if cfg.Sources, err = conf.FieldStringMap(processor.FieldSources); err != nil {
		return processor.Config{}, err
	}
	if conf.Contains(processor.FieldMapping) {
		raw, err := conf.FieldAny(processor.FieldMapping)
		if err != nil {
			return processor.Config{}, err
		}
		if raw != nil {
			m, err := stringKeys(raw, processor.FieldMapping)
			if err != nil {
				return processor.Config{}, err
			}
			obj, ok := m.(map[string]any)
			if !ok {
				return processor.Config{}, fmt.Errorf("field %s: expected an object of expressions, got %T", processor.FieldMapping, raw)
			}
			cfg.Mapping = obj
		}
	}
	if conf.Contains(processor.FieldDataModels) {
		if cfg.DataModelsFile, err = conf.FieldString(processor.FieldDataModels); err != nil {
			return processor.Config{}, err
		}
	}
	if cfg.Timeout, err = conf.FieldDuration(processor.FieldTimeout); err != nil {
		return processor.Config{}, err
	}
	engine, err := conf.FieldString(processor.FieldEngine)
	if err != nil {
		return processor.Config{}, err
	}
	switch engine {
	case engineAuto:
		cfg.Engine = compiler.EngineAuto
	case engineGoja:
		cfg.Engine = compiler.EngineGoja
	default:
		return processor.Config{}, fmt.Errorf("field %s: unknown engine %q (use %s or %s)", processor.FieldEngine, engine, engineAuto, engineGoja)
	}
	return cfg, nil
}

// stringKeys converts the YAML maps in v, which have map[any]any type when a key is
// not a string (`1: x`), into map[string]any with the keys formatted by %v, as the
// virtual path will show them. Two keys that format the same are an error.
func stringKeys(v any, path string) (any, error) {
	var out map[string]any
	switch m := v.(type) {
	case map[string]any:
		out = make(map[string]any, len(m))
		for k, el := range m {
			out[k] = el
		}
	case map[any]any:
		out = make(map[string]any, len(m))
		for k, el := range m {
			key := fmt.Sprint(k)
			if _, dup := out[key]; dup {
				return nil, fmt.Errorf("field %s: key %q appears twice", path, key)
			}
			out[key] = el
		}
	default:
		return v, nil
	}
	for k, el := range out {
		conv, err := stringKeys(el, path+"."+k)
		if err != nil {
			return nil, err
		}
		out[k] = conv
	}
	return out, nil
}

// pluginSettings are the fields of the block that only the Benthos plugin uses.
type pluginSettings struct {
	// deadLetter is on_reject: error: defective inputs are passed on flagged.
	deadLetter bool
	// stateCache is the label of the cache resource holding the state; "" for none.
	stateCache string
	// stateKeyPrefix starts the cache key of every alias.
	stateKeyPrefix string
	// stateInterval is how often a background writer stores the state; 0 writes at
	// the end of every batch.
	stateInterval time.Duration
}

// pluginSettingsFromParsed reads the plugin-only fields; cfg supplies the default
// state key prefix.
func pluginSettingsFromParsed(conf *service.ParsedConfig, cfg processor.Config) (pluginSettings, error) {
	var s pluginSettings
	onReject, err := conf.FieldString(fieldOnReject)
	if err != nil {
		return s, err
	}
	switch onReject {
	case onRejectDrop:
	case onRejectError:
		s.deadLetter = true
	default:
		return s, fmt.Errorf("field %s: unknown value %q (use %s or %s)", fieldOnReject, onReject, onRejectDrop, onRejectError)
	}
	if conf.Contains(fieldStateCache) {
		if s.stateCache, err = conf.FieldString(fieldStateCache); err != nil {
			return s, err
		}
	}
	if s.stateInterval, err = conf.FieldDuration(fieldStateInterval); err != nil {
		return s, err
	}
	if s.stateInterval < 0 {
		return s, fmt.Errorf("field %s: must not be negative, got %v", fieldStateInterval, s.stateInterval)
	}
	s.stateKeyPrefix = defaultStateKeyPrefix(cfg)
	if conf.Contains(fieldStateKeyPrefix) {
		if s.stateKeyPrefix, err = conf.FieldString(fieldStateKeyPrefix); err != nil {
			return s, err
		}
	}
	return s, nil
}

// defaultStateKeyPrefix is `<output_topic>._<model.name>_<model.version>.state.`: a
// processor's keys do not collide with those of another data model in the same cache.
func defaultStateKeyPrefix(cfg processor.Config) string { return cfg.TopicPrefix() + "state." }
