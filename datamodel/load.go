package datamodel

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is a problem in a models file: what, and where.
type Error struct {
	File  string // the file's name as given to Load or Parse
	Line  int    // the line in the file; 0 when unknown
	Where string // the model, version and field, e.g. `model "pump" v1, field motor.rpm`; may be empty
	Msg   string
}

// Error gives file:line, the place and the problem.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// File is a loaded models file: its payload shapes and data models, checked against
// the structural rules (see the package documentation).
type File struct {
	name   string
	shapes map[string]*Shape
	models map[string]*modelDef
}

// modelDef is one entry of dataModels.
type modelDef struct {
	name     string
	versions map[string]*versionDef // by canonical version key (v1_0)
}

// versionDef is one version of a model: its structure as a tree of fields.
type versionDef struct {
	key       string // as written
	structure []*node
}

// node is a field of a structure: a leaf (shape or ref set) or a folder (children).
type node struct {
	name     string
	line     int
	shape    string
	ref      *modelRef
	children []*node // sorted by name
}

// modelRef is a _refModel.
type modelRef struct {
	name, version string
	line          int
}

// Load reads and checks the models file at path.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the data models file: %w", err)
	}
	return Parse(path, data)
}

// Parse checks a models file's content; name is used in errors.
func Parse(name string, data []byte) (*File, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{File: name, Msg: "invalid YAML: " + err.Error()}
	}
	f := &File{name: name, shapes: builtinShapes(), models: map[string]*modelDef{}}
	if len(doc.Content) == 0 {
		return nil, &Error{File: name, Msg: "the file is empty (expected a top-level dataModels: list)"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, f.errorf(root, "", "the top level must be a mapping with a dataModels: key")
	}
	var models, shapes *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "dataModels", "datamodels":
			if models != nil {
				return nil, f.errorf(root.Content[i], "", "dataModels appears twice (it may be spelled dataModels or datamodels, once)")
			}
			models = root.Content[i+1]
		case "payloadShapes", "payloadshapes":
			if shapes != nil {
				return nil, f.errorf(root.Content[i], "", "payloadShapes appears twice (it may be spelled payloadShapes or payloadshapes, once)")
			}
			shapes = root.Content[i+1]
		}
	}
	if models == nil {
		return nil, f.errorf(root, "", "no dataModels: key at the top level")
	}
	if shapes != nil {
		if err := f.parseShapes(shapes); err != nil {
			return nil, err
		}
	}
	if err := f.parseModels(models); err != nil {
		return nil, err
	}
	return f, nil
}

func (f *File) errorf(n *yaml.Node, where, format string, args ...any) *Error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &Error{File: f.name, Line: line, Where: where, Msg: fmt.Sprintf(format, args...)}
}

// pairs returns the key and value nodes of a mapping node, or an error naming what
// it should have been.
func (f *File) pairs(n *yaml.Node, where, what string) ([][2]*yaml.Node, error) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, f.errorf(n, where, "%s must be a mapping", what)
	}
	out := make([][2]*yaml.Node, 0, len(n.Content)/2)
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if seen[k.Value] {
			return nil, f.errorf(k, where, "key %q appears twice in %s", k.Value, what)
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, n.Content[i+1]})
	}
	return out, nil
}

// scalar returns a scalar node's value, or an error.
func (f *File) scalar(n *yaml.Node, where, what string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Value == "" || n.Tag == "!!null" {
		return "", f.errorf(n, where, "%s must be a non-empty string", what)
	}
	return n.Value, nil
}

func (f *File) parseModels(list *yaml.Node) error {
	if list.Kind != yaml.SequenceNode {
		return f.errorf(list, "", "dataModels must be a list of models (- name: …, version: {v1: {structure: …}})")
	}
	for _, entry := range list.Content {
		pairs, err := f.pairs(entry, "", "a dataModels entry")
		if err != nil {
			return err
		}
		m := &modelDef{versions: map[string]*versionDef{}}
		var versions *yaml.Node
		for _, kv := range pairs {
			switch kv[0].Value {
			case "name":
				if m.name, err = f.scalar(kv[1], "", "a model's name"); err != nil {
					return err
				}
			case "description":
			case "version":
				versions = kv[1]
			default:
				return f.errorf(kv[0], "", "unknown key %q in a dataModels entry (expected name, description, version)", kv[0].Value)
			}
		}
		if m.name == "" {
			return f.errorf(entry, "", "a dataModels entry has no name")
		}
		where := fmt.Sprintf("model %q", m.name)
		if f.models[m.name] != nil {
			return f.errorf(entry, where, "defined twice")
		}
		if versions == nil {
			return f.errorf(entry, where, "no version: mapping (expected version: {v1: {structure: …}})")
		}
		vpairs, err := f.pairs(versions, where, "version")
		if err != nil {
			return err
		}
		for _, kv := range vpairs {
			key := kv[0].Value
			canon, ok := canonicalVersion(key)
			if !ok {
				return f.errorf(kv[0], where, "invalid version key %q (expected v<major> or v<major>_<minor>, e.g. v1 or v1_1)", key)
			}
			if other, dup := m.versions[canon]; dup {
				return f.errorf(kv[0], where, "version %s is the same version as %s", key, other.key)
			}
			v := &versionDef{key: key}
			vwhere := fmt.Sprintf("model %q %s", m.name, key)
			spairs, err := f.pairs(kv[1], vwhere, "a version")
			if err != nil {
				return err
			}
			var structure *yaml.Node
			for _, s := range spairs {
				if s[0].Value != "structure" {
					return f.errorf(s[0], vwhere, "unknown key %q in a version (expected structure)", s[0].Value)
				}
				structure = s[1]
			}
			if structure == nil {
				return f.errorf(kv[0], vwhere, "no structure:")
			}
			if v.structure, err = f.parseFields(structure, vwhere, ""); err != nil {
				return err
			}
			m.versions[canon] = v
		}
		f.models[m.name] = m
	}
	return nil
}

