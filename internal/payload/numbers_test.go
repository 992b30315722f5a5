package payload

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// numberLayouts place two JSON number tokens, a and b, into payloads of every layout
// Decode distinguishes: the canonical one, the flat ones (white space, key
// order, extra scalar keys) and the general one (an extra object or array key, a
// nested value).
var numberLayouts = []func(a, b string) string{
	func(a, _ string) string { return `{"value":` + a + `,"timestamp_ms":1}` },
	func(a, _ string) string { return `{ "value" : ` + a + " ,\n\t\"timestamp_ms\" : 1 }\r\n" },
	func(a, _ string) string { return `{"timestamp_ms":1,"value":` + a + `}` },
	func(a, b string) string { return `{"value":` + a + `,"q":` + b + `,"timestamp_ms":1}` },
	func(a, _ string) string { return `{"value":` + a + `,"q":{},"timestamp_ms":1}` },
	func(a, _ string) string { return `{"q":[],"timestamp_ms":1,"value":` + a + `}` },
	func(a, b string) string { return `{"value":{"a":` + a + `,"b":` + b + `},"timestamp_ms":1}` },
	func(a, b string) string { return `{"value":[` + a + `,` + b + `,[` + a + `]],"timestamp_ms":1}` },
	func(a, b string) string {
		return "{ \"value\" : [ { \"x\" : " + a + " } , " + b + " ] , \"q\" : {\"n\":" + b + "}, \"timestamp_ms\" : 1e0 }"
	},
	func(a, _ string) string { return `{"value":` + a + `,"value":` + a + `,"timestamp_ms":1}` },
}

// numberToken is s when it is exactly one JSON number token.
func numberToken(s string) (string, bool) {
	var n jsonNumber
	size, ok := scanNumber([]byte(s), &n)
	return s, ok && size == len(s) && size <= 64
}

// checkDecodedLikeStd decodes payload and compares value and timestamp with
// referenceDecode (encoding/json), numbers by their bits, so -0 differs from 0.
func checkDecodedLikeStd(t *testing.T, payload string) {
	t.Helper()
	got, gotTs, _, err := Decode([]byte(payload))
	want, wantTs, refused := referenceDecode([]byte(payload))
	if refused != ruleNone {
		if err == nil {
			t.Fatalf("accepted %q (value %#v), encoding/json rejects it", payload, got.Interface())
		}
		return
	}
	if err != nil {
		t.Fatalf("rejected %q (%v), encoding/json accepts it", payload, err)
	}
	if gotTs != wantTs || !sameJSONValue(got.Interface(), want) {
		t.Fatalf("%q: got %#v ts %d, encoding/json %#v ts %d", payload, got.Interface(), gotTs, want, wantTs)
	}
}

// FuzzDecodeNumbers puts two fuzzed number tokens into one payload layout and checks
// the decoded numbers, -0 included, against encoding/json; first after decoding a
// warm-up payload of another layout, then again, so that no result depends on what
// was decoded before.
func FuzzDecodeNumbers(f *testing.F) {
	for _, seed := range []struct {
		a, b         string
		layout, warm uint8
	}{
		{"-0", "-0", 3, 0}, {"-0", "1", 4, 6}, {"-0", "-0.0", 6, 7}, {"-0", "-0e3", 7, 8},
		{"-0.0", "-0E-0", 8, 4}, {"0", "-0", 5, 3}, {"-1e-400", "-0", 6, 6}, {"1.5e300", "-12345678901234567890", 7, 1},
		{"-9007199254740993", "0.1", 3, 2}, {"123456789012345678901234567890", "-0.000", 6, 9},
	} {
		f.Add(seed.a, seed.b, seed.layout, seed.warm)
	}
	f.Fuzz(func(t *testing.T, a, b string, layout, warm uint8) {
		a, okA := numberToken(a)
		b, okB := numberToken(b)
		if !okA || !okB {
			return
		}
		payload := numberLayouts[int(layout)%len(numberLayouts)](a, b)
		checkDecodedLikeStd(t, numberLayouts[int(warm)%len(numberLayouts)](b, a))
		checkDecodedLikeStd(t, payload)
		checkDecodedLikeStd(t, payload)
	})
}

// negativeZeroPayloads hold -0 in every layout.
func negativeZeroPayloads() []string {
	var payloads []string
	for _, layout := range numberLayouts {
		for _, tok := range []string{"-0", "-0.0", "-0e0"} {
			payloads = append(payloads, layout(tok, tok))
		}
	}
	return payloads
}

// TestDecodeIndependentOfHistory decodes -0 in every layout as the first decodes of a
// fresh process (a child running this test) and again in this one after many other
// decodes: every result matches encoding/json.
func TestDecodeIndependentOfHistory(t *testing.T) {
	if os.Getenv("UNSPROC_DECODE_CHILD") == "1" {
		for i, p := range negativeZeroPayloads() {
			v, _, _, err := Decode([]byte(p))
			b, _ := json.Marshal(v.Interface()) // Go writes -0 as "-0"
			fmt.Printf("%d\t%v\t%s\n", i, err, b)
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDecodeIndependentOfHistory$")
	cmd.Env = append(os.Environ(), "UNSPROC_DECODE_CHILD=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var lines []string
	for line := range strings.Lines(string(out)) {
		if strings.Count(line, "\t") == 2 {
			lines = append(lines, strings.TrimSuffix(line, "\n"))
		}
	}
	for round := range 3 {
		for i, p := range negativeZeroPayloads() {
			checkDecodedLikeStd(t, p)
			if round == 0 {
				var std struct{ Value any }
				require.NoError(t, json.Unmarshal([]byte(p), &std))
				want, _ := json.Marshal(std.Value)
				require.Less(t, i, len(lines), "the child printed %q", out)
				assert.Equal(t, fmt.Sprintf("%d\t<nil>\t%s", i, want), lines[i], "first decodes of %q in a fresh process", p)
			}
		}
	}
}
