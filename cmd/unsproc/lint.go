package main

import (
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"
)

// lintCommand is unsproc's `lint`: Benthos' own lint (std, the command as Benthos
// defines it, with its flags), then the checks of `explain` on every stream_processor
// of the configs it names, printed as Benthos prints lints, file(line,column) and the
// message. The exit status is 1 when either finds an error; warnings (such as a ${…}
// Benthos replaced inside a mapping) are printed but do not fail.
func lintCommand(std *cli.Command, stderr io.Writer) *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "Parse unsproc configs and report any linting errors, the stream_processor's included",
		ArgsUsage: "PATH...",
		Description: `
Runs Benthos' linter, then the stream_processor's own checks (those of explain:
every mapping compiles, names exist, fields are set; environment variables that
Benthos replaced inside a mapping). Exits with a status code 1 if any error is
found:

  {{.BinaryName}} lint ./examples/...
  {{.BinaryName}} lint ./foo.yaml ./bar.yaml

If a path ends with '...' then {{.BinaryName}} walks the directory and lints any
files with the .yaml or .yml extension.`[1:],
		Flags:  std.Flags,
		Before: std.Before,
		Action: func(c *cli.Context) error {
			paths, err := lintTargets(append(c.Args().Slice(), c.StringSlice("resources")...))
			if err != nil {
				return err
			}
			paths = slices.DeleteFunc(paths, isDataModelsFile)
			benthosErr := lintWithBenthos(std, c, paths)
			failed := false
			for _, path := range paths {
				f, err := loadConfigFile(path, os.LookupEnv)
				if err != nil {
					continue // Benthos' lint reports a file it cannot read
				}
				for _, p := range lintProblems(explainFile(f), c.Bool("skip-env-var-check")) {
					if p.linted {
						continue // Benthos' lint of the file has printed it
					}
					fmt.Fprintln(stderr, p.lintLine())
					failed = failed || p.Severity == severityError
				}
			}
			if benthosErr != nil {
				return benthosErr
			}
			if failed {
				return errReported
			}
			return nil
		},
	}
}

// lintProblems are the problems lint prints for a file: all of explain's, but the
// missing environment variables when skipEnv is set, and the notice that the file
// has no stream_processor.
func lintProblems(r *fileReport, skipEnv bool) []problem {
	var out []problem
	for _, p := range r.Problems {
		if p.Severity == severityError && !skipEnv {
			out = append(out, p)
		}
	}
	for _, b := range r.Processors {
		out = append(out, b.Problems...)
	}
	return out
}

// lintLine renders a problem as a Benthos lint line: file(line,column), "warning: "
// for a warning, the mapping, the message and the hint.
func (p problem) lintLine() string {
	tag := ""
	if p.Severity == severityWarning {
		tag = "warning: "
	}
	text := p.lintText(tag)
	if p.Hint != "" {
		text += " (hint: " + p.Hint + ")"
	}
	return text
}

// lintTargets expands the paths given to lint as Benthos does: glob patterns, and a
// path ending in "..." for every .yaml and .yml file under it. Markdown files, whose
// snippets Benthos lints, hold no config file of their own and are left out.
func lintTargets(args []string) ([]string, error) {
	var out []string
	for _, arg := range args {
		if dir, ok := strings.CutSuffix(arg, "..."); ok {
			if dir == "" {
				dir = "."
			}
			err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if ext := filepath.Ext(path); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
					out = append(out, path)
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("lint paths error: %w", err)
			}
			continue
		}
		matches, err := filepath.Glob(arg)
		if err != nil {
			return nil, fmt.Errorf("lint paths error: %w", err)
		}
		if len(matches) == 0 {
			matches = []string{arg}
		}
		for _, m := range matches {
			if filepath.Ext(m) != ".md" {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// lintWithBenthos runs Benthos' own lint (std) on paths, the targets already expanded,
// with the flags of c. Benthos would lint every YAML file a "..." reaches, data models
// files included, which are no Benthos configs.
func lintWithBenthos(std *cli.Command, c *cli.Context, paths []string) error {
	set := flag.NewFlagSet(std.Name, flag.ContinueOnError)
	for _, f := range std.Flags {
		if err := f.Apply(set); err != nil {
			return err
		}
	}
	for _, f := range std.Flags {
		name := f.Names()[0]
		if !c.IsSet(name) {
			continue
		}
		values := []string{fmt.Sprint(c.Value(name))}
		if _, ok := f.(*cli.StringSliceFlag); ok {
			values = c.StringSlice(name)
		}
		for _, v := range values {
			if err := set.Set(name, v); err != nil {
				return err
			}
		}
	}
	if err := set.Parse(paths); err != nil {
		return err
	}
	return std.Action(cli.NewContext(c.App, set, c.Lineage()[1]))
}

// isDataModelsFile reports whether path is a YAML file of UMH data models (a top-level
// dataModels, datamodels or payloadShapes key), such as a data_models_file or a UMH
// Core config.yaml: the processor reads it, Benthos does not.
func isDataModelsFile(path string) bool {
	text, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var top map[string]any
	if yaml.Unmarshal(text, &top) != nil {
		return false
	}
	for _, key := range []string{"dataModels", "datamodels", "payloadShapes", "payloadshapes"} {
		if _, ok := top[key]; ok {
			return true
		}
	}
	return false
}
