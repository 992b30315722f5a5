package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// helpSummary is the one-line description `unsproc --help` starts with.
const helpSummary = "turns raw Unified Namespace (UNS) timeseries into data-model outputs with JavaScript mappings"

// helpDescription introduces unsproc in `unsproc --help`, with commands that work from
// the repository root (help_test.go runs them).
const helpDescription = `A Benthos distribution with the stream_processor built in: every Benthos
   command works on configs that use it. Run from the repository root:

   unsproc run examples/pump/config.yaml
   unsproc lint ./examples/...
   unsproc test ./examples/...
   unsproc explain examples/pump/config.yaml
   unsproc try examples/pump/config.yaml --input examples/pump/sample.jsonl
   unsproc list processors

   Flags may follow the config path. Help on a command: unsproc COMMAND --help`

func init() {
	// Benthos fixes the description of the app it builds; the help template is where
	// unsproc can put its own.
	cli.AppHelpTemplate = strings.NewReplacer(
		`{{template "helpNameTemplate" .}}`, binaryName+" - "+helpSummary,
		`{{template "descriptionTemplate" .}}`, helpDescription,
	).Replace(cli.AppHelpTemplate)
}
