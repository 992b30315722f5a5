package compat

import (
	"strconv"
	"testing"
)

var (
	sinkFloat  float64
	sinkInt    int
	sinkBytes  []byte
	sinkString string
)

func BenchmarkAppendNumber(b *testing.B) {
	for _, bm := range []struct {
		name string
		f    float64
	}{
		{"int", 123456},
		{"short", 21.5},
		{"long", pointOnePlusPointTwo},
		{"exponent", 1.5e-9},
	} {
		b.Run(bm.name, func(b *testing.B) {
			buf := make([]byte, 0, 32)
			b.ReportAllocs()
			for b.Loop() {
				sinkBytes = AppendNumber(buf[:0], bm.f)
			}
		})
	}
	b.Run("strconv-g-baseline", func(b *testing.B) {
		buf := make([]byte, 0, 32)
		for b.Loop() {
			sinkBytes = strconv.AppendFloat(buf[:0], 21.5, 'g', -1, 64)
		}
	})
}

func BenchmarkMul(b *testing.B) {
	x, y := 3.25, -7.5
	for b.Loop() {
		sinkFloat = Mul(x, y)
	}
}

func BenchmarkPow(b *testing.B) {
	x, y := 13.0, 17.0
	for b.Loop() {
		sinkFloat = Pow(x, y)
	}
}

func BenchmarkRound(b *testing.B) {
	x := -2.5
	for b.Loop() {
		sinkFloat = Round(x)
	}
}

func BenchmarkCompareStrings(b *testing.B) {
	for _, bm := range []struct{ name, a, b string }{
		{"ascii", "sensor/line-4/temperature", "sensor/line-4/pressure"},
		{"non-ascii", "Füllstand Tank 4 😀", "Füllstand Tank 4 \uFFFF"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			for b.Loop() {
				sinkInt = CompareStrings(bm.a, bm.b)
			}
		})
	}
}

func BenchmarkToFixed(b *testing.B) {
	for _, x := range []float64{21.456, 2.5} {
		b.Run(strconv.FormatFloat(x, 'g', -1, 64), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString, _ = ToFixed(x, 1)
			}
		})
	}
}

func BenchmarkStringToNumber(b *testing.B) {
	for _, s := range []string{"42", " 21.5 "} {
		b.Run(s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkFloat, _ = StringToNumber(s)
			}
		})
	}
}

func BenchmarkCaseMapping(b *testing.B) {
	for _, s := range []string{"pump running", "Füllstand straße"} {
		b.Run("upper/"+s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = ToUpper(s)
			}
		})
		b.Run("lower/"+s, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = ToLower(s)
			}
		})
	}
}
