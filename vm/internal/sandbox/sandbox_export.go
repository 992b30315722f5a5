package sandbox

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"

	"github.com/dop251/goja"
)

// ErrResultTooLarge is wrapped by the error of an evaluation whose result is nested
// deeper than MaxDepth (a cyclic result is infinitely deep) or larger than MaxResultSize.
var ErrResultTooLarge = errors.New("result too large")

// The export types goja gives Maps ([][2]any), Sets ([]any) and ordinary objects.
var (
	entriesType = reflect.TypeOf([][2]any(nil))
	valuesType  = reflect.TypeOf([]any(nil))
	mapType     = reflect.TypeOf(map[string]any(nil))
)

// errInterrupted stops an export the watchdog has tripped on; the evaluation then fails
// with the watchdog's reason.
var errInterrupted = errors.New("export interrupted")

// exporter converts a result to Go values exactly as goja's Export does, but bounded:
// goja's Export recurses without limit (a Map holding itself overflows the Go stack),
// allocates an array's full length up front (a sparse array of length 2^32-1 asks for
// 64 GiB) and turns a cyclic object into a cyclic Go map, which no encoder survives. It
// calls getters, as Export does, so it runs while the watchdog is armed, and it checks
// the watchdog as it goes, since its own Go loops are out of an interrupt's reach.
type exporter struct {
	rt     *goja.Runtime
	h      *helpers
	watch  *watchdog
	budget int
	steps  int
}

// newExporter makes an exporter for one result of r, with the full result budget.
func newExporter(r *runtime) exporter {
	return exporter{rt: r.rt, h: r.h, watch: r.watch, budget: MaxResultSize}
}

func (e *exporter) spend(n int) error {
	e.budget -= n
	if e.budget < 0 {
		return fmt.Errorf("%w: more than %d elements and characters", ErrResultTooLarge, MaxResultSize)
	}
	if e.steps++; e.steps%1024 == 0 && e.watch.tripped() {
		return errInterrupted
	}
	return nil
}

// value exports v, found depth levels down the result, as goja's Export would; a
// missing property or element (nil) is nil.
func (e *exporter) value(v goja.Value, depth int) (any, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(*goja.Object)
	if !ok {
		x := v.Export()
		if s, ok := x.(string); ok {
			return x, e.spend(len(s))
		}
		return x, nil
	}
	if depth >= MaxDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d levels (is it cyclic?)", ErrResultTooLarge, MaxDepth)
	}
	if err := e.spend(1); err != nil {
		return nil, err
	}
	if _, isFunc := goja.AssertFunction(obj); isFunc {
		return obj.Export(), nil
	}
	if class := obj.ClassName(); class == "Array" || class == "Arguments" {
		return e.array(obj, depth)
	}
	switch obj.ExportType() {
	case entriesType:
		return e.entries(obj, depth)
	case valuesType:
		return e.elements(e.h.setValues, obj, depth)
	case mapType:
		return e.object(obj, depth)
	}
	// Dates, primitive wrappers, typed arrays, buffers, promises: no nested values, and
	// their size is bounded by the lockdown's guards.
	return obj.Export(), nil
}

func (e *exporter) array(obj *goja.Object, depth int) (any, error) {
	n := max(obj.Get("length").ToInteger(), 0)
	if err := e.spend(int(min(n, int64(MaxResultSize)+1))); err != nil {
		return nil, err
	}
	out := make([]any, n)
	for i := range out {
		x, err := e.value(obj.Get(strconv.Itoa(i)), depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

// object exports obj's own enumerable string-keyed properties; for a String object, as
// goja does, not its character indexes.
func (e *exporter) object(obj *goja.Object, depth int) (any, error) {
	keys := obj.Keys()
	chars := -1
	if obj.ClassName() == "String" {
		chars = int(obj.Get("length").ToInteger())
	}
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < chars && strconv.Itoa(i) == k {
			continue
		}
		if err := e.spend(len(k)); err != nil {
			return nil, err
		}
		x, err := e.value(obj.Get(k), depth+1)
		if err != nil {
			return nil, err
		}
		out[k] = x
	}
	return out, nil
}

// list calls a lockdown helper that lists a Map's or Set's contents as an array.
func (e *exporter) list(helper goja.Callable, obj *goja.Object) (*goja.Object, error) {
	v, err := helper(goja.Undefined(), obj, e.rt.ToValue(max(e.budget, 0)))
	if err != nil {
		return nil, err
	}
	if goja.IsNull(v) {
		return nil, e.spend(e.budget + 1)
	}
	return v.ToObject(e.rt), nil
}

func (e *exporter) elements(helper goja.Callable, obj *goja.Object, depth int) (any, error) {
	arr, err := e.list(helper, obj)
	if err != nil {
		return nil, err
	}
	return e.array(arr, depth)
}

func (e *exporter) entries(obj *goja.Object, depth int) (any, error) {
	arr, err := e.list(e.h.mapEntries, obj)
	if err != nil {
		return nil, err
	}
	n := arr.Get("length").ToInteger()
	if err := e.spend(int(n)); err != nil {
		return nil, err
	}
	out := make([][2]any, n)
	for i := range out {
		pair := arr.Get(strconv.Itoa(i)).ToObject(e.rt)
		for j := range 2 {
			x, err := e.value(pair.Get(strconv.Itoa(j)), depth+1)
			if err != nil {
				return nil, err
			}
			out[i][j] = x
		}
	}
	return out, nil
}
