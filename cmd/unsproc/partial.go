package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/unsproc/unsproc/compiler"
	"github.com/unsproc/unsproc/processor"
)

// partialRows describes the mappings of a config that processor.New rejected, so that
// `explain` still shows what each valid mapping would do next to the problems. invalid
// holds the paths the processor reported. processor.New gives no mappings for an invalid
// config, so this compiles the leaves itself, with the same flattening, aliases and
// compiler options as the processor.
func partialRows(cfg processor.Config, invalid map[string]bool) []mappingReport {
	var aliases []string
	for _, a := range slices.Sorted(maps.Keys(cfg.Sources)) {
		if compiler.ValidateAlias(a) == nil {
			aliases = append(aliases, a)
		}
	}
	opts := []compiler.Option{compiler.WithEngine(cfg.Engine)}
	if cfg.Timeout > 0 {
		opts = append(opts, compiler.WithTimeout(cfg.Timeout))
	}
	prefix := cfg.OutputTopic + "._" + cfg.Model.Name + "_" + cfg.Model.Version + "."

	var rows []mappingReport
	leaves := map[string]string{}
	flattenMapping(cfg.Mapping, "", leaves)
	for path, src := range leaves {
		row := mappingReport{Path: path, Topic: prefix + path, Expression: src, Kind: kindInvalid, Deps: []string{}}
		if !invalid[path] {
			if prog, err := compiler.Compile(src, aliases, opts...); err == nil {
				row = mappingRow(path, row.Topic, prog)
			}
		}
		rows = append(rows, row)
	}
	// The processor's order: statics, then dynamics, by path; invalid ones last.
	group := func(r mappingReport) int {
		switch r.Kind {
		case kindInvalid:
			return 2
		case compiler.Dynamic.String():
			return 1
		}
		return 0
	}
	slices.SortFunc(rows, func(a, b mappingReport) int {
		return cmp.Or(cmp.Compare(group(a), group(b)), cmp.Compare(a.Path, b.Path))
	})
	return rows
}

// flattenMapping collects the leaves of a mapping object by virtual path; a leaf that
// is not a string becomes its %v text, as the processor does (spec §2.2).
func flattenMapping(m map[string]any, prefix string, out map[string]string) {
	for key, v := range m {
		switch x := v.(type) {
		case string:
			out[prefix+key] = x
		case map[string]any:
			flattenMapping(x, prefix+key+".", out)
		default:
			out[prefix+key] = fmt.Sprintf("%v", x)
		}
	}
}
