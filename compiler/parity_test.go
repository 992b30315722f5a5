package compiler_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/unsproc/unsproc/compiler"
)

// parityDir holds the parity corpus (format: corpus/parity/README.md).
const parityDir = "../corpus/parity"

// compileErrorsFile is the corpus file of expressions Compile must reject; every other
// *.json file in parityDir holds parity groups.
const compileErrorsFile = "compile_errors.json"

// minParityCases and minFastShare are the corpus size and the share of
// non-fallback-by-design cases that must run on the expr fast path.
const (
	minParityCases = 2000
	minFastShare   = 0.90
)

// parityClock is the time source both engines share, so Date agrees between them.
func parityClock() time.Time { return time.Date(2023, 11, 14, 22, 13, 20, 123456789, time.UTC) }

// parityGroup is one group of the corpus: its cases are Exprs × Vars.
type parityGroup struct {
	Name     string           `json:"name"`
	Notes    string           `json:"notes"`
	Fallback bool             `json:"fallback"`
	Exprs    []string         `json:"exprs"`
	Vars     []map[string]any `json:"vars"`
}

// aliases is the sorted union of the keys of every vars object.
func (g parityGroup) aliases() []string {
	set := map[string]bool{}
	for _, v := range g.Vars {
		for k := range v {
			set[k] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// parityFile is one corpus file with its groups.
type parityFile struct {
	name   string
	groups []parityGroup
}

// decodeStrict decodes JSON into out with encoding/json (so -0 stays float64 -0),
// rejecting unknown fields and trailing data.
func decodeStrict(data []byte, out any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON value")
	}
	return nil
}

// loadParityCorpus reads and checks every parity group file.
func loadParityCorpus(t testing.TB) []parityFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(parityDir, "*.json"))
	require.NoError(t, err)
	var files []parityFile
	for _, path := range paths {
		if filepath.Base(path) == compileErrorsFile {
			continue
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		var groups []parityGroup
		require.NoError(t, decodeStrict(data, &groups), path)
		require.NotEmpty(t, groups, path)
		for _, g := range groups {
			where := path + ": " + g.Name
			require.NotEmpty(t, g.Name, path)
			require.NotEmpty(t, g.Exprs, where)
			require.NotEmpty(t, g.Vars, where+`: "vars" needs at least one object ([{}] for none)`)
			aliases := g.aliases()
			for _, a := range aliases {
				require.NoError(t, compiler.ValidateAlias(a), where)
			}
			for i, v := range g.Vars {
				require.Len(t, v, len(aliases), "%s: vars[%d] must bind every alias %v", where, i, aliases)
			}
		}
		files = append(files, parityFile{name: filepath.Base(path), groups: groups})
	}
	require.NotEmpty(t, files, "no parity corpus in %s", parityDir)
	return files
}

// copyValue deep-copies a value decoded by encoding/json, so that an expression that
// mutates its inputs (delete obj.k) cannot affect the next evaluation.
func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	default:
		return v
	}
}

func copyVars(vars map[string]any) map[string]any {
	return copyValue(vars).(map[string]any)
}

// slotsFor orders copies of vars by deps, as EvalSlots takes them.
func slotsFor(deps []string, vars map[string]any) []any {
	vals := make([]any, len(deps))
	for i, d := range deps {
		vals[i] = copyValue(vars[d])
	}
	return vals
}

// outcome is the result of one evaluation.
type outcome struct {
	val any
	err error
}

// goPointer matches the Go pointers some goja error texts include (an object that cannot
// be converted to a primitive is printed with its Go representation).
var goPointer = regexp.MustCompile(`0x[0-9a-f]+`)

// diffOutcome describes how got differs from want, or returns "" when they are the same:
// both errors with the same text (up to Go pointers), or both values equal under diffValue.
func diffOutcome(want, got outcome, looseNumbers bool) string {
	switch {
	case want.err != nil && got.err != nil:
		if goPointer.ReplaceAllString(want.err.Error(), "0x…") != goPointer.ReplaceAllString(got.err.Error(), "0x…") {
			return fmt.Sprintf("error texts differ: want %q, got %q", want.err, got.err)
		}
		return ""
	case want.err != nil:
		return fmt.Sprintf("want error %q, got %s", want.err, render(got.val))
	case got.err != nil:
		return fmt.Sprintf("want %s, got error %q", render(want.val), got.err)
	}
	if d := diffValue(reflect.ValueOf(want.val), reflect.ValueOf(got.val), looseNumbers, 0); d != "" {
		return fmt.Sprintf("want %s, got %s (%s)", render(want.val), render(got.val), d)
	}
	return ""
}

