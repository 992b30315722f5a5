package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redpanda-data/benthos/v4/public/service"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/unsproc/unsproc/components/replay"
	"github.com/unsproc/unsproc/components/streamprocessor"
)

var outputLineRe = regexp.MustCompile(`(?m)^  → (\S+) (\{.*\})(?:  \(goja\))?$`)

// pluginOutputs runs the sample through the Benthos plugin built from the block, one
// message per batch, and returns "topic payload" per output. Outputs of mappings whose
// topic is in skip are left out.
func pluginOutputs(t *testing.T, b *configBlock, samplePath string, skip map[string]bool) []string {
	t.Helper()
	text, err := yaml.Marshal(b.node)
	require.NoError(t, err)
	conf, err := streamprocessor.ConfigSpec().ParseYAML(string(text), nil)
	require.NoError(t, err)
	// A state cache the block names is an empty memory cache here, as in a first run.
	var opts []service.MockResourcesOptFn
	if conf.Contains("state_cache") {
		label, err := conf.FieldString("state_cache")
		require.NoError(t, err)
		if label != "" {
			opts = append(opts, service.MockResourcesOptAddCache(label))
		}
	}
	bp, err := streamprocessor.NewBatchProcessor(conf, service.MockResources(opts...))
	require.NoError(t, err)

	f, err := os.Open(samplePath)
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		s, err := replay.ParseLine(sc.Bytes())
		require.NoError(t, err)
		msg := service.NewMessage(s.Payload)
		if s.HasTopic {
			msg.MetaSetMut("umh_topic", string(s.Topic))
		}
		batches, err := bp.ProcessBatch(context.Background(), service.MessageBatch{msg})
		require.NoError(t, err)
		for _, batch := range batches {
			for _, m := range batch {
				if m.GetError() != nil {
					continue // a rejected input passed on for a dead-letter route
				}
				topic, _ := m.MetaGet("umh_topic")
				body, err := m.AsBytes()
				require.NoError(t, err)
				if !skip[topic] {
					out = append(out, topic+" "+string(body))
				}
			}
		}
	}
	return out
}

// TestTryMatchesThePlugin runs every example's sample through `try` and through the
// Benthos plugin: the outputs must be the same (impure statics, which read the clock,
// are left out).
func TestTryMatchesThePlugin(t *testing.T) {
	for _, path := range exampleConfigs(t) {
		sample := filepath.Join(filepath.Dir(path), "sample.jsonl")
		t.Run(path, func(t *testing.T) {
			require.FileExists(t, sample, "every example comes with sample data")
			res := runCLI(t, "try", "-c", path, "--input", sample)
			require.Equal(t, 0, res.code, res.stderr)

			r, _ := explainJSON(t, path)
			impure := map[string]bool{}
			for _, m := range r.Processors[0].Mappings {
				impure[m.Topic] = m.Kind == "impure static"
			}
			var got []string
			for _, m := range outputLineRe.FindAllStringSubmatch(res.stdout, -1) {
				if !impure[m[1]] {
					got = append(got, m[1]+" "+m[2])
				}
			}
			f, err := loadConfigFile(path, os.LookupEnv)
			require.NoError(t, err)
			want := pluginOutputs(t, f.Blocks[0], sample, impure)
			require.NotEmpty(t, want)
			assert.Equal(t, want, got)
			assert.Contains(t, res.stdout, "outputs, ")
		})
	}
}

const tryConfig = `output_topic: umh.v1.site
model: {name: m, version: v1}
sources:
  a: umh.v1.site._raw.a
  b: umh.v1.site._raw.b
  s: umh.v1.site._raw.s
mapping:
  sum: a + b
  inf: a / 0
  member: s.x.y
  obj: '{v: a, w: [b]}'
`

// tryOutput runs `try` on the given sample lines with tryConfig.
func tryOutput(t *testing.T, lines ...string) cliResult {
	t.Helper()
	config := writeFile(t, "config.yaml", block(tryConfig))
	sample := writeFile(t, "sample.jsonl", strings.Join(lines, "\n")+"\n")
	return runCLI(t, "try", "-c", config, "-i", sample)
}

