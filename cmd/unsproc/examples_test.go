package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeadLetterExampleKeepsStreamsApart runs the dead-letter example as the README
// does, from the repository root and with its defaults: its outputs are the only lines
// on stdout, its warnings go to stderr, and it writes nothing into the repository.
func TestDeadLetterExampleKeepsStreamsApart(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "unsproc")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	before := repositoryFiles(t, root)
	cmd := exec.Command(bin, "run", "examples/dead-letter/config.yaml")
	cmd.Dir = root
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), stderr.String())

	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		assert.True(t, strings.HasPrefix(line, "umh.v1.acme.berlin.line1._oven_v1."), "stdout holds only outputs: %q", line)
	}
	assert.Contains(t, stderr.String(), "level=warning", "the rejects are logged on stderr")
	assert.Equal(t, before, repositoryFiles(t, root), "a run leaves no file in the repository")
}

// repositoryFiles lists the files directly in the repository root.
func repositoryFiles(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