// maxCompareDepth stops comparing (and reports a difference) in cyclic or absurdly deep values.
const maxCompareDepth = 32

var timeType = reflect.TypeOf(time.Time{})

// diffValue compares two exported values exactly: the same Go type (int64 and float64
// differ), float64 bit for bit except that every NaN equals every NaN (so -0 differs from
// +0), containers element by element with the same rules, time.Time by instant and zone,
// functions only by being functions. With looseNumbers, an int64 equals the float64 of the
// same value and sign (EvalSlots does not normalise numbers).
func diffValue(a, b reflect.Value, looseNumbers bool, depth int) string {
	if depth > maxCompareDepth {
		return "values nested too deeply to compare"
	}
	if !a.IsValid() || !b.IsValid() {
		if a.IsValid() == b.IsValid() {
			return ""
		}
		return "one value is nil"
	}
	if looseNumbers {
		if d, ok := diffLooseNumber(a, b); ok {
			return d
		}
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("type %s vs %s", a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Float32, reflect.Float64:
		x, y := a.Float(), b.Float()
		if math.IsNaN(x) && math.IsNaN(y) {
			return ""
		}
		if x != y || math.Signbit(x) != math.Signbit(y) {
			return fmt.Sprintf("%s vs %s", formatFloat(x), formatFloat(y))
		}
		return ""
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() == b.IsNil() {
				return ""
			}
			return "one value is nil"
		}
		return diffValue(a.Elem(), b.Elem(), looseNumbers, depth+1)
	case reflect.Slice, reflect.Array:
		if a.Kind() == reflect.Slice && a.IsNil() != b.IsNil() {
			return "nil slice vs empty slice"
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("length %d vs %d", a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diffValue(a.Index(i), b.Index(i), looseNumbers, depth+1); d != "" {
				return fmt.Sprintf("[%d]: %s", i, d)
			}
		}
		return ""
	case reflect.Map:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%d keys vs %d", a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("key %v missing", k)
			}
			if d := diffValue(a.MapIndex(k), bv, looseNumbers, depth+1); d != "" {
				return fmt.Sprintf("[%v]: %s", k, d)
			}
		}
		return ""
	case reflect.Func:
		return ""
	case reflect.Struct:
		if a.Type() == timeType {
			ta, tb := a.Interface().(time.Time), b.Interface().(time.Time)
			if !ta.Equal(tb) || ta.Location().String() != tb.Location().String() {
				return fmt.Sprintf("time %s vs %s", ta.Format(time.RFC3339Nano), tb.Format(time.RFC3339Nano))
			}
			return ""
		}
	}
	if a.CanInterface() && b.CanInterface() && reflect.DeepEqual(a.Interface(), b.Interface()) {
		return ""
	}
	return fmt.Sprintf("%#v vs %#v", a, b)
}

// diffLooseNumber compares an int64 with a float64 (either order); ok is false when the
// pair is not such a mix.
func diffLooseNumber(a, b reflect.Value) (diff string, ok bool) {
	for a.Kind() == reflect.Interface && !a.IsNil() {
		a = a.Elem()
	}
	for b.Kind() == reflect.Interface && !b.IsNil() {
		b = b.Elem()
	}
	var i int64
	var f float64
	switch {
	case a.Kind() == reflect.Int64 && b.Kind() == reflect.Float64:
		i, f = a.Int(), b.Float()
	case a.Kind() == reflect.Float64 && b.Kind() == reflect.Int64:
		i, f = b.Int(), a.Float()
	default:
		return "", false
	}
	if float64(i) != f || (f == 0 && math.Signbit(f)) {
		return fmt.Sprintf("int64 %d vs float64 %s", i, formatFloat(f)), true
	}
	return "", true
}

