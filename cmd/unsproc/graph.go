package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Graph formats of `explain --graph`.
const (
	graphMermaid = "mermaid"
	graphDot     = "dot"
)

// graph is the dependency picture of a config: source topics → aliases → mappings →
// output topics, one cluster per stream_processor. Static mappings hang off a node
// standing for "every source message", since every accepted input emits them.
type graph struct {
	clusters []cluster
}

type cluster struct {
	id, title string
	nodes     []node
	edges     []edge
}

type node struct {
	id, label string
	shape     string // topic, alias, mapping, output, any
}

type edge struct {
	from, to string
	dashed   bool
}

// buildGraph lays out the report's blocks. Node ids are unique across clusters. A
// mapping that reads another mapping has an edge from that mapping's node.
func buildGraph(r *fileReport) graph {
	var g graph
	for i, b := range r.Processors {
		c := cluster{id: fmt.Sprintf("p%d", i), title: blockKey + " " + b.Path}
		if b.Label != "" {
			c.title += " (" + b.Label + ")"
		}
		id := func(kind string, j int) string { return fmt.Sprintf("%s_%s%d", c.id, kind, j) }
		topicIDs := map[string]string{}
		aliasIDs := map[string]string{}
		for j, s := range b.Sources {
			tid, ok := topicIDs[s.Topic]
			if !ok {
				tid = id("t", len(topicIDs))
				topicIDs[s.Topic] = tid
				c.nodes = append(c.nodes, node{id: tid, label: s.Topic, shape: "topic"})
			}
			aliasIDs[s.Alias] = id("a", j)
			c.nodes = append(c.nodes, node{id: aliasIDs[s.Alias], label: s.Alias, shape: "alias"})
			c.edges = append(c.edges, edge{from: tid, to: aliasIDs[s.Alias]})
		}
		anyID := ""
		mappingIDs := map[string]string{}
		for j, m := range b.Mappings {
			mappingIDs[m.Path] = id("m", j)
		}
		for j, m := range b.Mappings {
			if m.Kind == kindInvalid {
				continue
			}
			mid, oid := mappingIDs[m.Path], id("o", j)
			label := m.Path + "\n" + m.Kind + ", " + m.Engine
			c.nodes = append(c.nodes, node{id: mid, label: label, shape: "mapping"}, node{id: oid, label: m.Topic, shape: "output"})
			if len(m.Deps) == 0 {
				if anyID == "" {
					anyID = id("any", 0)
					c.nodes = append(c.nodes, node{id: anyID, label: "every source message", shape: "any"})
				}
				c.edges = append(c.edges, edge{from: anyID, to: mid, dashed: true})
			}
			for _, d := range m.Deps {
				from := aliasIDs[d]
				if slices.Contains(m.Reads, d) {
					from = mappingIDs[d] // a mapping reading another mapping's value
				}
				c.edges = append(c.edges, edge{from: from, to: mid})
			}
			c.edges = append(c.edges, edge{from: mid, to: oid})
		}
		g.clusters = append(g.clusters, c)
	}
	return g
}

// writeGraph renders the report's graph in the given format.
func writeGraph(w io.Writer, r *fileReport, format string) error {
	g := buildGraph(r)
	switch format {
	case graphMermaid:
		g.mermaid(w)
	case graphDot:
		g.dot(w)
	default:
		return fmt.Errorf("unknown graph format %q (use %s or %s)", format, graphMermaid, graphDot)
	}
	return nil
}

// mermaid writes a flowchart for Markdown (```mermaid blocks).
func (g graph) mermaid(w io.Writer) {
	fmt.Fprintln(w, "flowchart LR")
	for _, c := range g.clusters {
		fmt.Fprintf(w, "  subgraph %s[\"%s\"]\n", c.id, mermaidText(c.title))
		for _, n := range c.nodes {
			open, closing := mermaidShape(n.shape)
			fmt.Fprintf(w, "    %s%s\"%s\"%s\n", n.id, open, mermaidText(n.label), closing)
		}
		for _, e := range c.edges {
			arrow := "-->"
			if e.dashed {
				arrow = "-.->"
			}
			fmt.Fprintf(w, "    %s %s %s\n", e.from, arrow, e.to)
		}
		fmt.Fprintln(w, "  end")
	}
}

func mermaidShape(shape string) (string, string) {
	switch shape {
	case "alias":
		return "([", "])"
	case "mapping":
		return "[", "]"
	case "any":
		return "((", "))"
	}
	return "[/", "/]" // topics
}

// mermaidText escapes a label for a quoted Mermaid string.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "\n", "<br/>").Replace(s)
}

// dot writes a Graphviz digraph (render with `dot -Tsvg`).
func (g graph) dot(w io.Writer) {
	fmt.Fprintln(w, "digraph unsproc {")
	fmt.Fprintln(w, "  rankdir=LR;")
	fmt.Fprintln(w, "  node [fontname=\"Helvetica\", fontsize=10];")
	for _, c := range g.clusters {
		fmt.Fprintf(w, "  subgraph cluster_%s {\n    label=%s;\n", c.id, dotText(c.title))
		for _, n := range c.nodes {
			fmt.Fprintf(w, "    %s [label=%s, %s];\n", n.id, dotText(n.label), dotShape(n.shape))
		}
		for _, e := range c.edges {
			style := ""
			if e.dashed {
				style = " [style=dashed]"
			}
			fmt.Fprintf(w, "    %s -> %s%s;\n", e.from, e.to, style)
		}
		fmt.Fprintln(w, "  }")
	}
	fmt.Fprintln(w, "}")
}

func dotShape(shape string) string {
	switch shape {
	case "alias":
		return "shape=ellipse"
	case "mapping":
		return "shape=box, style=rounded"
	case "any":
		return "shape=circle"
	}
	return "shape=parallelogram"
}

// dotText quotes a label for DOT.
func dotText(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
