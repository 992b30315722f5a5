package processor

import (
	"fmt"
	"strings"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/datamodel"
)

// MismatchError says why a mapping's result was not emitted: it does not match the
// shape of its field in the data model.
type MismatchError struct {
	Field string // the field's path
	Err   error  // what does not match, from datamodel.Shape.Check
}

// Error names the field and the mismatch.
func (e *MismatchError) Error() string {
	return fmt.Sprintf("result does not fit data model field %s: %v", e.Field, e.Err)
}

// Unwrap returns the mismatch.
func (e *MismatchError) Unwrap() error { return e.Err }

// ModelField is a field of the configured data model and the mapping that fills it.
type ModelField struct {
	Path   string
	Shape  string // the payload shape's name
	Mapped bool   // a mapping has this path
}

// ModelCoverage lists the fields of the data model a config names, with the mappings
// that fill them.
type ModelCoverage struct {
	File    string // the data models file
	Fields  []ModelField
	Unknown []string // mapping paths that are not fields of the model
}

// Mapped counts the fields a mapping fills.
func (c *ModelCoverage) Mapped() int {
	n := 0
	for _, f := range c.Fields {
		if f.Mapped {
			n++
		}
	}
	return n
}

// Unmapped lists the paths of the fields no mapping fills.
func (c *ModelCoverage) Unmapped() []string {
	var out []string
	for _, f := range c.Fields {
		if !f.Mapped {
			out = append(out, f.Path)
		}
	}
	return out
}

// loadModel loads cfg's data models file and resolves cfg.Model in it; nil without a
// file.
func loadModel(cfg Config) (*datamodel.Model, error) {
	if cfg.DataModelsFile == "" {
		return nil, nil
	}
	f, err := datamodel.Load(cfg.DataModelsFile)
	if err != nil {
		return nil, fmt.Errorf("data_models_file: %w", err)
	}
	m, err := f.Resolve(cfg.Model.Name, cfg.Model.Version)
	if err != nil {
		return nil, fmt.Errorf("data_models_file: model %s %s: %w", cfg.Model.Name, cfg.Model.Version, err)
	}
	return m, nil
}

// coverage describes which fields of model the mapping paths fill.
func coverage(file string, model *datamodel.Model, paths []string) *ModelCoverage {
	c := &ModelCoverage{File: file}
	mapped := make(map[string]bool, len(paths))
	for _, p := range paths {
		mapped[p] = true
		if _, ok := model.Field(p); !ok {
			c.Unknown = append(c.Unknown, p)
		}
	}
	for _, f := range model.Fields {
		c.Fields = append(c.Fields, ModelField{Path: f.Path, Shape: f.Shape.Name, Mapped: mapped[f.Path]})
	}
	return c
}

// fieldFor returns the field of model a mapping at path with program prog writes,
// or an error when there is none or the program's results can never match its shape.
func fieldFor(model *datamodel.Model, path string, prog *compiler.Program) (datamodel.Field, error) {
	field, ok := model.Field(path)
	if !ok {
		return field, fmt.Errorf("%q is not a field of data model %s %s (hint: did you mean %q? fields: %s)",
			path, model.Name, model.Version, model.Closest(path), strings.Join(model.Paths(), ", "))
	}
	want := shapeKinds(field.Shape)
	if got := prog.ResultKinds(); got&want == 0 {
		return field, fmt.Errorf("the expression gives %s, never the %s value field %s (%s) expects (hint: convert it, e.g. Number(x) or String(x), or map another field)",
			got, field.Shape.Kind(), path, field.Shape.Name)
	}
	return field, nil
}

// shapeKinds are the result kinds that can match a shape.
func shapeKinds(s *datamodel.Shape) compiler.ResultKinds {
	switch s.Kind() {
	case datamodel.TypeNumber:
		return compiler.ResultNumber
	case datamodel.TypeString:
		return compiler.ResultString
	case datamodel.TypeBoolean:
		return compiler.ResultBoolean
	}
	return compiler.ResultObject
}