// formatFloat writes a float64 so that -0, NaN and ±Inf are visible.
func formatFloat(f float64) string {
	if f == 0 && math.Signbit(f) {
		return "-0"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// render shows a value with its Go type, compactly and with -0 visible.
func render(v any) string {
	var b strings.Builder
	writeRendered(&b, v, 0)
	return b.String()
}

func writeRendered(b *strings.Builder, v any, depth int) {
	if depth > 4 {
		b.WriteString("…")
		return
	}
	switch v := v.(type) {
	case nil:
		b.WriteString("nil")
	case float64:
		b.WriteString("float64(" + formatFloat(v) + ")")
	case int64:
		fmt.Fprintf(b, "int64(%d)", v)
	case string:
		b.WriteString(strconv.QuoteToGraphic(v))
	case bool:
		fmt.Fprintf(b, "%t", v)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strconv.Quote(k) + ": ")
			writeRendered(b, v[k], depth+1)
		}
		b.WriteString("}")
	case []any:
		b.WriteString("[")
		for i, e := range v {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRendered(b, e, depth+1)
		}
		b.WriteString("]")
	default:
		if reflect.TypeOf(v).Kind() == reflect.Func {
			fmt.Fprintf(b, "func %T", v)
			return
		}
		s := fmt.Sprintf("%T(%v)", v, v)
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		b.WriteString(s)
	}
}

// parityTimeout bounds one goja evaluation; generous, so that a loaded machine cannot make
// one engine time out where the other does not.
const parityTimeout = time.Second

// compileOptions are the options both engines compile src with. Only sources that name
// Date get the fixed clock: a clock makes Compile build a private goja sandbox (a few ms
// per program), whereas without one programs share a cached sandbox.
func compileOptions(src string, e compiler.Engine, timeout time.Duration) []compiler.Option {
	opts := []compiler.Option{compiler.WithEngine(e), compiler.WithTimeout(timeout)}
	if strings.Contains(src, "Date") {
		opts = append(opts, compiler.WithClock(parityClock))
	}
	return opts
}

// compileBoth compiles src with both engines.
func compileBoth(src string, aliases []string) (auto, ref *compiler.Program, autoErr, refErr error) {
	opts := func(e compiler.Engine) []compiler.Option { return compileOptions(src, e, parityTimeout) }
	auto, autoErr = compiler.Compile(src, aliases, opts(compiler.EngineAuto)...)
	ref, refErr = compiler.Compile(src, aliases, opts(compiler.EngineGoja)...)
	return auto, ref, autoErr, refErr
}

// diffCompile compares the compile outcomes of both engines, or returns "" when both
// succeeded or both failed with the same text.
func diffCompile(autoErr, refErr error) string {
	switch {
	case autoErr == nil && refErr == nil:
		return ""
	case autoErr != nil && refErr != nil:
		if autoErr.Error() != refErr.Error() {
			return fmt.Sprintf("compile errors differ: goja %q, auto %q", refErr, autoErr)
		}
		return ""
	case refErr != nil:
		return fmt.Sprintf("goja rejects (%v), auto compiles", refErr)
	default:
		return fmt.Sprintf("auto rejects (%v), goja compiles", autoErr)
	}
}

// diffPrograms compares what both engines report about the same expression.
func diffPrograms(auto, ref *compiler.Program) string {
	if !reflect.DeepEqual(auto.Deps(), ref.Deps()) {
		return fmt.Sprintf("deps differ: goja %v, auto %v", ref.Deps(), auto.Deps())
	}
	if auto.Kind() != ref.Kind() {
		return fmt.Sprintf("kinds differ: goja %s, auto %s", ref.Kind(), auto.Kind())
	}
	return ""
}

// parityRun evaluates the corpus and counts what it saw.
type parityRun struct {
	t                      *testing.T
	cases, diffs           int
	designed, designedFast int               // fallback-by-design cases, and those that ran fast anyway
	subset, subsetFast     int               // all other cases, and those that ran on the fast path
	onGoja                 map[string][2]int // per expression: subset cases on goja, all subset cases
}

// maxReportedDiffs caps the differences reported one by one.
const maxReportedDiffs = 300

// report records one difference.
func (r *parityRun) report(format string, args ...any) {
	r.t.Helper()
	r.diffs++
	if r.diffs <= maxReportedDiffs {
		r.t.Errorf(format, args...)
	}
}

// TestParityCorpus evaluates every corpus case with EngineAuto and EngineGoja and requires
// identical results, then checks that the fast path covers the subset.
func TestParityCorpus(t *testing.T) {
	files := loadParityCorpus(t)
	r := &parityRun{t: t, onGoja: map[string][2]int{}}
	for _, f := range files {
		for _, g := range f.groups {
			r.group(f.name, g)
		}
	}
	share := float64(r.subsetFast) / float64(max(r.subset, 1))
	t.Logf("parity: %d cases from %d files, %d differences", r.cases, len(files), r.diffs)
	t.Logf("fast path: %d of %d cases outside the fallback-by-design groups (%.1f%%); %d fallback-by-design cases",
		r.subsetFast, r.subset, 100*share, r.designed)
	logOnGoja(t, r.onGoja)
	assert.GreaterOrEqual(t, r.cases, minParityCases, "corpus too small")
	assert.Zero(t, r.diffs, "EngineAuto and EngineGoja disagree")
	assert.Zero(t, r.designedFast, "fallback-by-design cases ran on the fast path")
	assert.GreaterOrEqual(t, share, minFastShare, "too few cases ran on the fast path")
}

