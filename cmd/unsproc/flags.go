package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderFlags lets flags follow the arguments of a command, as in
// `unsproc try CONFIG -i FILE`: the command-line parser stops reading flags at the
// first argument, so the flags after it are moved in front of the arguments, each
// with its value. args[0] is the program name and args[1] the command (with its
// subcommands); other command lines are returned as they are. A flag after the
// arguments that the command does not define is an error that names it. "--" ends
// the flags: what follows stays in place.
func reorderFlags(args []string, commands map[string]*cli.Command) ([]string, error) {
	if len(args) < 2 {
		return args, nil
	}
	cmd := commands[args[1]]
	if cmd == nil {
		return args, nil
	}
	head := 2
	for head < len(args) {
		sub := subcommand(cmd, args[head])
		if sub == nil {
			break
		}
		cmd, head = sub, head+1
	}
	var flags, positional []string
	rest := args[head:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		if arg == "--" {
			positional = append(positional, rest[i:]...)
			break
		}
		if !isFlag(arg) {
			positional = append(positional, arg)
			continue
		}
		name, _, inline := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		f := findFlag(cmd, name)
		if f == nil && len(positional) > 0 {
			return nil, fmt.Errorf("%s %s: unknown flag %s after %q (see %s %s --help)", binaryName, cmd.Name, arg, positional[len(positional)-1], binaryName, cmd.Name)
		}
		flags = append(flags, arg)
		if !inline && takesValue(f) && i+1 < len(rest) {
			i++
			flags = append(flags, rest[i])
		}
	}
	out := append(append(append([]string{}, args[:head]...), flags...), positional...)
	return out, nil
}

// isFlag tells a flag from an argument; "-" alone names stdin.
func isFlag(arg string) bool { return len(arg) > 1 && arg[0] == '-' }

func subcommand(cmd *cli.Command, name string) *cli.Command {
	for _, s := range cmd.Subcommands {
		for _, n := range s.Names() {
			if n == name {
				return s
			}
		}
	}
	return nil
}

// findFlag returns the command's flag called name (or help), nil when it has none.
func findFlag(cmd *cli.Command, name string) cli.Flag {
	flags := append([]cli.Flag{cli.HelpFlag}, cmd.Flags...)
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesValue tells whether the flag reads the next argument as its value.
func takesValue(f cli.Flag) bool {
	v, ok := f.(cli.DocGenerationFlag)
	return ok && v.TakesValue()
}
