package processor

import (
	"fmt"

	"github.com/redpanda-data/benthos/v4/public/service"

	"github.com/unsproc/unsproc/compiler"
)

// ConfigFromParsed reads a Config from a parsed `stream_processor` block (see
// ConfigSpec). It does not validate: New reports every problem at once. Only values of
// the wrong type fail here.
func ConfigFromParsed(conf *service.ParsedConfig) (Config, error) {
	var (
		cfg Config
		err error
	)
	stringFields := []struct {
		dst  *string
		path []string
	}{
		{&cfg.Mode, []string{fieldMode}},
		{&cfg.OutputTopic, []string{fieldOutputTopic}},
		{&cfg.Model.Name, []string{fieldModel, fieldModelName}},
		{&cfg.Model.Version, []string{fieldModel, fieldModelVer}},
	}
	for _, f := range stringFields {
		if *f.dst, err = conf.FieldString(f.path...); err != nil {
			return Config{}, err
		}
	}
	if cfg.Sources, err = conf.FieldStringMap(fieldSources); err != nil {
		return Config{}, err
	}
	if conf.Contains(fieldMapping) {
		raw, err := conf.FieldAny(fieldMapping)
		if err != nil {
			return Config{}, err
		}
		switch m := raw.(type) {
		case nil:
		case map[string]any:
			cfg.Mapping = m
		default:
			return Config{}, fmt.Errorf("field %s: expected an object of expressions, got %T", fieldMapping, raw)
		}
	}
	if cfg.Timeout, err = conf.FieldDuration(fieldTimeout); err != nil {
		return Config{}, err
	}
	engine, err := conf.FieldString(fieldEngine)
	if err != nil {
		return Config{}, err
	}
	switch engine {
	case engineAuto:
		cfg.Engine = compiler.EngineAuto
	case engineGoja:
		cfg.Engine = compiler.EngineGoja
	default:
		return Config{}, fmt.Errorf("field %s: unknown engine %q (use %s or %s)", fieldEngine, engine, engineAuto, engineGoja)
	}
	return cfg, nil
}