// group runs every case of one group.
func (r *parityRun) group(file string, g parityGroup) {
	aliases := g.aliases()
	for _, src := range g.Exprs {
		where := fmt.Sprintf("%s / %s / %q", file, g.Name, src)
		auto, ref, autoErr, refErr := compileBoth(src, aliases)
		if d := diffCompile(autoErr, refErr); d != "" {
			r.cases += len(g.Vars)
			r.report("%s: %s", where, d)
			continue
		}
		if refErr != nil {
			r.t.Errorf("%s: corpus expression does not compile (compile errors belong in %s): %v", where, compileErrorsFile, refErr)
			continue
		}
		if d := diffPrograms(auto, ref); d != "" {
			r.report("%s: %s", where, d)
		}
		for _, vars := range g.Vars {
			r.check(where, g.Fallback, auto, ref, vars)
		}
	}
}

// check evaluates one binding with both engines and with EvalSlots, and counts where it ran.
func (r *parityRun) check(where string, designed bool, auto, ref *compiler.Program, vars map[string]any) {
	r.cases++
	d, fallback := compareEngines(auto, ref, vars)
	if d != "" {
		r.report("%s with %s: %s", where, render(vars), d)
	}
	fast := auto.Fast() && !fallback
	if designed {
		r.designed++
		if fast {
			r.designedFast++
			r.t.Errorf("%s with %s: marked fallback but ran on the fast path", where, render(vars))
		}
		return
	}
	r.subset++
	n := r.onGoja[where]
	n[1]++
	if fast {
		r.subsetFast++
	} else {
		n[0]++
	}
	r.onGoja[where] = n
}

// logOnGoja lists the expressions of non-fallback groups that ran on goja, most cases first.
func logOnGoja(t *testing.T, counts map[string][2]int) {
	type row struct {
		where     string
		slow, all int
	}
	var rows []row
	for k, n := range counts {
		if n[0] > 0 {
			rows = append(rows, row{k, n[0], n[1]})
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].slow != rows[j].slow {
			return rows[i].slow > rows[j].slow
		}
		return rows[i].where < rows[j].where
	})
	for _, r := range rows {
		t.Logf("  on goja: %d of %d  %s", r.slow, r.all, r.where)
	}
}

// TestParityCorpusKeepsNegativeZero checks the premise that -0 in a corpus file reaches
// the engines as float64 -0.
func TestParityCorpusKeepsNegativeZero(t *testing.T) {
	var v map[string]any
	require.NoError(t, decodeStrict([]byte(`{"z": -0, "o": {"a": [-0]}}`), &v))
	z, ok := v["z"].(float64)
	require.True(t, ok)
	assert.True(t, z == 0 && math.Signbit(z))
	inner := v["o"].(map[string]any)["a"].([]any)[0].(float64)
	assert.True(t, inner == 0 && math.Signbit(inner))

	negZeros := 0
	for _, f := range loadParityCorpus(t) {
		for _, g := range f.groups {
			for _, vars := range g.Vars {
				for _, x := range vars {
					if x, ok := x.(float64); ok && x == 0 && math.Signbit(x) {
						negZeros++
					}
				}
			}
		}
	}
	assert.Positive(t, negZeros, "the corpus binds no alias to -0")
}

// compileErrorCase is one expression Compile must reject (format: corpus/parity/README.md).
type compileErrorCase struct {
	Expr       string   `json:"expr"`
	Repeat     string   `json:"repeat"`
	Times      int      `json:"times"`
	Aliases    []string `json:"aliases"`
	Error      string   `json:"error"`
	Hint       string   `json:"hint"`
	Offset     *int     `json:"offset"`
	Positioned bool     `json:"positioned"`
	Notes      string   `json:"notes"`
}

