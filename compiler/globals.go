package compiler

import (
	"fmt"
	"unicode"

	"github.com/unsproc/unsproc/vm"
)

// availableGlobals are the global names an expression may use: the ECMAScript built-ins
// the sandbox keeps. An alias may not shadow them.
var availableGlobals = setOf(vm.Globals()...)

// blockedGlobals are names that give code generation, reflection or host access in other
// JavaScript environments. Referencing one is a compile error, and an alias may not use one.
var blockedGlobals = setOf(
	"eval", "Function", "Proxy", "Reflect", "globalThis", "global", "window", "self",
	"require", "module", "exports", "process", "console", "import", "importScripts",
	"__dirname", "__filename", "setTimeout", "setInterval", "setImmediate",
	"clearTimeout", "clearInterval", "clearImmediate", "WeakRef", "FinalizationRegistry",
	"escape", "unescape", "BigInt",
)

// reservedWords cannot be aliases: they are keywords or literals in some JS context.
var reservedWords = setOf(
	"break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete",
	"do", "else", "enum", "export", "extends", "false", "finally", "for", "function", "if",
	"implements", "import", "in", "instanceof", "interface", "let", "new", "null", "package",
	"private", "protected", "public", "return", "static", "super", "switch", "this", "throw",
	"true", "try", "typeof", "var", "void", "while", "with", "yield", "await", "async", "of",
	"arguments",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// ValidateAlias reports why name cannot be an alias: it is not a JavaScript identifier,
// it is a reserved word, or it would shadow a global an expression may use. It returns
// nil for a valid alias.
func ValidateAlias(name string) error {
	if !isIdentifier(name) {
		return fmt.Errorf("alias %q is not a JavaScript identifier (use letters, digits, _ and $, not starting with a digit)", name)
	}
	if reservedWords[name] {
		return fmt.Errorf("alias %q is a JavaScript reserved word", name)
	}
	if availableGlobals[name] || blockedGlobals[name] {
		return fmt.Errorf("alias %q shadows the JavaScript global %s; choose another name", name, name)
	}
	return nil
}

// isIdentifier reports whether s is an identifier as goja's parser reads one, without
// escapes: it starts with $, _ or a character of ID_Start and goes on with $, _, ZWNJ,
// ZWJ or characters of ID_Continue, where ID_Start is the letters, letter numbers and
// Other_ID_Start, ID_Continue adds non-spacing and spacing marks, decimal digits,
// connector punctuation and Other_ID_Continue, and both leave out pattern syntax and
// pattern white space.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '$' || r == '_':
		case isIDStart(r):
		case i > 0 && (r == '\u200c' || r == '\u200d' || isIDContinue(r)):
		default:
			return false
		}
	}
	return true
}

func isIDStart(r rune) bool {
	return unicode.In(r, unicode.Letter, unicode.Nl, unicode.Other_ID_Start) && !isPatternRune(r)
}

func isIDContinue(r rune) bool {
	return unicode.In(r, unicode.Letter, unicode.Nl, unicode.Other_ID_Start, unicode.Mn, unicode.Mc,
		unicode.Nd, unicode.Pc, unicode.Other_ID_Continue) && !isPatternRune(r)
}

func isPatternRune(r rune) bool {
	return unicode.In(r, unicode.Pattern_Syntax, unicode.Pattern_White_Space)
}
