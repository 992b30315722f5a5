package state_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStateDependsOnNoEngine: holding values needs neither of the engines that compute
// them, so state builds without goja and without expr.
func TestStateDependsOnNoEngine(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/unsproc/unsproc/state").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/unsproc/unsproc/value", "the list holds the package's dependencies")
	for _, dep := range deps {
		assert.False(t, strings.HasPrefix(dep, "github.com/dop251/goja"), "state depends on %s", dep)
		assert.False(t, strings.HasPrefix(dep, "github.com/expr-lang/expr"), "state depends on %s", dep)
	}
}
