package main

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMakeTestEndsWithAVerdict runs `make test` with a Go command that always fails:
// every step still runs, and the last line names the verdict, the failed steps and
// what ran, on stdout.
func TestMakeTestEndsWithAVerdict(t *testing.T) {
	cmd := exec.Command("make", "--no-print-directory", "test", "GO=false")
	cmd.Dir = "../.."
	out, err := cmd.Output() // make adds its own error line on stderr
	require.Error(t, err, "make test must fail when its steps fail")
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	last := lines[len(lines)-1]
	assert.True(t, strings.HasPrefix(last, "make test: FAIL in vet race hostile soak config-test; ran gofmt, go vet, the race tests of "), last)
	assert.Regexp(t, `, \d+ fuzz targets \(\w+ each\), the soak \(1,000,000 messages\), the config tests of \d+ examples$`, last)
}
