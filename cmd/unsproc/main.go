// Command unsproc is a Benthos distribution with the `stream_processor` batch
// processor built in, so every Benthos subcommand (run, lint, test, list, echo,
// blobl, …) works on configs that use it. It bundles Benthos' pure and io
// components (file, stdin and stdout, HTTP, sockets, the core processors such as
// mapping), the `uns` input and output that read and write the Unified Namespace
// in Kafka or Redpanda as UMH Core keeps it, the `mqtt` input and output for an
// MQTT broker, the `uns_replay` input that replays a recording of UNS messages in
// batches and the `uns_record` output that writes one, and the `prometheus` metrics exporter that serves /metrics on Benthos'
// HTTP address.
//
// On top of Benthos, `lint` also runs the processor's own checks, `run` reports a
// broken stream_processor by file, line and column before it starts, and the
// commands explain and try describe and trial-run a config:
//
//	unsproc run examples/pump/config.yaml
//	unsproc run examples/uns-kafka/config.yaml
//	unsproc run examples/mqtt/config.yaml
//	unsproc lint ./examples/...
//	unsproc test ./examples/...
//	unsproc explain examples/pump/config.yaml
//	unsproc try examples/pump/config.yaml --input examples/pump/sample.jsonl
//	unsproc list processors
//
// Flags may follow the config path (`unsproc try CONFIG -i FILE`).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	_ "github.com/redpanda-data/benthos/v4/public/components/io"
	_ "github.com/redpanda-data/benthos/v4/public/components/pure"
	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/urfave/cli/v2"

	_ "github.com/unsproc/unsproc/components/mqtt"
	_ "github.com/unsproc/unsproc/components/prometheus"
	_ "github.com/unsproc/unsproc/components/replay"
	_ "github.com/unsproc/unsproc/components/streamprocessor"
	_ "github.com/unsproc/unsproc/components/uns"
)

func main() {
	os.Exit(runMain(context.Background(), os.Args, os.Stdout, os.Stderr))
}

// runMain runs the unsproc command line args (args[0] is the program name) and returns
// its exit status. The commands unsproc adds write to stdout and stderr; Benthos'
// own commands write to os.Stdout and os.Stderr.
func runMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	std, rootFlags := benthosCommands(ctx)
	hooks := &runHooks{stderr: stderr}
	commands := []*cli.Command{
		explainCommand(stdout),
		tryCommand(stdout, stderr),
		lintCommand(std["lint"], stderr),
	}
	all := make(map[string]*cli.Command, len(std)+len(commands))
	for name, c := range std {
		all[name] = c
	}
	for _, c := range commands {
		all[c.Name] = c
	}
	args, err := reorderFlags(args, rootFlags, all)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	version, built := buildStamp(debug.ReadBuildInfo())
	opts := []service.CLIOptFunc{
		service.CLIOptSetArgs(args...),
		service.CLIOptSetBinaryName(binaryName),
		service.CLIOptSetProductName(binaryName),
		service.CLIOptSetVersion(version, built),
		service.CLIOptCustomRunFlags(nil, hooks.beforeRun),
		service.CLIOptOnLoggerInit(hooks.loggerReady),
	}
	for _, c := range commands {
		opts = append(opts, service.CLIOptAddCommand(c))
	}
	code, err := service.RunCLIToCode(ctx, opts...)
	if err != nil && !errors.Is(err, errReported) {
		fmt.Fprintln(stderr, err)
	}
	return code
}

// binaryName is the name the help shows.
const binaryName = "unsproc"

// errReported ends a command whose problems are already printed, with exit status 1.
var errReported = errors.New("problems reported above")

// benthosCommands returns Benthos' own commands by name, as its CLI defines them (the
// flags of each, and the standard lint command that unsproc's lint wraps), and the
// flags that may precede a command. It runs the CLI once with a hidden command that
// only reads them.
func benthosCommands(ctx context.Context) (map[string]*cli.Command, []cli.Flag) {
	out := map[string]*cli.Command{}
	var rootFlags []cli.Flag
	probe := &cli.Command{
		Name:   "unsproc-list-commands",
		Hidden: true,
		Action: func(c *cli.Context) error {
			for _, cmd := range c.App.Commands {
				out[cmd.Name] = cmd
			}
			rootFlags = c.App.Flags
			return nil
		},
	}
	_, _ = service.RunCLIToCode(ctx, service.CLIOptSetArgs(binaryName, probe.Name), service.CLIOptAddCommand(probe))
	delete(out, probe.Name)
	return out, rootFlags
}

// buildStamp returns the version and build date the Go toolchain recorded: the
// module's version when it has one (a tag, or a pseudo-version naming the commit),
// otherwise the commit (shortened, with -dirty for uncommitted changes), and the
// commit's time. A binary without that information (go run, a build with
// -buildvcs=false or outside a git clone) says so.
func buildStamp(info *debug.BuildInfo, ok bool) (version, built string) {
	const unknown = "unknown (built without version control information)"
	version, built = unknown, "unknown"
	if !ok {
		return version, built
	}
	var revision, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.time":
			built = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	switch {
	case info.Main.Version != "" && info.Main.Version != "(devel)":
		version = info.Main.Version
	case revision != "":
		version = revision[:min(len(revision), 12)]
		if modified == "true" {
			version += "-dirty"
		}
	}
	return version, built
}