func TestTryReportsWhyMappingsDidNotFire(t *testing.T) {
	res := tryOutput(t,
		`{"topic": "umh.v1.site._raw.a", "value": 2, "timestamp_ms": 1}`,
		`{"topic": "umh.v1.site._raw.b", "payload": {"value": 3, "timestamp_ms": 2}}`,
		``,
		`{"topic": "umh.v1.site._raw.s", "value": 5, "timestamp_ms": 3}`,
		`{"topic": "umh.v1.site._raw.zzz", "value": 5, "timestamp_ms": 4}`,
		`{"topic": "umh.v1.site._raw.a", "payload": "not json"}`,
		`{"payload": {"value": 1, "timestamp_ms": 5}}`,
	)
	require.Equal(t, 0, res.code, res.stderr)
	want := `#1 umh.v1.site._raw.a {"value":2,"timestamp_ms":1}
  ✗ inf: result is Infinity or -Infinity, which cannot be emitted as JSON
  ✗ obj: waiting for b
  ✗ sum: waiting for b
#2 umh.v1.site._raw.b {"value": 3, "timestamp_ms": 2}
  → umh.v1.site._m_v1.obj {"value":{"v":2,"w":[3]},"timestamp_ms":2}  (goja)
  → umh.v1.site._m_v1.sum {"value":5,"timestamp_ms":2}
#4 umh.v1.site._raw.s {"value":5,"timestamp_ms":3}
  ✗ member: TypeError: Cannot read property 'y' of undefined at expression 1:5
#5 umh.v1.site._raw.zzz {"value":5,"timestamp_ms":4}
  skipped: not a source topic
#6 umh.v1.site._raw.a not json
  rejected: invalid timeseries payload: not a JSON object (expected {"value": …, "timestamp_ms": …}) (the state is unchanged)
#7 (no topic) {"value": 1, "timestamp_ms": 5}
  rejected: no umh_topic metadata

6 inputs: 2 outputs, 1 skipped (not a source), 2 rejected
never fired: inf, member
`
	assert.Equal(t, want, res.stdout)
}

func TestTryStoredWithoutDependents(t *testing.T) {
	fields := strings.Replace(validFields, "mapping:", "  other: umh.v1.site.line._raw.other\nmapping:", 1)
	config := writeFile(t, "config.yaml", block(fields))
	sample := writeFile(t, "sample.jsonl", `{"topic": "umh.v1.site.line._raw.other", "value": 1, "timestamp_ms": 1}`)
	res := runCLI(t, "try", "-c", config, "-i", sample)
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, "  no output: the value is stored; no mapping depends on this topic\n")
	assert.Contains(t, res.stdout, "never fired: pressure\n")
}

func TestTryProgress(t *testing.T) {
	config := writeFile(t, "config.yaml", block(validFields))
	f, err := loadConfigFile(config, os.LookupEnv)
	require.NoError(t, err)
	tr, problems := newTrial(f, f.Blocks[0])
	require.Empty(t, problems)
	var out, progress bytes.Buffer
	tr.out, tr.progress, tr.progressEvery = &out, &progress, 3
	var sample strings.Builder
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&sample, `{"topic": "umh.v1.site.line._raw.press", "value": %d, "timestamp_ms": %d}`+"\n", i, i)
	}
	require.NoError(t, tr.run(strings.NewReader(sample.String())))
	lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[0], "try: 3 inputs, 3 outputs"), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "try: 6 inputs, 6 outputs"), lines[1])
	assert.Contains(t, out.String(), "7 inputs: 7 outputs")
}

func TestTryBadSampleLines(t *testing.T) {
	res := tryOutput(t,
		`not json`,
		`{"topic": "umh.v1.site._raw.a"}`,
		`{"topic": "umh.v1.site._raw.a", "payload": {}, "value": 1}`,
		`{"topic": "umh.v1.site._raw.a", "value": 1, "timestamp_ms": 1}`,
	)
	assert.Equal(t, 1, res.code)
	assert.Contains(t, res.stdout, "line 1: not a JSON object")
	assert.Contains(t, res.stdout, `line 2: expected "payload", or "value" and "timestamp_ms"`)
	assert.Contains(t, res.stdout, "line 3: give either")
	assert.Contains(t, res.stdout, "\n1 input: 0 outputs, 0 skipped (not a source), 0 rejected, 3 unreadable lines\n")
	assert.Contains(t, res.stderr, errBadSamples.Error())
}

func TestTryChoosesTheProcessor(t *testing.T) {
	sample := writeFile(t, "s.jsonl", `{"topic": "umh.v1.site._raw.a", "value": 1, "timestamp_ms": 1}`)
	broken := "testdata/broken.yaml"
	cases := []struct {
		name           string
		args           []string
		unsetEnv       bool // leave ${tF}, which the config uses, unset
		code           int
		stdout, stderr string
	}{
		{name: "several and none chosen", args: []string{"-c", broken}, code: 1, stderr: "choose one with --processor"},
		{name: "by path", args: []string{"-c", broken, "-p", "/pipeline/processors/1/branch/processors/0"}, stdout: "umh.v1.site._m_v1.twice {\"value\":2,"},
		{name: "invalid one by label", args: []string{"-c", broken, "--processor", "pump"}, code: 1, stdout: "unknown name pump"},
		{name: "no such processor", args: []string{"-c", broken, "-p", "/nope"}, code: 1, stderr: `no stream_processor at "/nope"`},
		{name: "environment variable not set", args: []string{"-c", broken, "-p", "/pipeline/processors/1/branch/processors/0"}, unsetEnv: true, code: 1, stdout: "testdata/broken.yaml(18,22) required environment variable tF is not set"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("tF", "1") // restored after the test
			if c.unsetEnv {
				require.NoError(t, os.Unsetenv("tF"))
			}
			res := runCLI(t, append(append([]string{"try"}, c.args...), "-i", sample)...)
			assert.Equal(t, c.code, res.code, res.stderr)
			assert.Contains(t, res.stdout, c.stdout)
			assert.Contains(t, res.stderr, c.stderr)
		})
	}
}
