package main

import (
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// location is a line and column in a config file, both from 1; zero when unknown.
type location struct {
	Line, Column int
}

func nodeLocation(n *yaml.Node) location { return location{Line: n.Line, Column: n.Column} }

// fieldNode walks a block's YAML mapping along path (field names) and returns the key
// node of the deepest field found and whether the whole path was found: the place to
// report a problem with that field, or with the field missing from its parent.
func fieldNode(block *yaml.Node, path []string) (*yaml.Node, bool) {
	var key *yaml.Node
	n := block
	for _, name := range path {
		k, v := mapEntry(n, name)
		if k == nil {
			return key, false
		}
		key, n = k, v
	}
	return key, true
}

// mapEntry returns the key and value nodes of name in a YAML mapping, or nils.
func mapEntry(n *yaml.Node, name string) (key, value *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// mappingLeaves collects the expression nodes of a mapping object by virtual path.
func mappingLeaves(n *yaml.Node, prefix string, out map[string]*yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		path, v := prefix+n.Content[i].Value, n.Content[i+1]
		if v.Kind == yaml.MappingNode {
			mappingLeaves(v, path+".", out)
		} else {
			out[path] = v
		}
	}
}

// expressionLocation is where the byte offset of an expression lies in the file: n is
// the expression's YAML node and lines the file's lines. It is exact on one-line plain
// and quoted values and in literal blocks (|); elsewhere, and when the offset is
// unknown (-1), it is the value's start.
func expressionLocation(n *yaml.Node, lines []string, offset int) location {
	start := nodeLocation(n)
	if offset < 0 || offset > len(n.Value) {
		return start
	}
	before := n.Value[:offset]
	breaks := strings.Count(before, "\n")
	col := utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:])
	switch n.Style {
	case 0:
		if breaks == 0 {
			return location{n.Line, n.Column + col}
		}
	case yaml.SingleQuotedStyle, yaml.DoubleQuotedStyle:
		// Escapes make the text in the file longer than the value.
		if breaks == 0 && !strings.ContainsAny(before, `'"\`) {
			return location{n.Line, n.Column + 1 + col}
		}
	case yaml.LiteralStyle:
		// The value starts on the line after the indicator, at the block's indentation.
		first, line := n.Line, n.Line+breaks
		if line < len(lines) {
			text := lines[first]
			indent := len(text) - len(strings.TrimLeft(text, " "))
			return location{line + 1, indent + 1 + col}
		}
	}
	return start
}

// correspondingNode finds, in orig, the node that stands where the node at loc stands
// in copy, a tree of the same shape (orig marshalled and parsed again): the node, the
// field path leading to it (to its object, for a key) and whether it is a key. It
// returns a nil node when no node of copy is at loc.
func correspondingNode(orig, copy *yaml.Node, loc location, path []string) (*yaml.Node, []string, bool) {
	if copy.Line == loc.Line && copy.Column == loc.Column {
		return orig, path, false
	}
	if len(orig.Content) != len(copy.Content) {
		return nil, nil, false
	}
	for i, c := range copy.Content {
		p := path
		if copy.Kind == yaml.MappingNode {
			if i%2 == 0 {
				if c.Line == loc.Line && c.Column == loc.Column {
					return orig.Content[i], path, true
				}
				continue
			}
			p = append(slices.Clone(path), copy.Content[i-1].Value)
		}
		if n, found, isKey := correspondingNode(orig.Content[i], c, loc, p); n != nil {
			return n, found, isKey
		}
	}
	return nil, nil, false
}
