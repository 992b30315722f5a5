// Package vm evaluates compiled mapping programs. Expr bytecode runs on reused expr
// VMs (one per goroutine at a time, taken from a pool, with a reused environment map);
// two smaller machines, whose programs the compiler assembles from its own expression
// tree, run number and boolean programs without allocating (Numeric) and string
// concatenations (Concat); and the goja fallback runs in a pool of sandboxed runtimes
// (see Sandbox).
package vm
