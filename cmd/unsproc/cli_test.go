package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// cliResult is what one run of the unsproc CLI printed and its exit status.
type cliResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs the unsproc CLI, with unsproc's own commands writing to buffers (what
// Benthos' commands print is not captured: see runCaptured).
func runCLI(t *testing.T, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runMain(context.Background(), append([]string{"unsproc"}, args...), &out, &errOut)
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// runCaptured runs the unsproc CLI with os.Stdout and os.Stderr redirected, so that
// what Benthos' own commands print (help, version, lints, logs) is captured too.
func runCaptured(t *testing.T, args ...string) cliResult {
	t.Helper()
	dir := t.TempDir()
	open := func(name string) *os.File {
		f, err := os.Create(filepath.Join(dir, name))
		require.NoError(t, err)
		return f
	}
	stdout, stderr := open("stdout"), open("stderr")
	savedOut, savedErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = stdout, stderr
	code := func() int {
		defer func() { os.Stdout, os.Stderr = savedOut, savedErr }()
		return runMain(context.Background(), append([]string{"unsproc"}, args...), stdout, stderr)
	}()
	read := func(f *os.File) string {
		require.NoError(t, f.Close())
		text, err := os.ReadFile(f.Name())
		require.NoError(t, err)
		return string(text)
	}
	return cliResult{code: code, stdout: read(stdout), stderr: read(stderr)}
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
