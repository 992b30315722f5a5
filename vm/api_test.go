package vm

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hiddenImports are the packages whose types must not appear in vm's exported API: the
// engines and vm's own internal rooms.
var hiddenImports = []string{"github.com/dop251/goja", "github.com/expr-lang/expr", "github.com/unsproc/unsproc/vm/internal/"}

// TestAPICarriesNoEngineTypes: no exported function, method, type or field of vm names
// a type of goja, of expr or of vm's internal packages, so callers need neither engine.
func TestAPICarriesNoEngineTypes(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		require.NoError(t, err)
		hidden := map[string]bool{}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			local := path[strings.LastIndex(path, "/")+1:]
			if imp.Name != nil {
				local = imp.Name.Name
			}
			for _, h := range hiddenImports {
				if strings.HasPrefix(path, h) {
					hidden[local] = true
				}
			}
		}
		for _, e := range exportedTypeExprs(f) {
			checked++
			ast.Inspect(e, func(n ast.Node) bool {
				if sel, ok := n.(*ast.SelectorExpr); ok {
					if id, ok := sel.X.(*ast.Ident); ok && hidden[id.Name] {
						assert.Fail(t, "an engine type in vm's API", "%s: %s.%s", name, id.Name, sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
	assert.Greater(t, checked, 10, "the API was found")
}

// exportedTypeExprs returns the type expressions of f's exported API: the signatures of
// exported functions and of exported methods of exported types, and the definitions of
// exported types without their unexported fields.
func exportedTypeExprs(f *ast.File) []ast.Expr {
	var out []ast.Expr
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() || (d.Recv != nil && !exportedReceiver(d.Recv)) {
				continue
			}
			out = append(out, d.Type)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				ts, ok := s.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					continue
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					out = append(out, ts.Type)
					continue
				}
				for _, field := range st.Fields.List {
					if len(field.Names) == 0 || field.Names[0].IsExported() {
						out = append(out, field.Type)
					}
				}
			}
		}
	}
	return out
}

// exportedReceiver reports whether a method's receiver type is exported.
func exportedReceiver(recv *ast.FieldList) bool {
	t := recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	id, ok := t.(*ast.Ident)
	return ok && id.IsExported()
}
