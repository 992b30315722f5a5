// Package vm evaluates compiled mapping programs outside expr's VM, through an API of
// standard and project types only. Two small machines, whose programs the compiler
// assembles from its own expression tree, run number and boolean programs without
// allocating (Numeric, numeric.go) and string concatenations (Concat, concat.go); the
// goja fallback runs JavaScript source compiled into a Script on a pool of sandboxed
// runtimes (Sandbox, fallback.go), whose lockdown, limits and watchdog live in
// vm/internal/sandbox. Programs on expr's VM are compiled and run by the compiler, which
// owns every expr type.
package vm
