package sandbox

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dop251/goja"
)

// sandboxGlobals are the global names a sandboxed runtime keeps: the ECMAScript built-ins
// without code generation, reflection, host access or shared mutable state. Every other
// global (eval, Function, Proxy, Reflect, globalThis, WeakRef, FinalizationRegistry,
// escape, unescape, BigInt and its typed arrays, goja's GoError, and whatever a later
// goja adds) is deleted, so the sandbox fails closed.
var sandboxGlobals = []string{
	"undefined", "NaN", "Infinity",
	"Object", "Array", "String", "Number", "Boolean", "Symbol", "Math", "JSON", "Date",
	"RegExp", "Map", "Set", "WeakMap", "WeakSet", "Promise",
	"Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError",
	"parseInt", "parseFloat", "isNaN", "isFinite",
	"encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent",
	"ArrayBuffer", "DataView", "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array",
	"Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array",
}

// Globals returns the global names a sandboxed runtime keeps (see sandboxGlobals): the
// names an expression may use besides its aliases.
func Globals() []string { return slices.Clone(sandboxGlobals) }

// lockdownSource is a function run once in every new runtime, before any expression. It
// takes the global object and the limits, and returns the helpers the Go side uses. In
// order, it:
//
//  1. wraps the built-ins that do unbounded native work (see sandbox_limits.go) so that
//     a call over a limit throws a RangeError naming the built-in and the limit, and
//     makes the iterators whose native loops spread and destructuring drive (arrays,
//     regexp matchAll) call through JavaScript, where an interrupt can stop them;
//  2. removes code generation and shared state: the constructor property of the
//     function prototypes (the route to Function from any function), the BigInt
//     readers of DataView, the global symbol registry, and every global outside the
//     allowed list;
//  3. freezes everything reachable from the global object and from the intrinsics that
//     only built-ins hand out (iterator and generator prototypes…), so nothing an
//     expression writes survives into the next evaluation.
const lockdownSource = `(function (global, limits) {
"use strict";

var MAX_STRING = limits.maxString, MAX_ARRAY = limits.maxArray, MAX_BYTES = limits.maxBytes,
	MAX_DEPTH = limits.maxDepth, MAX_JSON_TEXT = limits.maxJSONText, MAX_PATTERN = limits.maxPattern,
	MATCH_MS = limits.matchMillis, CUT_MS = limits.cutMillis, MAX_JSON_ITEMS = limits.maxJSONItems,
	clock = limits.clock, jsonShape = limits.jsonShape, reserve = limits.reserve, RESERVE_MIN = limits.reserveMin,
	MAX_LENGTH = 9007199254740991;

var apply = Reflect.apply, construct = Reflect.construct, ownKeys = Reflect.ownKeys;
var defineProperty = Object.defineProperty, getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor,
	getPrototypeOf = Object.getPrototypeOf, setPrototypeOf = Object.setPrototypeOf,
	freezeObject = Object.freeze, objectKeys = Object.keys, toObject = Object;
var isArray = Array.isArray, trunc = Math.trunc, toStringOf = String;
var reflectSet = Reflect.set, toPrimitiveSymbol = Symbol.toPrimitive;
var RangeErrorOf = RangeError, TypeErrorOf = TypeError, SafeMap = Map, SafeSet = Set;
var indexOf = String.prototype.indexOf, stringValueOf = String.prototype.valueOf,
	numberValueOf = Number.prototype.valueOf, booleanValueOf = Boolean.prototype.valueOf,
	symbolValueOf = Symbol.prototype.valueOf;
var bufferByteLength = getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;
var regexpSource = getOwnPropertyDescriptor(RegExp.prototype, "source").get;
var regexpFlags = [["global", "g"], ["ignoreCase", "i"], ["multiline", "m"], ["dotAll", "s"],
	["unicode", "u"], ["sticky", "y"]];
for (var f = 0; f < regexpFlags.length; f++) {
	regexpFlags[f][0] = getOwnPropertyDescriptor(RegExp.prototype, regexpFlags[f][0]).get;
}
var OriginalRegExp = RegExp, SafeWeakMap = WeakMap;
var mapSize = getOwnPropertyDescriptor(Map.prototype, "size").get, mapForEach = Map.prototype.forEach;
var setSize = getOwnPropertyDescriptor(Set.prototype, "size").get, setForEach = Set.prototype.forEach;
var iteratorSymbol = Symbol.iterator, spreadableSymbol = Symbol.isConcatSpreadable,
	replaceSymbol = Symbol.replace, splitSymbol = Symbol.split, matchSymbol = Symbol.match,
	matchAllSymbol = Symbol.matchAll, searchSymbol = Symbol.search;

// ---- conversions, as the specification's abstract operations do them

function toLength(v) {
	var n = +v;
	if (!(n > 0)) { return 0; }
	return n > MAX_LENGTH ? MAX_LENGTH : trunc(n);
}
function toInteger(v) { var n = +v; return n !== n ? 0 : trunc(n); }
function lengthOf(o) { return o === null || o === undefined ? 0 : toLength(o.length); }
function isObject(v) { return v !== null && (typeof v === "object" || typeof v === "function"); }
function toStr(v) {
	if (typeof v === "string") { return v; }
	if (typeof v === "symbol") { throw new TypeErrorOf("Cannot convert a Symbol value to a string"); }
	return toStringOf(v);
}
// toObjectOf is ToObject: a TypeError for undefined and null.
function toObjectOf(v) {
	if (v === null || v === undefined) { throw new TypeErrorOf("Cannot convert undefined or null to object"); }
	return toObject(v);
}
function thisString(self) { return self === null || self === undefined ? null : toStr(self); }
function hasSlot(valueOf, v) {
	try { apply(valueOf, v, []); return true; } catch (e) { return false; }
}

function limitError(what, size, limit, unit) {
	return new RangeErrorOf(what + ": " + size + " " + unit + " exceed the sandbox limit of " + limit);
}
// checkString is called by a built-in about to build a string of n characters: over
// MAX_STRING it throws; a large one is first reserved from the memory budget, which
// interrupts the evaluation, before anything is built, when the string would grow the
// heap past the limit (the watchdog's periodic look may come only after the allocation).
function checkString(what, n) {
	if (n > MAX_STRING) { throw limitError(what, n, MAX_STRING, "characters"); }
	if (n >= RESERVE_MIN) { reserve(n); }
}

// ---- wrapping

// install puts method in place of obj[key], keeping the property's attributes and the
// original's name and length. Methods are not constructors, like the built-ins they
// replace.
function install(obj, key, method) {
	var desc = getOwnPropertyDescriptor(obj, key);
	defineProperty(method, "name", { value: desc.value.name });
	defineProperty(method, "length", { value: desc.value.length });
	desc.value = method;
	defineProperty(obj, key, desc);
	return method;
}
// replace swaps obj[key] for a method running body(original, this, args).
function replace(obj, key, body) {
	var original = obj[key];
	return install(obj, key, ({ [key](...args) { return body(original, this, args); } })[key]);
}
// guard swaps obj[key] for a method that runs check(this, args) before the original.
function guard(obj, key, check) {
	var original = obj[key];
	return install(obj, key, ({ [key](...args) { check(this, args); return apply(original, this, args); } })[key]);
}
function passThrough(obj, key) {
	replace(obj, key, function (original, self, args) { return apply(original, self, args); });
}
// wrapConstructor replaces the global constructor name by one that runs check(args)
// first; instances, prototype, statics and subclassing stay as they were. Called
// without new, it returns what the original returns, or what call(args) gives when
// that is not undefined.
function wrapConstructor(name, check, call) {
	var original = global[name];
	var wrapper = function (...args) {
		check(args);
		if (new.target === undefined) {
			var v = call === undefined ? undefined : call(args);
			return v !== undefined ? v : apply(original, undefined, args);
		}
		return construct(original, args, new.target === wrapper ? original : new.target);
	};
	var keys = ownKeys(original);
	for (var i = 0; i < keys.length; i++) {
		var k = keys[i];
		if (k !== "prototype" && k !== "length" && k !== "name") {
			defineProperty(wrapper, k, getOwnPropertyDescriptor(original, k));
		}
	}
	defineProperty(wrapper, "name", { value: original.name });
	defineProperty(wrapper, "length", { value: original.length });
	defineProperty(wrapper, "prototype", { value: original.prototype, writable: false });
	setPrototypeOf(wrapper, getPrototypeOf(original));
	defineProperty(original.prototype, "constructor", { value: wrapper });
	defineProperty(global, name, { value: wrapper });
}

// ---- size estimates

// parts bounds how many times pattern can occur in s, plus one: the parts split gives,
// and the matches replaceAll replaces (an empty pattern matches between characters).
function parts(s, pattern) {
	return pattern.length === 0 ? s.length + 1 : trunc(s.length / pattern.length) + 1;
}
// replacementBound is the longest result of replacing matches matches in a string of
// length characters by the template replacement: each $-pattern inserts at most the
// string's length ($&, $1, $<name> insert parts of the matches, which do not overlap;
// "$\x60" and "$'" insert a prefix or suffix per match).
function replacementBound(length, matches, replacement) {
	var dollars = 0, quotes = 0, at = 0;
	while ((at = apply(indexOf, replacement, ["$", at])) !== -1) {
		var next = replacement[at + 1];
		if (next === "\x60" || next === "'") { quotes++; } else { dollars++; }
		at++;
	}
	return length + matches * replacement.length + dollars * length + quotes * matches * length;
}
// countingReplacer calls a replacer function as the built-in would and fails once the
// replacements it returned add up to more than MAX_STRING.
function countingReplacer(what, fn) {
	var total = 0;
	return function () {
		var part = toStr(apply(fn, undefined, arguments));
		total += part.length;
		if (total > MAX_STRING) { throw limitError(what, total, MAX_STRING, "characters"); }
		return part;
	};
}
function spreadLength(v) {
	if (!isObject(v)) { return 1; }
	var spreadable = v[spreadableSymbol];
	return (spreadable !== undefined ? !!spreadable : isArray(v)) ? lengthOf(v) : 1;
}
// boundedJoin joins the n elements of o with separator as Array.prototype.join does,
// converting each element once, in order, and failing as soon as the result would
// exceed MAX_STRING; the converted strings are then joined natively. An array met again
// while it is being joined counts as an empty string, as in the built-in.
var joining = new SafeSet();
function boundedJoin(what, o, n, separator, convert) {
	if (n === 0) { return ""; }
	if (joining.has(o)) { return ""; }
	var total = (n - 1) * separator.length, parts = [];
	if (total > MAX_STRING) { throw limitError(what, total, MAX_STRING, "characters"); }
	joining.add(o);
	try {
		for (var i = 0; i < n; i++) {
			var v = o[i];
			parts[i] = v === null || v === undefined ? "" : convert(v);
			total += parts[i].length;
			if (total > MAX_STRING) { throw limitError(what, total, MAX_STRING, "characters"); }
		}
	} finally {
		joining.delete(o);
	}
	checkString(what, total);
	return apply(arrayJoin, parts, [separator]);
}
function localeString(v) { return toStr(v.toLocaleString()); }
// flatCount is the length of flat(depth) of source. It remembers the arrays it has
// counted, so that an array shared many times over (a = [a, a] thirty times) costs one
// visit; a cyclic array recurses until the call stack limit stops it.
function flatCount(source, depth, memo) {
	var seen = memo.get(source);
	if (seen !== undefined && seen.depth === depth) { return seen.count; }
	var n = lengthOf(source), count = 0;
	if (n > MAX_ARRAY) { throw limitError("Array.prototype.flat", n, MAX_ARRAY, "elements"); }
	for (var i = 0; i < n; i++) {
		var v = source[i];
		count += depth > 0 && isArray(v) ? flatCount(v, depth - 1, memo) : 1;
		if (count > MAX_ARRAY) { throw limitError("Array.prototype.flat", count, MAX_ARRAY, "elements"); }
	}
	memo.set(source, { depth: depth, count: count });
	return count;
}

// ---- 1. guards

var arrayProto = Array.prototype, stringProto = String.prototype, regexpProto = RegExp.prototype;
var functionProto = getPrototypeOf(function () {});

passThrough(getPrototypeOf([][iteratorSymbol]()), "next");
passThrough(getPrototypeOf(/x/[matchAllSymbol]("")), "next");

var arrayJoin = arrayProto.join;
var arrayExtras = {
	__proto__: null,
	concat: function (self, n, args) {
		var total = spreadLength(self);
		for (var i = 0; i < args.length && total <= MAX_ARRAY; i++) { total += spreadLength(args[i]); }
		if (total > MAX_ARRAY) { throw limitError("Array.prototype.concat", total, MAX_ARRAY, "elements"); }
	},
	flat: function (self, n, args) {
		if (self !== null && self !== undefined) { flatCount(self, args[0] === undefined ? 1 : toInteger(args[0]), new SafeMap()); }
	}
};
// lengthCheck is the guard of method name of a prototype (named prefix): it refuses
// receivers of more than MAX_ARRAY elements, as length measures them, then runs the
// method's extra check, if extras has one.
function lengthCheck(prefix, length, extras, name) {
	var extra = extras[name];
	return function (self, args) {
		var n = length(self);
		if (n > MAX_ARRAY) { throw limitError(prefix + name, n, MAX_ARRAY, "elements"); }
		if (extra !== undefined) { extra(self, n, args); }
	};
}
var arrayNames = Object.getOwnPropertyNames(arrayProto);
for (var i = 0; i < arrayNames.length; i++) {
	if (arrayNames[i] !== "constructor" && arrayNames[i] !== "join" && arrayNames[i] !== "toLocaleString" &&
		typeof arrayProto[arrayNames[i]] === "function") {
		guard(arrayProto, arrayNames[i], lengthCheck("Array.prototype.", lengthOf, arrayExtras, arrayNames[i]));
	}
}
// sort and toSorted without a comparator compare natively, converting both sides to
// strings at each comparison, where no interrupt reaches: they are given the default
// comparison as a JavaScript function (undefined and holes are still sorted last
// without a comparison).
function defaultCompare(x, y) {
	var a = toStr(x), b = toStr(y);
	return a < b ? -1 : a > b ? 1 : 0;
}
function sortWithDefault(name) {
	replace(arrayProto, name, function (original, self, args) {
		return apply(original, self, [args[0] === undefined ? defaultCompare : args[0]]);
	});
}
sortWithDefault("sort");
sortWithDefault("toSorted");
function arrayJoinMethod(name, separatorOf, convert) {
	var what = "Array.prototype." + name;
	replace(arrayProto, name, function (original, self, args) {
		var o = toObjectOf(self), n = lengthOf(o);
		if (n > MAX_ARRAY) { throw limitError(what, n, MAX_ARRAY, "elements"); }
		return boundedJoin(what, o, n, separatorOf(args), convert);
	});
}
arrayJoinMethod("join", function (args) { return args[0] === undefined ? "," : toStr(args[0]); }, toStr);
arrayJoinMethod("toLocaleString", function () { return ","; }, localeString);
defineProperty(arrayProto, iteratorSymbol, { value: arrayProto.values });

guard(Array, "from", function (self, args) {
	var items = args[0];
	if (items !== null && items !== undefined && items[iteratorSymbol] === undefined) {
		var n = lengthOf(toObject(items));
		if (n > MAX_ARRAY) { throw limitError("Array.from", n, MAX_ARRAY, "elements"); }
	}
});

guard(functionProto, "apply", function (self, args) {
	var n = isObject(args[1]) ? lengthOf(args[1]) : 0;
	if (n > MAX_ARRAY) { throw limitError("Function.prototype.apply", n, MAX_ARRAY, "arguments"); }
});

guard(stringProto, "repeat", function (self, args) {
	var s = thisString(self), count = toInteger(args[0]);
	if (s !== null && count > 0 && count !== Infinity) { checkString("String.prototype.repeat", s.length * count); }
});
function padCheck(name) {
	return function (self, args) {
		var s = thisString(self), n = toLength(args[0]);
		if (s !== null && n > s.length) { checkString("String.prototype." + name, n); }
	};
}
guard(stringProto, "padStart", padCheck("padStart"));
guard(stringProto, "padEnd", padCheck("padEnd"));
// expansionCheck refuses an input whose result could exceed MAX_STRING, the result
// being at most growth characters per input character: 3 for case mapping ("ß" gives
// "SS"), 18 for normalize (U+FDFA decomposes into 18 characters), 9 for URI encoding
// (%XX%XX%XX per character). input picks the string from the call.
function expansionCheck(what, growth, input) {
	var limit = trunc(MAX_STRING / growth);
	return function (self, args) {
		var s = input(self, args);
		if (s !== null && s.length > limit) { throw limitError(what, s.length, limit, "characters"); }
	};
}
var caseNames = ["toLowerCase", "toUpperCase", "toLocaleLowerCase", "toLocaleUpperCase"];
for (var c = 0; c < caseNames.length; c++) {
	guard(stringProto, caseNames[c], expansionCheck("String.prototype." + caseNames[c], 3, thisString));
}
guard(stringProto, "normalize", expansionCheck("String.prototype.normalize", 18, thisString));
function firstArgument(self, args) { return toStr(args[0]); }
guard(global, "encodeURI", expansionCheck("encodeURI", 9, firstArgument));
guard(global, "encodeURIComponent", expansionCheck("encodeURIComponent", 9, firstArgument));

// A pattern compiles natively, to up to a few hundred bytes per character with
// backreferences (regexp2 has no size limit of its own).
function patternCheck(what, pattern) {
	var p = isObject(pattern) && hasSlot(regexpSource, pattern) ? "" : toStr(pattern);
	if (p.length > MAX_PATTERN) { throw limitError(what, p.length, MAX_PATTERN, "characters"); }
}
wrapConstructor("RegExp", function (args) {
	if (args[0] !== undefined) { patternCheck("RegExp", args[0]); }
}, function (args) {
	// RegExp(r) is r itself when r is a regular expression made by RegExp.
	var r = args[0];
	if (args[1] === undefined && isObject(r) && hasSlot(regexpSource, r) && r.constructor === global.RegExp) { return r; }
});
guard(regexpProto, "compile", function (self, args) {
	if (args[0] !== undefined) { patternCheck("RegExp.prototype.compile", args[0]); }
});
function stringPatternCheck(name, symbol) {
	return function (self, args) {
		var pattern = args[0];
		if (pattern !== undefined && pattern !== null && pattern[symbol] === undefined) {
			patternCheck("String.prototype." + name, pattern);
		}
	};
}
guard(stringProto, "match", stringPatternCheck("match", matchSymbol));
guard(stringProto, "matchAll", stringPatternCheck("matchAll", matchAllSymbol));
guard(stringProto, "search", stringPatternCheck("search", searchSymbol));
guard(stringProto, iteratorSymbol, function (self) {
	var s = thisString(self);
	if (s !== null && s.length > MAX_ARRAY) {
		throw limitError("String.prototype[Symbol.iterator]", s.length, MAX_ARRAY, "characters");
	}
});
replace(stringProto, "concat", function (original, self, args) {
	if (self === null || self === undefined) { return apply(original, self, args); }
	var s = toStr(self), total = s.length, parts = [];
	for (var i = 0; i < args.length; i++) {
		parts[i] = toStr(args[i]);
		total += parts[i].length;
		if (total > MAX_STRING) { throw limitError("String.prototype.concat", total, MAX_STRING, "characters"); }
	}
	checkString("String.prototype.concat", total);
	return apply(original, s, parts);
});
replace(stringProto, "split", function (original, self, args) {
	var separator = args[0], limit = args[1];
	if (self === null || self === undefined ||
		(separator !== null && separator !== undefined && separator[splitSymbol] !== undefined)) {
		return apply(original, self, args);
	}
	var s = toStr(self);
	var lim = limit === undefined ? 4294967295 : limit >>> 0;
	if (lim > MAX_ARRAY && separator !== undefined) {
		var n = parts(s, toStr(separator));
		if (n > MAX_ARRAY) { throw limitError("String.prototype.split", n, MAX_ARRAY, "elements"); }
	}
	return apply(original, s, args);
});
function stringReplace(name, all) {
	var what = "String.prototype." + name;
	replace(stringProto, name, function (original, self, args) {
		var pattern = args[0], replacement = args[1];
		if (self === null || self === undefined ||
			(pattern !== null && pattern !== undefined && pattern[replaceSymbol] !== undefined)) {
			return apply(original, self, args);
		}
		var s = toStr(self), search = toStr(pattern);
		if (typeof replacement === "function") {
			return apply(original, s, [search, countingReplacer(what, replacement)]);
		}
		var r = toStr(replacement);
		var bound = replacementBound(s.length, all ? parts(s, search) : 1, r);
		checkString(what, bound);
		return apply(original, s, [search, r]);
	});
}
stringReplace("replace", false);
stringReplace("replaceAll", true);
// String.raw is done in JavaScript, as the specification describes it, measuring what
// it builds: the native one checks nothing, and its parts can each be MAX_STRING long.
replace(String, "raw", function (original, self, args) {
	var raw = toObjectOf(toObjectOf(args[0]).raw), n = lengthOf(raw);
	if (n > MAX_ARRAY) { throw limitError("String.raw", n, MAX_ARRAY, "elements"); }
	var parts = [], total = 0;
	for (var i = 0; i < n; i++) {
		var part = toStr(raw[i]);
		if (i + 1 < n && i + 1 < args.length) { part += toStr(args[i + 1]); }
		total += part.length;
		if (total > MAX_STRING) { throw limitError("String.raw", total, MAX_STRING, "characters"); }
		parts[i] = part;
	}
	checkString("String.raw", total);
	return apply(arrayJoin, parts, [""]);
});

replace(regexpProto, replaceSymbol, function (original, self, args) {
	if (!isObject(self)) { return apply(original, self, args); }
	var what = "RegExp.prototype[Symbol.replace]";
	var s = toStr(args[0]), replacement = args[1];
	if (typeof replacement === "function") {
		return apply(original, self, [s, countingReplacer(what, replacement)]);
	}
	var r = toStr(replacement);
	var bound = replacementBound(s.length, self.global ? s.length + 1 : 1, r);
	checkString(what, bound);
	return apply(original, self, [s, r]);
});
// Every match runs on the backtracking engine, whose matches end after MATCH_MS: each
// regular expression gets a twin whose pattern starts with an empty lookahead, which
// goja's linear engine does not take (its matches cannot be cut short, and take time
// proportional to the text times the pattern). A match cut short returns null; a null
// that took about MATCH_MS (CUT_MS) is reported as the limit instead of as "no match". Replacing exec
// also makes goja run replace, split, match and matchAll through exec, one match at a
// time, where the timeout can interrupt them.
var twins = new SafeWeakMap();
function twinOf(rx) {
	var source = apply(regexpSource, rx, []), flags = "";
	for (var i = 0; i < regexpFlags.length; i++) {
		if (apply(regexpFlags[i][0], rx, [])) { flags += regexpFlags[i][1]; }
	}
	var t = twins.get(rx);
	if (t === undefined || t.source !== source || t.flags !== flags) {
		t = { source: source, flags: flags, rx: construct(OriginalRegExp, ["(?=)" + source, flags]) };
		twins.set(rx, t);
	}
	return t;
}
var boundedExec = replace(regexpProto, "exec", function (original, self, args) {
	if (!isObject(self) || !hasSlot(regexpSource, self)) { return apply(original, self, args); }
	var s = toStr(args[0]), t = twinOf(self), moves = t.rx.global || t.rx.sticky;
	if (moves) { t.rx.lastIndex = self.lastIndex; }
	var m = boundedMatch(original, t.rx, s);
	if (m === null) {
		// regexp2's clock lags behind on a busy machine and then jumps, which can cut a
		// match that has only just begun: a quick "no match" is confirmed once.
		if (moves) { t.rx.lastIndex = self.lastIndex; }
		m = boundedMatch(original, t.rx, s);
	}
	if (moves) { self.lastIndex = t.rx.lastIndex; }
	return m;
});
function boundedMatch(original, rx, s) {
	var started = clock();
	var m = apply(original, rx, [s]);
	if (m === null && clock() - started >= CUT_MS) {
		throw new RangeErrorOf("RegExp: a match ran past the sandbox limit of " + MATCH_MS +
			" ms (hint: nested quantifiers and back-references can backtrack exponentially; simplify the pattern or shorten the text)");
	}
	return m;
}
replace(regexpProto, "test", function (original, self, args) {
	if (!isObject(self)) { return apply(original, self, args); }
	var exec = self.exec;
	var m = apply(typeof exec === "function" ? exec : boundedExec, self, [toStr(args[0])]);
	if (m !== null && !isObject(m)) { throw new TypeErrorOf("RegExp exec method returned something other than an Object or null"); }
	return m !== null;
});
guard(regexpProto, splitSymbol, function (self, args) {
	var s = toStr(args[0]), lim = args[1] === undefined ? 4294967295 : args[1] >>> 0;
	var n = s.length + 1 < lim ? s.length + 1 : lim;
	if (n > MAX_ARRAY) { throw limitError("RegExp.prototype[Symbol.split]", n, MAX_ARRAY, "elements"); }
});
guard(regexpProto, matchSymbol, function (self, args) {
	if (isObject(self) && self.global) {
		var n = toStr(args[0]).length + 1;
		if (n > MAX_ARRAY) { throw limitError("RegExp.prototype[Symbol.match]", n, MAX_ARRAY, "elements"); }
	}
});

// ownLength is the length of a string, or the own length property of an object
// (arrays, String objects, arguments), read without calling a getter.
function ownLength(o) {
	if (typeof o === "string") { return o.length; }
	if (!isObject(o)) { return 0; }
	var d = getOwnPropertyDescriptor(o, "length");
	return d !== undefined && typeof d.value === "number" ? toLength(d.value) : 0;
}
function keysCheck(name, count) {
	return function (self, args) {
		var o = args[0], n = ownLength(o);
		if (n <= MAX_ARRAY && count && isObject(o)) { n = objectKeys(o).length; }
		if (n > MAX_ARRAY) { throw limitError("Object." + name, n, MAX_ARRAY, "elements"); }
	};
}
guard(Object, "keys", keysCheck("keys", false));
guard(Object, "values", keysCheck("values", false));
guard(Object, "getOwnPropertyNames", keysCheck("getOwnPropertyNames", false));
guard(Object, "entries", keysCheck("entries", true));
guard(Object, "getOwnPropertyDescriptors", keysCheck("getOwnPropertyDescriptors", true));
guard(Object, "assign", function (self, args) {
	for (var i = 1; i < args.length; i++) {
		var n = ownLength(args[i]);
		if (n > MAX_ARRAY) { throw limitError("Object.assign", n, MAX_ARRAY, "elements"); }
	}
});

replace(JSON, "parse", function (original, self, args) {
	var text = toStr(args[0]);
	if (text.length > MAX_JSON_TEXT) { throw limitError("JSON.parse", text.length, MAX_JSON_TEXT, "characters"); }
	var shape = jsonShape(text);
	if (shape[0] > MAX_DEPTH) { throw limitError("JSON.parse: nesting", shape[0], MAX_DEPTH, "levels"); }
	if (shape[1] > MAX_JSON_ITEMS) { throw limitError("JSON.parse", shape[1], MAX_JSON_ITEMS, "items"); }
	return apply(original, self, [text, args[1]]);
});
// propertyList and pick give an array replacer's meaning through a function replacer.
function propertyList(list) {
	var n = lengthOf(list), keys = [], seen = new SafeSet();
	if (n > MAX_ARRAY) { throw limitError("JSON.stringify", n, MAX_ARRAY, "elements"); }
	for (var i = 0; i < n; i++) {
		var v = list[i], key;
		if (typeof v === "string") {
			key = v;
		} else if (typeof v === "number" || (isObject(v) && (hasSlot(numberValueOf, v) || hasSlot(stringValueOf, v)))) {
			key = toStr(v);
		} else {
			continue;
		}
		if (!seen.has(key)) { seen.add(key); keys[keys.length] = key; }
	}
	return keys;
}
function pick(v, keys) {
	var out = {};
	for (var i = 0; i < keys.length; i++) {
		var x = v[keys[i]];
		if (x !== undefined) {
			defineProperty(out, keys[i], { value: x, writable: true, enumerable: true, configurable: true });
		}
	}
	return out;
}
function isPrimitiveWrapper(v) {
	return hasSlot(numberValueOf, v) || hasSlot(stringValueOf, v) ||
		hasSlot(booleanValueOf, v) || hasSlot(symbolValueOf, v);
}
function gapLength(space) {
	if (isObject(space)) { return 10; }
	if (typeof space === "number") { var n = toInteger(space); return n < 1 ? 0 : n > 10 ? 10 : n; }
	if (typeof space === "string") { return space.length > 10 ? 10 : space.length; }
	return 0;
}
// JSON.stringify serialises natively; it is given a replacer that measures what it is
// about to write (and applies the caller's replacer first), so that nesting deeper than
// MAX_DEPTH and output longer than MAX_STRING fail before they are written.
replace(JSON, "stringify", function (original, self, args) {
	var user = typeof args[1] === "function" ? args[1] : undefined;
	var keep = isArray(args[1]) ? propertyList(args[1]) : undefined;
	var gap = gapLength(args[2]), depths = new SafeMap(), total = 0;
	function measured(key, v) {
		if (user !== undefined) { v = apply(user, this, [key, v]); }
		var depth = depths.get(this);
		if (depth === undefined) { depth = 0; }
		total += key.length + 4 + gap * depth;
		if (typeof v === "string") {
			total += v.length;
		} else if (isObject(v)) {
			if (depth >= MAX_DEPTH) { throw limitError("JSON.stringify: nesting", depth + 1, MAX_DEPTH, "levels"); }
			if (keep !== undefined && typeof v === "object" && !isArray(v) && !isPrimitiveWrapper(v)) { v = pick(v, keep); }
			depths.set(v, depth + 1);
		}
		if (total > MAX_STRING) { throw limitError("JSON.stringify", total, MAX_STRING, "characters"); }
		return v;
	}
	return apply(original, self, [args[0], measured, args[2]]);
});

function typedArrayCheck(name) {
	return function (args) {
		var source = args[0], n;
		if (!isObject(source)) {
			n = toInteger(source);
		} else {
			n = isArray(source) || !hasSlot(bufferByteLength, source) ? lengthOf(source) : 0;
		}
		if (n > MAX_ARRAY) { throw limitError(name, n, MAX_ARRAY, "elements"); }
	};
}
// Typed arrays can be longer than MAX_ARRAY (a view of a MAX_BYTES buffer): their
// methods refuse a receiver longer than MAX_ARRAY, and join estimates what it builds,
// each element being at most 25 characters long.
var typedArrayProto = getPrototypeOf(Int8Array.prototype);
var typedArrayLength = getOwnPropertyDescriptor(typedArrayProto, "length").get;
function typedLength(self) {
	try { return apply(typedArrayLength, self, []); } catch (e) { return 0; }
}
var typedExtras = {
	__proto__: null,
	join: function (self, n, args) {
		var total = n === 0 ? 0 : (n - 1) * (args[0] === undefined ? 1 : toStr(args[0]).length) + 25 * n;
		checkString("%TypedArray%.prototype.join", total);
	},
};
var typedNames = ownKeys(typedArrayProto);
for (var i = 0; i < typedNames.length; i++) {
	var d = getOwnPropertyDescriptor(typedArrayProto, typedNames[i]);
	if (typedNames[i] !== "constructor" && typeof d.value === "function") {
		guard(typedArrayProto, typedNames[i], lengthCheck("%TypedArray%.prototype.", typedLength, typedExtras, typeof typedNames[i] === "string" ? typedNames[i] : "[Symbol.iterator]"));
	}
}
defineProperty(typedArrayProto, iteratorSymbol, { value: typedArrayProto.values });
// toLocaleString calls a method per element natively: it is done in JavaScript, where
// the timeout reaches it.
replace(typedArrayProto, "toLocaleString", function (original, self, args) {
	var n = apply(typedArrayLength, self, []);
	if (n > MAX_ARRAY) { throw limitError("%TypedArray%.prototype.toLocaleString", n, MAX_ARRAY, "elements"); }
	return boundedJoin("%TypedArray%.prototype.toLocaleString", self, n, ",", localeString);
});
guard(getPrototypeOf(Int8Array), "from", function (self, args) {
	var items = args[0];
	if (items !== null && items !== undefined && items[iteratorSymbol] === undefined) {
		var n = lengthOf(toObject(items));
		if (n > MAX_ARRAY) { throw limitError("%TypedArray%.from", n, MAX_ARRAY, "elements"); }
	}
});

var typedArrays = ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
	"Int32Array", "Uint32Array", "Float32Array", "Float64Array"];
for (var t = 0; t < typedArrays.length; t++) { wrapConstructor(typedArrays[t], typedArrayCheck(typedArrays[t])); }
wrapConstructor("ArrayBuffer", function (args) {
	var n = toInteger(args[0]);
	if (n > MAX_BYTES) { throw limitError("ArrayBuffer", n, MAX_BYTES, "bytes"); }
});

// ---- 2. no code generation, no shared state

var generatorFunctionProto = getPrototypeOf(function* () {});
var asyncFunctionProto = getPrototypeOf(async function () {});
delete functionProto.constructor;
delete generatorFunctionProto.constructor;
delete asyncFunctionProto.constructor;
var bigIntAccessors = ["getBigInt64", "getBigUint64", "setBigInt64", "setBigUint64"];
for (var b = 0; b < bigIntAccessors.length; b++) { delete DataView.prototype[bigIntAccessors[b]]; }
delete Symbol.for;
delete Symbol.keyFor;

var roots = [global, generatorFunctionProto, asyncFunctionProto,
	getPrototypeOf([][iteratorSymbol]()), getPrototypeOf(new SafeMap()[iteratorSymbol]()),
	getPrototypeOf(new SafeSet()[iteratorSymbol]()), getPrototypeOf(""[iteratorSymbol]()),
	getPrototypeOf(/x/[matchAllSymbol]("")), (function () { return arguments; })()];
var allowed = new SafeSet();
for (var a = 0; a < limits.globals.length; a++) { allowed.add(limits.globals[a]); }
var globalNames = ownKeys(global);
for (var g = 0; g < globalNames.length; g++) {
	if (!allowed.has(globalNames[g])) {
		roots[roots.length] = global[globalNames[g]];
		delete global[globalNames[g]];
	}
}

// ---- string building: CompileAST routes +, += and template literals to the builders
// (see sandbox_strings.go), which compute the length of their result first.

// toPrimitive is ToPrimitive with no hint, as + applies it to an object.
function toPrimitive(v) {
	if (!isObject(v)) { return v; }
	var p, method = v[toPrimitiveSymbol];
	if (method !== undefined && method !== null) {
		if (typeof method !== "function") { throw new TypeErrorOf("Symbol.toPrimitive is not a function"); }
		p = apply(method, v, ["default"]);
		if (isObject(p)) { throw new TypeErrorOf("Cannot convert object to primitive value"); }
		return p;
	}
	method = v.valueOf;
	if (typeof method === "function" && !isObject(p = apply(method, v, []))) { return p; }
	method = v.toString;
	if (typeof method === "function" && !isObject(p = apply(method, v, []))) { return p; }
	throw new TypeErrorOf("Cannot convert object to primitive value");
}
var builders = limits.stringBuilders, concat = builders[limits.concatGlobal];
// concatAssign is o[k] += value(): o[k] is read before the right-hand side runs, and a
// failed assignment throws only in strict mode code.
function concatAssign(o, k, value, strict) {
	var r = concat(o[k], value());
	if (!(isObject(o) ? reflectSet(o, k, r) : reflectSet(toObjectOf(o), k, r, o)) && strict) {
		throw new TypeErrorOf("Cannot assign to read only property '" + toStringOf(k) + "'");
	}
	return r;
}
builders[limits.concatAssignGlobal] = concatAssign;
var builderNames = ownKeys(builders);
for (var bn = 0; bn < builderNames.length; bn++) { defineProperty(global, builderNames[bn], { value: builders[builderNames[bn]] }); }

// ---- 3. freeze

// deepFreeze freezes o and what it reaches that is not yet in frozen (the intrinsics),
// recording what it visits in seen. The intrinsics are recorded in frozen itself; an
// expression's function is frozen with a set of its own, so that the runtime keeps no
// reference to it once the script is dropped.
var frozen = new SafeSet();
function deepFreeze(o, seen) {
	if (!isObject(o) || frozen.has(o) || seen.has(o)) { return; }
	seen.add(o);
	var keys = ownKeys(o);
	for (var k = 0; k < keys.length; k++) {
		var d = getOwnPropertyDescriptor(o, keys[k]);
		if (d) { deepFreeze(d.value, seen); deepFreeze(d.get, seen); deepFreeze(d.set, seen); }
	}
	deepFreeze(getPrototypeOf(o), seen);
	freezeObject(o);
}
for (var r = 0; r < roots.length; r++) { deepFreeze(roots[r], frozen); }

return {
	toPrimitive: toPrimitive,
	freeze: function (o) { deepFreeze(o, new SafeSet()); },
	mapEntries: function (m, limit) {
		if (apply(mapSize, m, []) > limit) { return null; }
		var out = [];
		apply(mapForEach, m, [function (v, k) { out[out.length] = [k, v]; }]);
		return out;
	},
	setValues: function (s, limit) {
		if (apply(setSize, s, []) > limit) { return null; }
		var out = [];
		apply(setForEach, s, [function (v) { out[out.length] = v; }]);
		return out;
	}
};
})`

