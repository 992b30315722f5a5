package datamodel

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/unsproc/unsproc/internal/editdistance"
)

// Model is one version of a data model with its references followed: the fields a
// stream processor may write.
type Model struct {
	Name    string
	Version string  // as requested
	Fields  []Field // sorted by path
	byPath  map[string]int
}

// Field is a field of a resolved model.
type Field struct {
	Path  string // dot-joined, e.g. motor.rpm
	Shape *Shape
	Line  int // where the field is defined in the file
}

// Resolve returns the fields of model name at version (v1 and v1_0 name the same
// version), following _refModel. A missing model or version and a reference cycle are
// errors that name the chain of references.
func (f *File) Resolve(name, version string) (*Model, error) {
	m := &Model{Name: name, Version: version, byPath: map[string]int{}}
	if err := f.collect(m, name, version, "", nil, 0); err != nil {
		return nil, err
	}
	slices.SortFunc(m.Fields, func(a, b Field) int { return strings.Compare(a.Path, b.Path) })
	for i, fl := range m.Fields {
		m.byPath[fl.Path] = i
	}
	return m, nil
}

// collect appends the fields of name at version under prefix; chain lists the
// model versions being resolved, outermost first, and line is where the reference
// was made (0 for the requested model).
func (f *File) collect(m *Model, name, version, prefix string, chain []string, line int) error {
	here := name + " " + version
	canon, ok := canonicalVersion(version)
	if !ok {
		return &Error{File: f.name, Line: line, Where: chainWhere(chain), Msg: fmt.Sprintf("version %q of model %q is not a version key (v<major> or v<major>_<minor>, e.g. v1)", version, name)}
	}
	for _, c := range chain {
		if cn, cv, _ := strings.Cut(c, " "); cn == name && sameVersion(cv, canon) {
			return &Error{File: f.name, Line: line, Where: chainWhere(chain), Msg: "model reference cycle: " + strings.Join(append(chain, here), " → ")}
		}
	}
	def := f.models[name]
	if def == nil {
		known := "the file defines none"
		if len(f.models) > 0 {
			known = "models: " + strings.Join(slices.Sorted(maps.Keys(f.models)), ", ")
		}
		return &Error{File: f.name, Line: line, Where: chainWhere(chain), Msg: fmt.Sprintf("model %q does not exist (%s)", name, known)}
	}
	v := def.versions[canon]
	if v == nil {
		var keys []string
		for _, vd := range def.versions {
			keys = append(keys, vd.key)
		}
		slices.Sort(keys)
		return &Error{File: f.name, Line: line, Where: chainWhere(chain), Msg: fmt.Sprintf("model %q has no version %s (versions: %s)", name, version, strings.Join(keys, ", "))}
	}
	return f.collectNodes(m, v.structure, prefix, append(chain, here))
}

func (f *File) collectNodes(m *Model, nodes []*node, prefix string, chain []string) error {
	for _, n := range nodes {
		path := joinPath(prefix, n.name)
		switch {
		case n.shape != "":
			m.Fields = append(m.Fields, Field{Path: path, Shape: f.shapes[n.shape], Line: n.line})
		case n.ref != nil:
			if err := f.collect(m, n.ref.name, n.ref.version, path, chain, n.ref.line); err != nil {
				return err
			}
		default:
			if err := f.collectNodes(m, n.children, path, chain); err != nil {
				return err
			}
		}
	}
	return nil
}

// sameVersion reports whether version key v is the canonical key canon.
func sameVersion(v, canon string) bool {
	c, ok := canonicalVersion(v)
	return ok && c == canon
}

// chainWhere names the place of a reference error: the model version that makes it.
func chainWhere(chain []string) string {
	if len(chain) == 0 {
		return ""
	}
	name, version, _ := strings.Cut(chain[len(chain)-1], " ")
	return fmt.Sprintf("model %q %s", name, version)
}

// Field returns the field at path.
func (m *Model) Field(path string) (Field, bool) {
	i, ok := m.byPath[path]
	if !ok {
		return Field{}, false
	}
	return m.Fields[i], true
}

// Paths lists the field paths, sorted.
func (m *Model) Paths() []string {
	out := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		out[i] = f.Path
	}
	return out
}

// Closest returns the field path nearest to path by edit distance (the first in path
// order on a tie); "" when the model has no fields.
func (m *Model) Closest(path string) string {
	best, bestDist := "", -1
	for _, f := range m.Fields {
		if d := editdistance.Distance(path, f.Path); bestDist < 0 || d < bestDist {
			best, bestDist = f.Path, d
		}
	}
	return best
}
