package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/require"
)

// cliResult is what one run of the unsproc CLI printed and its exit status.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the unsproc CLI, with the explain and try commands writing to buffers.
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code, err := service.RunCLIToCode(context.Background(),
		service.CLIOptSetArgs(append([]string{"unsproc"}, args...)...),
		service.CLIOptAddCommand(explainCommand(&out)),
		service.CLIOptAddCommand(tryCommand(&out, &errOut)),
	)
	if err != nil {
		errOut.WriteString(err.Error())
	}
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// writeFile writes content to name in a fresh temporary directory and returns the path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// exampleConfigs lists the example configs of the repository. The data-model example
// names its models file relative to the repository root, where it is run; the tests
// run in this directory, so they point its variable at the file.
func exampleConfigs(t *testing.T) []string {
	t.Helper()
	t.Setenv("UNSPROC_DATA_MODELS", "../../examples/data-model/models.yaml")
	paths, err := filepath.Glob("../../examples/*/config.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	return paths
}
