package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/urfave/cli/v2"
)

func TestReorderFlags(t *testing.T) {
	commands, rootFlags := benthosCommands(context.Background())
	require.Contains(t, commands, "run")
	require.Contains(t, commands, "lint")
	commands["try"] = tryCommand(io.Discard, io.Discard)
	commands["explain"] = explainCommand(io.Discard)
	cases := []struct {
		args, want string
		err        string
	}{
		{args: "try C -i F", want: "try -i F C"},
		{args: "try C --input=F -p /x", want: "try --input=F -p /x C"},
		{args: "explain C --format json", want: "explain --format json C"},
		{args: "explain -c C --graph dot", want: "explain -c C --graph dot"},
		{args: "try C -i -", want: "try -i - C"},
		{args: "try -i - C", want: "try -i - C"},
		{args: "try C -- -i F", want: "try C -- -i F"},
		{args: "run C --chilled", want: "run --chilled C"},
		{args: "run C -r R --log.level debug", want: "run -r R --log.level debug C"},
		{args: "lint A B --skip-env-var-check", want: "lint --skip-env-var-check A B"},
		{args: "blobl server --help", want: "blobl server --help"},
		{args: "try C --help", want: "try --help C"},
		{args: "--version", want: "--version"},
		{args: "--log.level debug run C --chilled", want: "--log.level debug run --chilled C"},
		{args: "-c C --chilled", want: "-c C --chilled"},
		{args: "try C --bogus x", err: `unsproc try: unknown flag --bogus after "C" (see unsproc try --help)`},
	}
	for _, c := range cases {
		t.Run(c.args, func(t *testing.T) {
			got, err := reorderFlags(append([]string{"unsproc"}, strings.Fields(c.args)...), rootFlags, commands)
			if c.err != "" {
				require.EqualError(t, err, c.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "unsproc "+c.want, strings.Join(got, " "))
		})
	}
}

func TestTakesValue(t *testing.T) {
	assert.True(t, takesValue(&cli.StringFlag{Name: "s"}))
	assert.True(t, takesValue(&cli.StringSliceFlag{Name: "s"}))
	assert.False(t, takesValue(&cli.BoolFlag{Name: "b"}))
	assert.False(t, takesValue(nil))
}

// TestFlagsAfterTheConfig runs the commands the way people type them.
func TestFlagsAfterTheConfig(t *testing.T) {
	pump := "../../examples/pump/config.yaml"
	res := runCLI(t, "try", pump, "-i", "../../examples/pump/sample.jsonl")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, " inputs: ")

	res = runCLI(t, "explain", pump, "--format", "json")
	require.Equal(t, 0, res.code, res.stderr)
	var r fileReport
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &r))
	assert.True(t, r.OK)

	res = runCLI(t, "explain", pump, "--nope")
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stderr, "unknown flag --nope")
}