// lockdownName names the lockdown script in stack traces.
const lockdownName = "sandbox-lockdown.js"

// lockdownProgram is lockdownSource compiled once for every runtime.
var lockdownProgram = goja.MustCompile(lockdownName, lockdownSource, true)

// helpers are the lockdown's functions the Go side calls.
type helpers struct {
	freeze     goja.Callable // deep-freezes an object
	mapEntries goja.Callable // (map, limit) → [[key, value]…], or null above limit
	setValues  goja.Callable // (set, limit) → [value…], or null above limit
}

// lockdown runs the lockdown script in rt.
func lockdown(rt *goja.Runtime, watch *watchdog) (*helpers, error) {
	v, err := rt.RunProgram(lockdownProgram)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return nil, errors.New("lockdown script is not a function")
	}
	limits := rt.NewObject()
	for k, n := range map[string]int{
		"maxString": MaxStringLength, "maxArray": MaxArrayLength, "maxBytes": MaxBufferBytes,
		"maxDepth": MaxDepth, "maxJSONText": MaxJSONText, "maxPattern": MaxPatternLength,
		"maxJSONItems": MaxJSONItems,
		"matchMillis":  int(regexpMatchTimeout / time.Millisecond),
	} {
		_ = limits.Set(k, n)
	}
	_ = limits.Set("cutMillis", float64(regexpCutAfter)/float64(time.Millisecond))
	_ = limits.Set("clock", millisSinceEpoch)
	_ = limits.Set("jsonShape", func(text string) [2]int {
		depth, items := jsonShape(text)
		return [2]int{depth, items}
	})
	globals := make([]any, len(sandboxGlobals))
	for i, g := range sandboxGlobals {
		globals[i] = g
	}
	_ = limits.Set("globals", rt.NewArray(globals...))
	_ = limits.Set("reserve", func(n float64) { watch.reserve(uint64(2 * n)) })
	_ = limits.Set("reserveMin", reserveMin)
	sb, err := newStringBuilder(rt, watch)
	if err != nil {
		return nil, err
	}
	_ = limits.Set("stringBuilders", sb.globals())
	_ = limits.Set("concatGlobal", concatGlobal)
	_ = limits.Set("concatAssignGlobal", concatAssignGlobal)
	out, err := fn(goja.Undefined(), rt.GlobalObject(), limits)
	if err != nil {
		return nil, err
	}
	obj := out.ToObject(rt)
	h := &helpers{}
	for name, dst := range map[string]*goja.Callable{"toPrimitive": &sb.toPrimitive, "freeze": &h.freeze, "mapEntries": &h.mapEntries, "setValues": &h.setValues} {
		f, ok := goja.AssertFunction(obj.Get(name))
		if !ok {
			return nil, fmt.Errorf("lockdown script returned no %s function", name)
		}
		*dst = f
	}
	return h, nil
}