// TestCompileErrorCorpus requires both engines to reject each case with the same
// *compiler.Error, whose message, hint and position match the case.
func TestCompileErrorCorpus(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(parityDir, compileErrorsFile))
	require.NoError(t, err)
	var cases []compileErrorCase
	require.NoError(t, decodeStrict(data, &cases))
	require.NotEmpty(t, cases)
	for i, c := range cases {
		src := c.Expr + strings.Repeat(c.Repeat, c.Times)
		name := fmt.Sprintf("%d:%.40q", i, src)
		t.Run(name, func(t *testing.T) {
			require.NotEmpty(t, c.Error, "each case names a substring of the error message")
			auto, ref, autoErr, refErr := compileBoth(src, c.Aliases)
			require.Nil(t, auto)
			require.Nil(t, ref)
			require.Error(t, refErr)
			require.Error(t, autoErr)
			assert.Equal(t, refErr.Error(), autoErr.Error(), "engines reject differently")
			var cerr *compiler.Error
			require.True(t, errors.As(refErr, &cerr), "error type %T", refErr)
			assert.Equal(t, src, cerr.Source)
			assert.Contains(t, cerr.Msg, c.Error)
			assert.Contains(t, cerr.Hint, c.Hint)
			assert.GreaterOrEqual(t, cerr.Offset, -1)
			assert.LessOrEqual(t, cerr.Offset, len(src))
			if c.Offset != nil {
				assert.Equal(t, *c.Offset, cerr.Offset, "offset")
			}
			if c.Positioned {
				assert.GreaterOrEqual(t, cerr.Offset, 0, "a syntax error has a position")
			}
		})
	}
}

// TestDiffValue checks the comparison the parity tests rely on.
func TestDiffValue(t *testing.T) {
	negZero := math.Copysign(0, -1)
	fn := func() {}
	at := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC)
	cases := []struct {
		name      string
		a, b      any
		loose     bool
		different bool
	}{
		{"same int64", int64(3), int64(3), false, false},
		{"int64 vs float64", int64(3), float64(3), false, true},
		{"int64 vs float64, loose", int64(3), float64(3), true, false},
		{"int64 0 vs float64 -0, loose", int64(0), negZero, true, true},
		{"-0 vs +0", negZero, 0.0, false, true},
		{"NaN vs NaN", math.NaN(), math.NaN(), false, false},
		{"NaN vs 0", math.NaN(), 0.0, false, true},
		{"+Inf vs -Inf", math.Inf(1), math.Inf(-1), false, true},
		{"strings", "a", "a", false, false},
		{"strings differ", "a", "b", false, true},
		{"nil vs nil", nil, nil, false, false},
		{"nil vs false", nil, false, false, true},
		{"maps equal", map[string]any{"a": []any{negZero}}, map[string]any{"a": []any{negZero}}, false, false},
		{"maps with -0 inside", map[string]any{"a": []any{negZero}}, map[string]any{"a": []any{0.0}}, false, true},
		{"maps with other keys", map[string]any{"a": 1.0}, map[string]any{"b": 1.0}, false, true},
		{"slices of different length", []any{1.0}, []any{1.0, 2.0}, false, true},
		{"nested int64 vs float64", []any{int64(1)}, []any{1.0}, false, true},
		{"nested int64 vs float64, loose", []any{int64(1)}, []any{1.0}, true, false},
		{"times equal", at, at.Add(0), false, false},
		{"times differ", at, at.Add(time.Millisecond), false, true},
		{"times in other zones", at, at.In(time.FixedZone("X", 3600)), false, true},
		{"functions", fn, func() {}, false, false},
		{"function vs string", fn, "f", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := diffValue(reflect.ValueOf(c.a), reflect.ValueOf(c.b), c.loose, 0)
			assert.Equal(t, c.different, d != "", "diff %q", d)
		})
	}
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	assert.NotEmpty(t, diffValue(reflect.ValueOf(cyclic), reflect.ValueOf(cyclic), false, 0), "cycles stop at a depth limit")
}

// compareEngines evaluates auto and ref, the same expression on the fast path and on
// goja, with vars: through Eval, which must agree with goja's, and through EvalSlots,
// the processor's entry, which must agree with Eval. It describes the first
// difference ("" when there is none) and reports whether EvalSlots fell back to goja.
func compareEngines(auto, ref *compiler.Program, vars map[string]any) (diff string, fallback bool) {
	var want, got, slots outcome
	want.val, want.err = ref.Eval(copyVars(vars))
	got.val, got.err = auto.Eval(copyVars(vars))
	if d := diffOutcome(want, got, false); d != "" {
		return d, false
	}
	slots.val, fallback, slots.err = auto.EvalSlots(slotsFor(auto.Deps(), vars))
	if d := diffOutcome(got, slots, true); d != "" {
		return "EvalSlots differs from Eval: " + d, fallback
	}
	return "", fallback
}
