package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
)

// Output formats of explain.
const (
	formatText = "text"
	formatJSON = "json"
)

// errConfigProblems makes the command exit with status 1 after its report.
var errConfigProblems = errors.New("the config has errors")

// explainCommand is `unsproc explain`: what every stream_processor mapping of a config
// does, how it runs, and what is wrong with it. Output goes to stdout.
func explainCommand(stdout io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "explain",
		Usage:     "Show what every stream_processor mapping of a config does, and what is wrong with it",
		ArgsUsage: "[CONFIG]",
		Description: `
For every stream_processor in the config (pipeline, input and output processors,
branch, switch, resources…) prints one row per mapping: virtual path, output topic,
kind (static, impure static, dynamic), dependencies and engine (expr, or goja with
the reason for the fallback), then every problem with a hint. The config is read
as Benthos reads it, environment variables (${NAME}) included. The exit status is
1 when the config has errors.

  {{.BinaryName}} explain -c ./config.yaml
  {{.BinaryName}} explain -c ./config.yaml --format json
  {{.BinaryName}} explain -c ./config.yaml --graph mermaid`[1:],
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "config", Aliases: []string{"c"}, Usage: "the Benthos config file"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: formatText, Usage: "text or json"},
			&cli.StringFlag{Name: "graph", Usage: "print the dependency graph instead: mermaid or dot"},
		},
		Action: func(c *cli.Context) error {
			f, err := loadConfigArg(c)
			if err != nil {
				return err
			}
			report := explainFile(f)
			if err := writeExplain(stdout, report, c.String("format"), c.String("graph")); err != nil {
				return err
			}
			if !report.OK {
				return errConfigProblems
			}
			return nil
		},
	}
}

// loadConfigArg loads the config file named by --config or the only argument, with
// environment interpolation as Benthos does.
func loadConfigArg(c *cli.Context) (*configFile, error) {
	path, err := configPath(c)
	if err != nil {
		return nil, err
	}
	return loadConfigFile(path, os.LookupEnv)
}

// configPath is the --config flag, or else the only argument.
func configPath(c *cli.Context) (string, error) {
	path := c.String("config")
	switch {
	case path != "" && c.NArg() == 0:
		return path, nil
	case path == "" && c.NArg() == 1:
		return c.Args().First(), nil
	}
	return "", errors.New("name one config file, with -c CONFIG or as the argument")
}

// writeExplain renders the report as the flags ask.
func writeExplain(w io.Writer, r *fileReport, format, graph string) error {
	switch {
	case graph != "":
		return writeGraph(w, r, graph)
	case format == formatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(r)
	case format == formatText:
		return writeExplainText(w, r)
	}
	return fmt.Errorf("unknown format %q (use %s or %s)", format, formatText, formatJSON)
}

// writeExplainText prints the report as tables, one per block.
func writeExplainText(w io.Writer, r *fileReport) error {
	errs, warns := countProblems(r.allProblems())
	total := summarise(errs, warns)
	if errs+warns > 0 {
		total += " in all"
	}
	fmt.Fprintf(w, "%s: %s, %s\n", r.File, count(len(r.Processors), blockKey, blockKey+" blocks"), total)
	if len(r.Problems) > 0 {
		fe, fw := countProblems(r.Problems)
		fmt.Fprintf(w, "\nthe file itself: %s\n", summarise(fe, fw))
		writeProblems(w, "", r.Problems)
	}
	for _, b := range r.Processors {
		fmt.Fprintln(w)
		writeBlockText(w, b)
	}
	return nil
}

func writeBlockText(w io.Writer, b *blockReport) {
	where := b.Path
	if b.Label != "" {
		where += " (label " + b.Label + ")"
	}
	fmt.Fprintf(w, "%s %s, line %d\n", blockKey, where, b.Line)
	if b.OutputTopic != "" {
		fmt.Fprintf(w, "  outputs: %s._%s_%s.<path>\n", b.OutputTopic, b.Model.Name, b.Model.Version)
	}
	if b.Model.File != "" {
		fmt.Fprintf(w, "  data model: %s, %d/%d fields mapped", b.Model.File, b.Model.Mapped, b.Model.Fields)
		if len(b.Model.Unmapped) > 0 {
			fmt.Fprintf(w, " (unmapped: %s)", strings.Join(b.Model.Unmapped, ", "))
		}
		fmt.Fprintln(w)
	}
	if len(b.Sources) > 0 {
		fmt.Fprintln(w, "  sources:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range b.Sources {
			fmt.Fprintf(tw, "    %s\t%s\n", s.Alias, s.Topic)
		}
		tw.Flush()
	}
	if len(b.Mappings) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		header := "  PATH\tOUTPUT TOPIC\tKIND\tDEPENDENCIES\tENGINE"
		if b.Model.File != "" {
			header += "\tSHAPE"
		}
		fmt.Fprintln(tw, header)
		for _, m := range b.Mappings {
			names := make([]string, len(m.Deps))
			for i, d := range m.Deps {
				names[i] = d
				if slices.Contains(m.Reads, d) {
					names[i] += " (mapping)"
				}
			}
			deps := strings.Join(names, ", ")
			if deps == "" {
				deps = "-"
			}
			engine := m.Engine
			switch {
			case m.Fallback != "":
				engine += " (" + m.Fallback + ")"
			case engine == "":
				engine = "-"
			}
			row := fmt.Sprintf("  %s\t%s\t%s\t%s\t%s", m.Path, m.Topic, m.Kind, deps, engine)
			if b.Model.File != "" {
				row += "\t" + cmp.Or(m.Shape, "-")
			}
			fmt.Fprintln(tw, row)
		}
		tw.Flush()
	}
	var notes []string
	for _, m := range b.Mappings {
		for _, n := range m.Notes {
			notes = append(notes, m.Path+": "+n)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w, "\n  notes:")
		for _, n := range notes {
			fmt.Fprintln(w, "    "+n)
		}
	}
	errs, warns := countProblems(b.Problems)
	fmt.Fprintf(w, "\n  %s\n", summarise(errs, warns))
	writeProblems(w, "  ", b.Problems)
}

// writeProblems prints one problem per entry, its hint indented below it.
func writeProblems(w io.Writer, indent string, ps []problem) {
	for _, p := range ps {
		label := fmt.Sprintf("%-8s", p.Severity)
		text := strings.ReplaceAll(p.String(), "\n", "\n"+indent+strings.Repeat(" ", len(label)))
		fmt.Fprintf(w, "%s%s%s\n", indent, label, text)
	}
}

func countProblems(ps []problem) (errs, warns int) {
	for _, p := range ps {
		if p.Severity == severityError {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

func summarise(errs, warns int) string {
	if errs == 0 && warns == 0 {
		return "no problems"
	}
	var parts []string
	if errs > 0 {
		parts = append(parts, count(errs, "error", "errors"))
	}
	if warns > 0 {
		parts = append(parts, count(warns, "warning", "warnings"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// count is n followed by the noun in the number n asks for: "1 input", "2 inputs".
func count(n int, one, many string) string { return fmt.Sprintf("%d %s", n, plural(n, one, many)) }
