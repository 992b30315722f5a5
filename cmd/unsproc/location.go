package main

import (
	"regexp"
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

// textLocation is the line and column of a byte offset in text.
func textLocation(text string, offset int) location {
	before := text[:offset]
	start := strings.LastIndexByte(before, '\n') + 1
	return location{Line: strings.Count(before, "\n") + 1, Column: utf8.RuneCountInString(before[start:]) + 1}
}

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

// lintTarget is a node a lint may be about: the node in the file, its field path (to
// its object, for a key) and whether it is a key.
type lintTarget struct {
	node  *yaml.Node
	path  []string
	isKey bool
}

// nodesOnLine lists, in orig, the nodes that stand where the nodes starting on line
// stand in copy, a tree of the same shape (orig marshalled and parsed again): Benthos'
// lints name a line, not a column.
func nodesOnLine(orig, copy *yaml.Node, line int, path []string, out []lintTarget) []lintTarget {
	if copy.Line == line && copy.Kind != yaml.DocumentNode {
		out = append(out, lintTarget{node: orig, path: path})
	}
	if len(orig.Content) != len(copy.Content) {
		return out
	}
	for i, c := range copy.Content {
		p := path
		if copy.Kind == yaml.MappingNode {
			if i%2 == 0 {
				if c.Line == line {
					out = append(out, lintTarget{node: orig.Content[i], path: path, isKey: true})
				}
				continue
			}
			p = append(slices.Clone(path), copy.Content[i-1].Value)
		}
		out = nodesOnLine(orig.Content[i], c, line, p, out)
	}
	return out
}

// lintFieldRe reads the field a Benthos lint is about.
var lintFieldRe = regexp.MustCompile(`^field (\S+) (is required|not recognised)`)

// pickLintTarget chooses, among the nodes on a lint's line, the one it is about: the
// object missing a required field, the key not recognised, or else the first value.
func pickLintTarget(what string, targets []lintTarget) (lintTarget, bool) {
	if m := lintFieldRe.FindStringSubmatch(what); m != nil {
		for _, t := range targets {
			k, _ := mapEntry(t.node, m[1])
			switch {
			case m[2] == "is required" && !t.isKey && t.node.Kind == yaml.MappingNode && k == nil:
				return t, true
			case m[2] == "not recognised" && t.isKey && t.node.Value == m[1]:
				return t, true
			}
		}
	}
	for _, t := range targets {
		if !t.isKey {
			return t, true
		}
	}
	if len(targets) > 0 {
		return targets[0], true
	}
	return lintTarget{}, false
}
