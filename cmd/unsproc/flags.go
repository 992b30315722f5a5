package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// reorderFlags lets flags follow the arguments of a command, as in
// `unsproc try CONFIG -i FILE`: the command-line parser stops reading flags at the
// first argument, so the flags after it are moved in front of the arguments, each
// with its value. args[0] is the program name; the command (with its subcommands)
// follows, after flags of the program (rootFlags) if any. Other command lines are
// returned as they are. A flag after the arguments that the command does not define
// is an error that names it. "--" ends the flags: what follows stays in place.
func reorderFlags(args []string, rootFlags []cli.Flag, commands map[string]*cli.Command) ([]string, error) {
	head := 1
	for head < len(args) && isFlag(args[head]) {
		name, inline := flagName(args[head])
		if !inline && takesValue(findFlag(rootFlags, name)) {
			head++
		}
		head++
	}
	if head >= len(args) || commands[args[head]] == nil {
		return args, nil
	}
	cmd := commands[args[head]]
	head++
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
		name, inline := flagName(arg)
		f := findFlag(cmd.Flags, name)
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

// flagName returns the name of the flag arg (--name or -n, with or without =value)
// and whether arg holds the value.
func flagName(arg string) (name string, inline bool) {
	name, _, inline = strings.Cut(strings.TrimLeft(arg, "-"), "=")
	return name, inline
}

// subcommand returns the subcommand of cmd called name, or nil.
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

// findFlag returns the flag called name among flags and help, nil when there is none.
func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range append([]cli.Flag{cli.HelpFlag}, flags...) {
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
