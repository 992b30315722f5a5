package sandbox

import "time"

// The sandbox's resource limits. Built-ins whose work or allocation in one call is
// proportional to a size the expression controls run natively, where neither the timeout
// nor the memory watchdog can stop them; the lockdown script wraps them so that a call
// over these limits throws a RangeError naming the built-in and the limit instead. The
// string operators (+, +=, template literals), which goja also builds natively, go
// through the string builders (sandbox_strings.go), which check the same way. What
// JavaScript code builds step by step (loops) is bounded by the timeout and the memory
// watchdog.
const (
	// MaxStringLength bounds, in UTF-16 code units, the string one call of a built-in or
	// one string operator may produce (repeat, padStart, padEnd, concat, join, replace,
	// replaceAll, JSON.stringify, case mapping, normalize, encodeURI…, +, +=, template
	// literals).
	MaxStringLength = 1 << 24

	// MaxArrayLength bounds the elements one call of a built-in may create, copy or visit:
	// every Array.prototype method refuses a receiver longer than this, as do Array.from,
	// Function.prototype.apply, typed array constructors, split and global match results,
	// string iteration, and Object.keys/values/entries of longer strings and arrays.
	MaxArrayLength = 1 << 18

	// MaxBufferBytes bounds an ArrayBuffer.
	MaxBufferBytes = 8 * MaxArrayLength

	// MaxJSONText bounds, in characters, the text JSON.parse accepts.
	MaxJSONText = 1 << 20

	// MaxJSONItems bounds the values JSON.parse builds (counted as the arrays and objects
	// plus the separating commas): goja parses natively, without interruption, at about
	// a microsecond per value.
	MaxJSONItems = 1 << 12

	// MaxPatternLength bounds, in characters, a regular expression compiled at run
	// time (new RegExp, compile, match, matchAll and search with a string).
	MaxPatternLength = 1 << 16

	// MaxDepth bounds the nesting of what JSON.stringify serialises and of a result.
	MaxDepth = 1000

	// MaxResultSize bounds a result: its objects, arrays and elements count one each,
	// strings and keys their length. A result sharing one object in several places
	// counts it at each place, as its JSON does.
	MaxResultSize = MaxStringLength

	// MaxMemory bounds the heap growth of one evaluation, counted from the heap when it
	// started. It is checked every watchdogInterval once an evaluation has run for
	// watchdogStart, and before every string of reserveMin characters or more is built,
	// so an evaluation may exceed it by what it allocates natively in one step between
	// two checks: a smaller string, or an array of at most MaxArrayLength elements. The
	// peak growth stays below MaxMemory + 64 MiB.
	MaxMemory = 48 << 20

	// MaxTimeout is the longest timeout a sandbox accepts; longer ones are shortened to it.
	MaxTimeout = time.Second
)
