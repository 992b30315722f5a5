package main

import (
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHelpIsUnsprocs: `unsproc --help` describes unsproc, not Benthos, and lists
// unsproc's commands.
func TestHelpIsUnsprocs(t *testing.T) {
	res := runCaptured(t, "--help")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "unsproc - "+helpSummary)
	assert.Contains(t, res.stdout, "unsproc explain examples/pump/config.yaml")
	assert.NotContains(t, res.stdout, "mundane")
	assert.NotContains(t, res.stdout, "kafka")
	for _, cmd := range []string{"explain", "try", "lint", "run", "test"} {
		assert.Regexp(t, `(?m)^   `+cmd+` +\S`, res.stdout)
	}
}

var helpExampleRe = regexp.MustCompile(`(?m)^   unsproc (.+)$`)

// TestHelpExamplesWork runs every example command of the help from the repository
// root; a `run` is linted rather than run.
func TestHelpExamplesWork(t *testing.T) {
	examples := helpExampleRe.FindAllStringSubmatch(helpDescription, -1)
	require.GreaterOrEqual(t, len(examples), 5)
	t.Chdir("../..")
	for _, m := range examples {
		args := strings.Fields(m[1])
		t.Run(m[1], func(t *testing.T) {
			if args[0] == "run" {
				args[0] = "lint"
			}
			res := runCaptured(t, args...)
			assert.Equal(t, 0, res.code, "%s\n%s", res.stdout, res.stderr)
		})
	}
}

func TestBuildStamp(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	const rev, when = "82fa95a4ab4d397182fe9e36271bf062f009911f", "2026-12-03T09:15:09Z"
	cases := []struct {
		name          string
		info          *debug.BuildInfo
		ok            bool
		version, date string
	}{
		{name: "tag", ok: true, info: &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: settings("vcs.revision", rev, "vcs.time", when)}, version: "v1.2.0", date: when},
		{name: "pseudo-version", ok: true, info: &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261203091509-82fa95a4ab4d"}, Settings: settings("vcs.time", when)}, version: "v0.0.0-20261203091509-82fa95a4ab4d", date: when},
		{name: "devel with commit", ok: true, info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: settings("vcs.revision", rev, "vcs.time", when, "vcs.modified", "false")}, version: "82fa95a4ab4d", date: when},
		{name: "uncommitted changes", ok: true, info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: settings("vcs.revision", rev, "vcs.time", when, "vcs.modified", "true")}, version: "82fa95a4ab4d-dirty", date: when},
		{name: "no version control", ok: true, info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, version: "unknown (built without version control information)", date: "unknown"},
		{name: "no build info", version: "unknown (built without version control information)", date: "unknown"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			version, date := buildStamp(c.info, c.ok)
			assert.Equal(t, c.version, version)
			assert.Equal(t, c.date, date)
		})
	}
}

func TestVersionFlag(t *testing.T) {
	res := runCaptured(t, "--version")
	require.Equal(t, 0, res.code)
	want, built := buildStamp(debug.ReadBuildInfo())
	assert.Equal(t, "Version: "+want+"\nDate: "+built+"\n", res.stdout)
	assert.NotContains(t, res.stdout, "(devel)")
}