// parseFields reads the fields of a structure or folder; version names the model
// version for errors, prefix is the folder's path.
func (f *File) parseFields(n *yaml.Node, version, prefix string) ([]*node, error) {
	pairs, err := f.pairs(n, version, "a structure")
	if err != nil {
		return nil, err
	}
	var out []*node
	for _, kv := range pairs {
		name := kv[0].Value
		path := joinPath(prefix, name)
		if name == "" || strings.Contains(name, ".") || strings.HasPrefix(name, "_") {
			return nil, f.errorf(kv[0], fieldWhere(version, path), "invalid field name %q (a name is not empty, has no '.' and does not start with '_', which marks _payloadshape and _refModel)", name)
		}
		fn, err := f.parseField(kv[1], version, path)
		if err != nil {
			return nil, err
		}
		fn.name, fn.line = name, kv[0].Line
		out = append(out, fn)
	}
	slices.SortFunc(out, func(a, b *node) int { return strings.Compare(a.name, b.name) })
	return out, nil
}

// parseField reads one field: a leaf or a folder.
func (f *File) parseField(n *yaml.Node, version, path string) (*node, error) {
	where := fieldWhere(version, path)
	pairs, err := f.pairs(n, where, "a field")
	if err != nil {
		return nil, err
	}
	fn := &node{}
	var sub []*yaml.Node // key and value nodes of the sub-fields, as a mapping
	for _, kv := range pairs {
		switch kv[0].Value {
		case "_payloadshape":
			if fn.shape, err = f.scalar(kv[1], where, "_payloadshape"); err != nil {
				return nil, err
			}
			if _, ok := f.shapes[fn.shape]; !ok {
				return nil, f.errorf(kv[1], where, "referenced payload shape '%s' does not exist (built-in: timeseries-number, timeseries-string, timeseries-boolean; custom ones go under payloadShapes:)", fn.shape)
			}
		case "_refModel":
			if fn.ref, err = f.parseRef(kv[1], where); err != nil {
				return nil, err
			}
		default:
			if strings.HasPrefix(kv[0].Value, "_") {
				return nil, f.errorf(kv[0], where, "unsupported key %q (a field has _payloadshape or _refModel, or sub-fields)", kv[0].Value)
			}
			sub = append(sub, kv[0], kv[1])
		}
	}
	switch {
	case fn.shape != "" && fn.ref != nil:
		return nil, f.errorf(n, where, "field cannot have both _payloadshape and _refModel")
	case len(sub) > 0 && fn.shape != "":
		return nil, f.errorf(n, where, "non-leaf nodes (folders) cannot have _payloadshape")
	case len(sub) > 0 && fn.ref != nil:
		return nil, f.errorf(n, where, "non-leaf nodes (folders) cannot have _refModel")
	case len(sub) == 0 && fn.shape == "" && fn.ref == nil:
		return nil, f.errorf(n, where, "leaf nodes must contain _payloadshape or _refModel (or give the field sub-fields to make it a folder)")
	case len(sub) > 0:
		folder := &yaml.Node{Kind: yaml.MappingNode, Line: n.Line, Content: sub}
		if fn.children, err = f.parseFields(folder, version, path); err != nil {
			return nil, err
		}
	}
	return fn, nil
}

func (f *File) parseRef(n *yaml.Node, where string) (*modelRef, error) {
	pairs, err := f.pairs(n, where, "_refModel")
	if err != nil {
		return nil, err
	}
	ref := &modelRef{line: n.Line}
	for _, kv := range pairs {
		switch kv[0].Value {
		case "name":
			ref.name, err = f.scalar(kv[1], where, "_refModel name")
		case "version":
			ref.version, err = f.scalar(kv[1], where, "_refModel version")
		default:
			err = f.errorf(kv[0], where, "unknown key %q in _refModel (expected name and version)", kv[0].Value)
		}
		if err != nil {
			return nil, err
		}
	}
	if ref.name == "" || ref.version == "" {
		return nil, f.errorf(n, where, "_refModel needs a name and a version")
	}
	if _, ok := canonicalVersion(ref.version); !ok {
		return nil, f.errorf(n, where, "_refModel version %q is not a version key (v<major> or v<major>_<minor>)", ref.version)
	}
	return ref, nil
}

// versionKey is UMH's version key: v<major> or v<major>_<minor>, major from 1, no
// leading zeros except a minor of 0.
var versionKey = regexp.MustCompile(`^v([1-9][0-9]*)(?:_(0|[1-9][0-9]*))?$`)

// canonicalVersion returns key with its minor spelled out (v1 → v1_0).
func canonicalVersion(key string) (string, bool) {
	m := versionKey.FindStringSubmatch(key)
	if m == nil {
		return "", false
	}
	minor := m[2]
	if minor == "" {
		minor = "0"
	}
	return "v" + m[1] + "_" + minor, true
}

// fieldWhere names a field of a model version (or a shape) for errors.
func fieldWhere(owner, path string) string { return owner + ", field " + path }

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
