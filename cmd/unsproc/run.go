package main

import (
	"fmt"
	"io"
	"os"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/urfave/cli/v2"
)

// runHooks check the stream_processor blocks of the config `run` is about to start:
// Benthos itself would only say that the processor failed to initialise, with the
// position inside the expression.
type runHooks struct {
	stderr io.Writer
	// pending are the warnings to log once Benthos' logger exists.
	pending []problem
}

// beforeRun is called by Benthos' commands once their flags are read, before the
// config is. For run (`unsproc run CONFIG`, or `unsproc -c CONFIG`), errors in a
// stream_processor stop it with their places in the file, as lint prints them.
// Missing environment variables and Benthos' lints are errors too, unless --chilled
// lets Benthos run despite them; then a ${…} that became nothing inside a mapping
// (`T=${tF}` run as `T=`) is logged as a warning, once.
func (h *runHooks) beforeRun(c *cli.Context) error {
	path := c.String("config")
	switch c.Command.Name {
	case "run":
		if c.Args().Len() > 0 {
			path = c.Args().First()
		}
	case binaryName:
	default:
		return nil
	}
	if path == "" {
		return nil
	}
	paths, err := lintTargets(append([]string{path}, c.StringSlice("resources")...))
	if err != nil {
		return nil // Benthos reports it
	}
	chilled := c.Bool("chilled")
	var errs []problem
	for _, p := range paths {
		f, err := loadConfigFile(p, os.LookupEnv)
		if err != nil {
			continue // Benthos reports a file it cannot read
		}
		for _, p := range lintProblems(explainFile(f), chilled) {
			switch {
			case p.Severity == severityError && !(chilled && p.linted):
				errs = append(errs, p)
			case p.emptied:
				h.pending = append(h.pending, p)
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	for _, p := range errs {
		fmt.Fprintln(h.stderr, p.lintLine())
	}
	return errConfigProblems
}

// loggerReady logs the pending warnings with Benthos' logger.
func (h *runHooks) loggerReady(l *service.Logger) {
	for _, p := range h.pending {
		l.With("file", p.File, "line", p.Line, "column", p.Column, "mapping", p.Mapping, "hint", p.Hint).Warn(p.Message)
	}
	h.pending = nil
}
