package compiler_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

// machinesFile pins, per parity group, how many cases each machine runs.
const machinesFile = "testdata/machines.json"

var updateMachines = flag.Bool("update-machines", false, "rewrite "+machinesFile+" from the parity corpus")

// TestMachinePins evaluates every parity case on the fast path and counts, per group,
// the cases each machine (numeric, concat, expr, goja) ran. The counts must equal
// machinesFile: a change of the translation or an upgrade of expr that moves programs
// between machines fails here. After a deliberate change, rewrite the file with
// `go test ./compiler -run TestMachinePins -update-machines` and review the diff.
func TestMachinePins(t *testing.T) {
	got := map[string]map[string]int{}
	for _, f := range loadParityCorpus(t) {
		for _, g := range f.groups {
			key := f.name + " / " + g.Name
			require.NotContains(t, got, key, "two groups of the same name")
			counts := map[string]int{}
			for _, src := range g.Exprs {
				p, err := compiler.Compile(src, g.aliases(), compileOptions(src, compiler.EngineAuto, parityTimeout)...)
				require.NoError(t, err, "%s: %q", key, src)
				for _, vars := range g.Vars {
					counts[p.Machine(slotsFor(p.Deps(), vars))]++
				}
			}
			got[key] = counts
		}
	}
	data, err := json.MarshalIndent(got, "", "  ")
	require.NoError(t, err)
	data = append(data, '\n')
	if *updateMachines {
		require.NoError(t, os.WriteFile(machinesFile, data, 0o644))
		return
	}
	old, err := os.ReadFile(machinesFile)
	require.NoError(t, err, "run go test ./compiler -run TestMachinePins -update-machines")
	if bytes.Equal(old, data) {
		return
	}
	var want map[string]map[string]int
	require.NoError(t, json.Unmarshal(old, &want))
	t.Errorf("cases moved between machines (rewrite %s with -update-machines if intended):\n%s", machinesFile, machineDiff(want, got))
}

// machineDiff lists the groups whose counts differ.
func machineDiff(want, got map[string]map[string]int) string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var lines []string
	for k := range keys {
		if fmt.Sprint(want[k]) != fmt.Sprint(got[k]) {
			lines = append(lines, fmt.Sprintf("  %s: pinned %v, now %v", k, want[k], got[k]))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
