package processor_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/unsproc/unsproc/processor"
)

// TestCoreDependsOnNoBenthos: the package a library user imports builds without any
// Benthos module (the Benthos plugin is a package of its own).
func TestCoreDependsOnNoBenthos(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/unsproc/unsproc/processor").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/unsproc/unsproc/compiler", "the list holds the package's dependencies")
	for _, dep := range deps {
		assert.False(t, strings.HasPrefix(dep, "github.com/redpanda-data/"), "the core depends on %s", dep)
	}
}

// TestImportRegistersNothing: importing the core registers no Benthos component. This
// test binary imports only the core and Benthos' service API, so Benthos' global
// environment must be empty.
func TestImportRegistersNothing(t *testing.T) {
	var registered []string
	walk := func(kind string) func(string, *service.ConfigView) {
		return func(name string, _ *service.ConfigView) { registered = append(registered, kind+" "+name) }
	}
	env := service.GlobalEnvironment()
	env.WalkBuffers(walk("buffer"))
	env.WalkCaches(walk("cache"))
	env.WalkInputs(walk("input"))
	env.WalkOutputs(walk("output"))
	env.WalkProcessors(walk("processor"))
	env.WalkRateLimits(walk("rate_limit"))
	env.WalkMetrics(walk("metrics"))
	env.WalkTracers(walk("tracer"))
	env.WalkScanners(walk("scanner"))
	assert.Empty(t, registered)
}
