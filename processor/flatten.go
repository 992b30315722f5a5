package processor

import (
	"fmt"
	"slices"
	"strings"
)

// leaf is one flattened mapping: its virtual path and expression text.
type leaf struct {
	path string
	src  string
}

// flatten turns the nested mapping object into leaves sorted by virtual path
// (docs/behaviour.md#flattening). A string leaf is the expression; another scalar or
// a list becomes text with %v. Two leaves with the same path (a dotted key and a nesting) are an error.
func flatten(mapping map[string]any) ([]leaf, []error) {
	var leaves []leaf
	walkMapping(mapping, "", &leaves)
	slices.SortStableFunc(leaves, func(a, b leaf) int { return strings.Compare(a.path, b.path) })

	var problems []error
	for i := 1; i < len(leaves); i++ {
		if leaves[i].path == leaves[i-1].path && (i < 2 || leaves[i-2].path != leaves[i].path) {
			problems = append(problems, &MappingError{
				Path: leaves[i].path,
				Err:  fmt.Errorf("the path is defined more than once (a key containing dots collides with nested keys); keep one"),
			})
		}
	}
	return leaves, problems
}

func walkMapping(node map[string]any, prefix string, out *[]leaf) {
	for key, v := range node {
		path := prefix + key
		switch x := v.(type) {
		case string:
			*out = append(*out, leaf{path: path, src: x})
		case map[string]any:
			walkMapping(x, path+".", out)
		default:
			*out = append(*out, leaf{path: path, src: fmt.Sprintf("%v", x)})
		}
	}
}
