package docs

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/vm"
)

// TestSandboxLimitsTable checks the values of sandbox.md's limits table against the vm
// package's constants.
func TestSandboxLimitsTable(t *testing.T) {
	text, err := os.ReadFile("sandbox.md")
	require.NoError(t, err)
	table, _ := section(t, string(text), "sandbox-limits")
	want := map[string]int{
		"MaxStringLength": vm.MaxStringLength, "MaxArrayLength": vm.MaxArrayLength,
		"MaxBufferBytes": vm.MaxBufferBytes, "MaxJSONText": vm.MaxJSONText, "MaxJSONItems": vm.MaxJSONItems,
		"MaxPatternLength": vm.MaxPatternLength, "MaxDepth": vm.MaxDepth, "MaxResultSize": vm.MaxResultSize,
		"MaxMemory": vm.MaxMemory, "MaxCallStackSize": vm.MaxCallStackSize,
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[2:] {
		cells := tableRow(line)
		require.Len(t, cells, 3, "row %q", line)
		name := codeSpan(cells[0])
		if v, ok := want[name]; ok {
			assert.Equal(t, fmt.Sprint(v), cells[1], name)
			seen++
		}
	}
	assert.Equal(t, len(want), seen, "every limit has its row")
}

// guardError is what the error of an expression stopped by a sandbox guard says.
var guardError = regexp.MustCompile(`RangeError: .*(sandbox limit|maximum call stack)|memory limit exceeded|evaluation timed out|result too large`)

// TestSandboxBuiltinsTable evaluates every example of sandbox.md's built-ins table as a
// mapping expression: each must fail with a guard's error.
func TestSandboxBuiltinsTable(t *testing.T) {
	text, err := os.ReadFile("sandbox.md")
	require.NoError(t, err)
	table, _ := section(t, string(text), "sandbox-builtins")
	examples := 0
	for _, line := range strings.Split(strings.TrimSpace(table), "\n")[2:] {
		cells := tableRow(line)
		require.Len(t, cells, 3, "row %q", line)
		if cells[2] == "" {
			continue
		}
		src := codeSpan(cells[2])
		require.NotEmpty(t, src, "the example of row %q is not code", line)
		p, err := compiler.Compile(src, nil)
		require.NoError(t, err, src)
		_, err = p.Eval(nil)
		require.Error(t, err, src)
		assert.Regexp(t, guardError, err.Error(), src)
		examples++
	}
	assert.Greater(t, examples, 20)
}
