package docs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/processor"
)

// migrationSources are the sources of the examples in migration.md.
var migrationSources = map[string]string{"press": "t.press", "tF": "t.tF", "r": "t.r"}

// tableRows returns the data rows of the Markdown table in section name of doc, after
// checking its header.
func tableRows(t *testing.T, doc, name string, header []string) [][]string {
	t.Helper()
	table, _ := section(t, doc, name)
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	require.Greater(t, len(lines), 2, "section %s", name)
	require.Equal(t, header, tableRow(lines[0]))
	var rows [][]string
	for _, line := range lines[2:] {
		cells := tableRow(line)
		require.Len(t, cells, len(header), "row %q", line)
		rows = append(rows, cells)
	}
	return rows
}

// TestMigrationExamples runs every example of the table in migration.md through the
// processor and checks the unsproc column.
func TestMigrationExamples(t *testing.T) {
	doc, err := os.ReadFile("migration.md")
	require.NoError(t, err)
	rows := tableRows(t, string(doc), "examples", []string{"Rule", "Mapping", "Inputs", "Reference", "unsproc"})
	for _, row := range rows {
		src := codeSpan(row[1])
		require.NotEmpty(t, src, "mapping of %v", row)
		t.Run(src, func(t *testing.T) {
			p, err := processor.New(processor.Config{
				Mode: processor.ModeTimeseries, OutputTopic: "o", Model: processor.Model{Name: "m", Version: "v1"},
				Sources: migrationSources, Mapping: map[string]any{"m": src},
			})
			want := row[4]
			if rest, ok := strings.CutPrefix(want, "config error: "); ok {
				require.Error(t, err)
				assert.Contains(t, err.Error(), codeSpan(rest))
				return
			}
			require.NoError(t, err)

			var got []string
			inputs := strings.Split(codeSpan(row[2]), ", ")
			for i, in := range inputs {
				alias, value, ok := strings.Cut(in, "=")
				require.True(t, ok, "input %q", in)
				got = got[:0]
				payload := fmt.Sprintf(`{"value":%s,"timestamp_ms":%d}`, value, i+1)
				res := p.Process(migrationSources[alias], []byte(payload), func(o processor.Output) {
					var out struct{ Value json.RawMessage }
					require.NoError(t, json.Unmarshal(o.Payload, &out))
					got = append(got, string(out.Value))
				})
				require.NoError(t, res.Err)
			}
			if strings.HasPrefix(want, "no output") {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			assert.Equal(t, codeSpan(want), got[0])
		})
	}
}

// TestMigrationPayloads checks the unsproc column of the payload table in migration.md.
func TestMigrationPayloads(t *testing.T) {
	doc, err := os.ReadFile("migration.md")
	require.NoError(t, err)
	p, err := processor.New(processor.Config{
		Mode: processor.ModeTimeseries, OutputTopic: "o", Model: processor.Model{Name: "m", Version: "v1"},
		Sources: migrationSources, Mapping: map[string]any{"m": "press"},
	})
	require.NoError(t, err)
	for _, row := range tableRows(t, string(doc), "payloads", []string{"Payload", "Reference", "unsproc"}) {
		payload := codeSpan(row[0])
		t.Run(payload, func(t *testing.T) {
			var out bytes.Buffer
			res := p.Process("t.press", []byte(payload), func(o processor.Output) { out.Write(o.Payload) })
			switch row[2] {
			case "accepted":
				assert.NoError(t, res.Err)
				assert.NotZero(t, out.Len())
			case "rejected":
				assert.Error(t, res.Err)
				assert.Zero(t, out.Len())
			default:
				t.Fatalf("unknown outcome %q", row[2])
			}
		})
	}
}
