package main

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Benthos replaces environment-variable placeholders in a config file before it parses
// the YAML: ${NAME}, ${NAME:default} and ${NAME|base64decode} (NAME made
// of letters, digits, '_' and '.'), then turns the escape ${{NAME}} into the text
// ${NAME}. interpolate does the same, so that `explain` and `try` see the config
// Benthos would run, and records each placeholder it replaced. The test compares it with
// Benthos' own substitution.
var (
	placeholderRe = regexp.MustCompile(`\$\{([0-9A-Za-z_.]+)(:(?:\$\{[^}]+\}|[^}])*)?(\|[0-9A-Za-z]+)?\}`)
	escapeRe      = regexp.MustCompile(`\$\{(\{[0-9A-Za-z_.]+(?::(?:\$\{[^}]+\}|[^}])*)?\})\}`)
)

// placeholder is one ${…} Benthos replaces.
type placeholder struct {
	Text    string // as written, e.g. ${tF}
	Name    string
	Default string // without the colon; HasDef tells an empty default from none
	HasDef  bool
	Missing bool   // not set and without default: Benthos refuses the config
	Value   string // what Benthos puts in its place
	Offset  int    // byte offset of Text in the file
}

// interpolation is the outcome of interpolate.
type interpolation struct {
	Text         string
	Placeholders []placeholder
}

// missing lists the names of the variables Benthos would report as not set, each once.
func (in interpolation) missing() []string {
	var names []string
	for _, p := range in.Placeholders {
		if p.Missing && !slices.Contains(names, p.Name) {
			names = append(names, p.Name)
		}
	}
	return names
}

// interpolate replaces the placeholders of text with values from lookup, as Benthos
// does when it reads a config file. A missing variable becomes the empty string and is
// recorded; an unknown transform (the part after '|') is an error.
func interpolate(text string, lookup func(string) (string, bool)) (interpolation, error) {
	var (
		out  interpolation
		errs []string
	)
	var replaced strings.Builder
	last := 0
	for _, m := range placeholderRe.FindAllStringIndex(text, -1) {
		p, value, err := resolvePlaceholder(text[m[0]:m[1]], lookup)
		if err != nil {
			errs = append(errs, err.Error())
		}
		p.Value, p.Offset = value, m[0]
		out.Placeholders = append(out.Placeholders, p)
		// A value cannot break the YAML line it stands in.
		replaced.WriteString(text[last:m[0]])
		replaced.WriteString(strings.ReplaceAll(value, "\n", `\n`))
		last = m[1]
	}
	replaced.WriteString(text[last:])
	if len(errs) > 0 {
		return interpolation{}, fmt.Errorf("environment variables: %s", strings.Join(errs, "; "))
	}
	out.Text = escapeRe.ReplaceAllString(replaced.String(), "$$$1")
	return out, nil
}

// resolvePlaceholder looks up one ${…} and applies its default and transform.
func resolvePlaceholder(match string, lookup func(string) (string, bool)) (placeholder, string, error) {
	sub := placeholderRe.FindStringSubmatch(match)
	p := placeholder{Text: match, Name: sub[1]}
	value, found := lookup(p.Name)
	if sub[2] != "" {
		p.HasDef, p.Default = true, sub[2][1:]
		if value == "" {
			value = p.Default
		}
	} else if !found {
		p.Missing = true
	}
	switch transform := strings.TrimPrefix(sub[3], "|"); transform {
	case "":
	case "base64decode":
		decoded, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return p, "", fmt.Errorf("%s: the value is not base64: %v", match, err)
		}
		value = string(decoded)
	default:
		return p, "", fmt.Errorf("%s: unknown transform %q (Benthos knows base64decode)", match, transform)
	}
	return p, value, nil
}

// escapesIn lists the ${{…}} escapes in s, which Benthos turns into ${…}.
func escapesIn(s string) []string { return escapeRe.FindAllString(s, -1) }
