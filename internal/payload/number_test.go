package payload

import (
	"math"
	"math/rand"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parseTimestamp judges tok as the timestamp rule does when it is exactly one JSON
// number token.
func parseTimestamp(tok []byte) (int64, bool) {
	var n jsonNumber
	size, ok := scanNumber(tok, &n)
	if !ok || size != len(tok) {
		return 0, false
	}
	return n.timestamp(tok)
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		tok  string
		want int64
		ok   bool
	}{
		{"1", 1, true},
		{"1700000000000", 1700000000000, true},
		{"1.7e12", 1700000000000, true},
		{"1.7E+12", 1700000000000, true},
		{"17e11", 1700000000000, true},
		{"1700000000000.000", 1700000000000, true},
		{"170000000000000e-2", 1700000000000, true},
		{"0.0000001e7", 1, true},
		{"10e-1", 1, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"922337203685477580.7e1", math.MaxInt64, true},
		{"0", 0, false},
		{"0.0", 0, false},
		{"0e5", 0, false},
		{"-0", 0, false},
		{"-5", 0, false},
		{"1.5", 0, false},
		{"15e-1", 0, false},
		{"1e-1", 0, false},
		{"9223372036854775808", 0, false},
		{"9.3e18", 0, false},
		{"1e19", 0, false},
		{"1e999999999999", 0, false},
		{"1e-999999999999", 0, false},
		{"99999999999999999999", 0, false},
		{"9999999999999999999", 0, false},
		{"1000000000000000000", 1000000000000000000, true},
		{"01", 0, false},
		{"1.", 0, false},
		{".5", 0, false},
		{"1e", 0, false},
		{"+1", 0, false},
		{"1 ", 0, false},
		{`"1"`, 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.tok, func(t *testing.T) {
			got, ok := parseTimestamp([]byte(tt.tok))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestExactFloatMatchesParseFloat(t *testing.T) {
	toks := []string{"0", "-0", "1", "25.5", "-3.25", "0.1", "4.00001", "123456789", "1e22", "1e-22",
		"9007199254740992", "3.14159", "100000000000000000000", "0.000001", "1.7976931348623157e308"}
	for _, tok := range toks {
		t.Run(tok, func(t *testing.T) {
			var n jsonNumber
			size, ok := scanNumber([]byte(tok), &n)
			assert.True(t, ok)
			assert.Equal(t, len(tok), size)
			f, exact := exactFloat(&n)
			if !exact {
				return // left to the full parser
			}
			want, err := strconv.ParseFloat(tok, 64)
			assert.NoError(t, err)
			assert.Equal(t, math.Float64bits(want), math.Float64bits(f))
		})
	}
}

// TestExactFloatMatchesParseFloatOnRandomNumbers compares the fast conversion with
// strconv on random decimals: whatever it accepts must be the exact parse.
func TestExactFloatMatchesParseFloatOnRandomNumbers(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	accepted := 0
	for range 300_000 {
		intDigits, fracDigits := r.Intn(18)+1, r.Intn(24)
		b := make([]byte, 0, 48)
		if r.Intn(2) == 0 {
			b = append(b, '-')
		}
		for i := range intDigits {
			d := byte('0' + r.Intn(10))
			if i == 0 && intDigits > 1 && d == '0' {
				d = '1'
			}
			b = append(b, d)
		}
		if fracDigits > 0 {
			b = append(b, '.')
			for range fracDigits {
				b = append(b, byte('0'+r.Intn(10)))
			}
		}
		if r.Intn(4) == 0 {
			b = strconv.AppendInt(append(b, 'e'), int64(r.Intn(61)-30), 10)
		}
		tok := string(b)
		var n jsonNumber
		size, ok := scanNumber(append(b, ','), &n)
		require.True(t, ok, tok)
		require.Equal(t, len(tok), size, tok)
		f, exact := exactFloat(&n)
		if !exact {
			continue
		}
		accepted++
		want, err := strconv.ParseFloat(tok, 64)
		require.NoError(t, err)
		require.Equal(t, math.Float64bits(want), math.Float64bits(f), "%s: got %v, want %v", tok, f, want)
	}
	assert.Greater(t, accepted, 50_000, "the fast path takes the usual numbers")
}

// TestParseDigitsMatchesParseInt checks the eight-at-once digit reader against strconv,
// digits or not, at every length it takes.
func TestParseDigitsMatchesParseInt(t *testing.T) {
	r := rand.New(rand.NewSource(8))
	alphabet := []byte("0123456789/:0123456789 .-e\x00\xff")
	for range 500_000 {
		b := make([]byte, r.Intn(18)+1)
		for i := range b {
			b[i] = byte('0' + r.Intn(10))
		}
		if r.Intn(3) == 0 {
			b[r.Intn(len(b))] = alphabet[r.Intn(len(alphabet))]
		}
		got, ok := parseDigits(b)
		valid := true
		for _, c := range b {
			valid = valid && c >= '0' && c <= '9'
		}
		require.Equal(t, valid, ok, "%q", b)
		if valid {
			want, err := strconv.ParseInt(string(b), 10, 64)
			require.NoError(t, err)
			require.Equal(t, want, got, "%q", b)
		}
	}
}
