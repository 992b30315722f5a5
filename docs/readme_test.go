package docs

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeExampleIsThePumpConfig checks that the processor the README shows is the
// pump example's, line for line, so that the output shown below it (checked by the
// CLI's docs test) is produced by exactly the config shown.
func TestReadmeExampleIsThePumpConfig(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	shown, _ := section(t, string(readme), "readme-example")
	shown = strings.TrimPrefix(shown, "```yaml\n")
	shown = strings.TrimSuffix(shown, "```\n")
	require.NotEmpty(t, strings.TrimSpace(shown))
	config, err := os.ReadFile("../examples/pump/config.yaml")
	require.NoError(t, err)
	assert.Contains(t, string(config), shown, "the README's example is not examples/pump/config.yaml's processor")
}

// TestReadmeLayout checks that the README's layout table lists exactly the module's
// packages, as go list gives them.
func TestReadmeLayout(t *testing.T) {
	list := exec.Command("go", "list", "./...")
	list.Dir = ".."
	out, err := list.Output()
	require.NoError(t, err)
	var packages []string
	for _, p := range strings.Fields(string(out)) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p, "github.com/unsproc/unsproc"), "/")
		if rel == "" {
			rel = "."
		}
		packages = append(packages, rel)
	}

	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	table, _ := section(t, string(readme), "layout")
	var listed []string
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.HasPrefix(strings.TrimSpace(cells[1]), "---") || strings.TrimSpace(cells[1]) == "package" {
			continue
		}
		listed = append(listed, strings.TrimSuffix(strings.Trim(strings.TrimSpace(cells[1]), "`"), "/"))
	}
	slices.Sort(packages)
	slices.Sort(listed)
	assert.Equal(t, packages, listed, "the README's layout table differs from go list ./...")
}

// TestLayerDependencies checks what the README says of the layers' dependencies: the
// core a library user imports builds without Benthos, and the state without the
// engines that compute its values.
func TestLayerDependencies(t *testing.T) {
	for _, c := range []struct {
		pkg       string
		needs     string   // a dependency it has: the list is the package's
		forbidden []string // module prefixes
	}{
		{"processor", "github.com/unsproc/unsproc/compiler", []string{"github.com/redpanda-data/"}},
		{"state", "github.com/unsproc/unsproc/value", []string{"github.com/dop251/goja", "github.com/expr-lang/expr"}},
	} {
		out, err := exec.Command("go", "list", "-deps", "github.com/unsproc/unsproc/"+c.pkg).CombinedOutput()
		require.NoError(t, err, "%s", out)
		deps := strings.Fields(string(out))
		require.Contains(t, deps, c.needs, c.pkg)
		for _, dep := range deps {
			for _, prefix := range c.forbidden {
				assert.False(t, strings.HasPrefix(dep, prefix), "%s depends on %s", c.pkg, dep)
			}
		}
	}
}

// TestReadmeCommands checks the shell commands the README shows: every make target
// exists (make -n resolves it), and every unsproc subcommand is one the binary has.
func TestReadmeCommands(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	commands := 0
	for _, block := range codeBlocks(string(readme), "sh") {
		for _, line := range strings.Split(block, "\n") {
			line, _, _ = strings.Cut(line, "#")
			fields := strings.Fields(line)
			if len(fields) < 2 {
				continue
			}
			switch fields[0] {
			case "make":
				commands++
				dry := exec.Command("make", "-n", fields[1])
				dry.Dir = ".."
				out, err := dry.CombinedOutput()
				assert.NoError(t, err, "README: make %s: %s", fields[1], out)
			case "unsproc":
				commands++
				help := exec.Command("go", "run", "../cmd/unsproc", fields[1], "--help")
				out, err := help.CombinedOutput()
				assert.NoError(t, err, "README: unsproc %s: %s", fields[1], out)
			}
		}
	}
	assert.GreaterOrEqual(t, commands, 3, "the README shows its commands in sh blocks")
}

// TestReadmeFitsOnAScreen keeps the README a newcomer's page: at most 200 lines.
func TestReadmeFitsOnAScreen(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	lines := strings.Count(string(readme), "\n")
	assert.LessOrEqual(t, lines, 200, "README.md has %d lines", lines)
}
