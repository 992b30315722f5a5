package processor_test

import (
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"

	_ "github.com/unsproc/unsproc/processor"
)

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
