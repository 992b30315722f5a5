package compat

import (
	"encoding/json"
	"math"
	"math/rand"
	"testing"

	"github.com/dop251/goja/ftoa"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "0"},
		{math.NaN(), "NaN"},
		{math.Inf(1), "Infinity"},
		{math.Inf(-1), "-Infinity"},
		{pointOnePlusPointTwo, "0.30000000000000004"},
		{1e21, "1e+21"},
		{-1e21, "-1e+21"},
		{1e20, "100000000000000000000"},
		{1e6, "1000000"},
		{1e-6, "0.000001"},
		{1e-7, "1e-7"},
		{1.5e-7, "1.5e-7"},
		{123e-20, "1.23e-18"},
		{1.5e300, "1.5e+300"},
		{1 << 53, "9007199254740992"},
		{1<<53 + 2, "9007199254740994"},
		{1 << 63, "9223372036854776000"},
		{-2.5, "-2.5"},
		{25.5, "25.5"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.SmallestNonzeroFloat64, "5e-324"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatNumber(tt.in), "FormatNumber(%s)", describe(tt.in))
		assert.Equal(t, tt.want, string(AppendNumber([]byte("x"), tt.in)[1:]), "AppendNumber(%s)", describe(tt.in))
	}
}

// TestFormatNumberMatchesFtoa compares against the formatter goja runs for
// non-integer numbers, on millions of values.
func TestFormatNumberMatchesFtoa(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	var want, got []byte
	for i := range 1_500_000 {
		f := randNumber(r)
		if i%2 == 0 {
			f = math.Float64frombits(r.Uint64())
		}
		if IsInt(f) {
			continue // goja prints integer values with strconv.FormatInt
		}
		want = ftoa.FToStr(f, ftoa.ModeStandard, 0, want[:0])
		got = AppendNumber(got[:0], f)
		if string(want) != string(got) {
			require.Failf(t, "differs from ftoa", "%s: ftoa %q, compat %q", describe(f), want, got)
		}
	}
}

// TestFormatNumberShortDecimalsMatchFtoa aims at appendShortDecimal: decimals with few
// fraction digits, their float neighbours (whose shortest forms are long), and the
// results of arithmetic on such decimals, as mappings compute them.
func TestFormatNumberShortDecimalsMatchFtoa(t *testing.T) {
	r := rand.New(rand.NewSource(5))
	var want, got []byte
	check := func(f float64) {
		if IsInt(f) || math.IsNaN(f) || math.IsInf(f, 0) {
			return
		}
		want = ftoa.FToStr(f, ftoa.ModeStandard, 0, want[:0])
		got = AppendNumber(got[:0], f)
		if string(want) != string(got) {
			require.Failf(t, "differs from ftoa", "%s: ftoa %q, compat %q", describe(f), want, got)
		}
	}
	for range 1_000_000 {
		digits := r.Intn(16) + 1
		m := float64(r.Int63n(int64(math.Pow10(digits))))
		f := m / math.Pow10(r.Intn(digits+7))
		if r.Intn(2) == 0 {
			f = -f
		}
		check(f)
		check(math.Nextafter(f, math.Inf(1)))
		check(math.Nextafter(f, math.Inf(-1)))
		g := float64(r.Intn(100000)) / math.Pow10(r.Intn(6))
		check(f + g)
		check(f * g)
		check(f / 4)
		check(f * 69 / 31)
	}
}

func TestFormatNumberMatchesGoja(t *testing.T) {
	js := newJS(t)
	r := rand.New(rand.NewSource(3))
	check := func(f float64) {
		requireSame(t, js.mustEval("String(a)", f), FormatNumber(f), "String(%s)", describe(f))
		requireSame(t, js.mustEval("`${a}`", f), FormatNumber(f), "`${%s}`", describe(f))
	}
	for _, f := range edgeNumbers {
		check(f)
	}
	for range 40000 {
		check(randNumber(r))
	}
}

func TestAppendJSONNumber(t *testing.T) {
	tests := []struct {
		in   float64
		want string
		ok   bool
	}{
		{0, "0", true},
		{math.Copysign(0, -1), "-0", true},
		{1.5, "1.5", true},
		{1e21, "1e+21", true},
		{1e-7, "1e-7", true},
		{1 << 53, "9007199254740992", true},
		{math.NaN(), "", false},
		{math.Inf(1), "", false},
		{math.Inf(-1), "", false},
	}
	for _, tt := range tests {
		got, ok := AppendJSONNumber([]byte("x"), tt.in)
		assert.Equal(t, tt.ok, ok, "ok for %s", describe(tt.in))
		assert.Equal(t, "x"+tt.want, string(got), "AppendJSONNumber(%s)", describe(tt.in))
	}
}

// TestAppendJSONNumberMatchesEncodingJSON checks the byte-for-byte promise on
// millions of values.
func TestAppendJSONNumberMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	var got []byte
	check := func(f float64) {
		want, err := json.Marshal(Export(f))
		var ok bool
		got, ok = AppendJSONNumber(got[:0], f)
		if err != nil {
			require.False(t, ok, "ok for %s that encoding/json rejects", describe(f))
			require.Empty(t, got)
			return
		}
		if !ok || string(want) != string(got) {
			require.Failf(t, "differs from encoding/json", "%s: json %q, compat %q (ok %v)", describe(f), want, got, ok)
		}
	}
	for _, f := range edgeNumbers {
		check(f)
	}
	for i := range 2_000_000 {
		if i%2 == 0 {
			check(math.Float64frombits(r.Uint64()))
		} else {
			check(randNumber(r))
		}
	}
}

func TestAppendNumberDoesNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 64)
	for _, f := range edgeNumbers {
		assert.Zero(t, testing.AllocsPerRun(10, func() { _ = AppendNumber(buf[:0], f) }), "AppendNumber(%s)", describe(f))
		assert.Zero(t, testing.AllocsPerRun(10, func() { _, _ = AppendJSONNumber(buf[:0], f) }), "AppendJSONNumber(%s)", describe(f))
	}
}

func TestAppendPrimitive(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
		ok   bool
	}{
		{"a😀", "a😀", true}, {2.5, "2.5", true}, {1e21, "1e+21", true}, {true, "true", true},
		{false, "false", true}, {nil, "null", true}, {map[string]any{}, "", false}, {[]any{}, "", false},
	} {
		got, ok := AppendPrimitive([]byte("x"), tt.v)
		if ok != tt.ok || string(got) != "x"+tt.want {
			t.Errorf("AppendPrimitive(%#v) = %q, %v; want %q, %v", tt.v, got, ok, "x"+tt.want, tt.ok)
		}
	}
}
