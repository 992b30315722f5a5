// Command unsproc is a Benthos distribution with the `stream_processor` batch
// processor built in, so every Benthos subcommand (run, lint, test, list, echo,
// blobl, …) works on configs that use it. It bundles Benthos' pure and io
// components: brokerless inputs and outputs such as file, stdin and stdout, and
// the core processors such as mapping.
//
//	unsproc run examples/pump/config.yaml
//	unsproc test ./examples/...
//	unsproc explain -c examples/pump/config.yaml
//	unsproc try -c examples/pump/config.yaml --input examples/pump/sample.jsonl
//	unsproc list processors
package main

import (
	"context"
	"os"
	"runtime/debug"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"

	_ "github.com/unsproc/unsproc/components/replay"
	_ "github.com/unsproc/unsproc/processor"
)

func main() {
	version, built := buildStamp()
	service.RunCLI(context.Background(),
		service.CLIOptSetBinaryName("unsproc"),
		service.CLIOptSetProductName("unsproc"),
		service.CLIOptSetVersion(version, built),
		service.CLIOptAddCommand(explainCommand(os.Stdout)),
		service.CLIOptAddCommand(tryCommand(os.Stdout, os.Stderr)),
	)
}

// buildStamp returns the module version and the commit time recorded by the Go
// toolchain, or "(devel)" and "" when the binary carries no such information.
func buildStamp() (version, built string) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)", ""
	}
	version = info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.time" {
			built = s.Value
		}
	}
	return version, built
}
