// Package compiler turns one JavaScript mapping expression, or one statement body ending
// in `return`, into a Program: it parses the source with goja's parser, finds the
// aliases it depends on (completely and scope-aware), rejects what a mapping may not do,
// and prepares two ways to run it: expr bytecode for the subset whose JavaScript
// semantics are reproduced exactly (the fast path, compiled per combination of input
// kinds; a straight-line body as the expression it amounts to), and a goja program for
// the sandboxed fallback, which is also the reference the fast path is tested against.
// Expr bytecode runs on reused expr VMs (exprrun.go): every expr type stays inside this
// package.
//
//	p, err := compiler.Compile("(tF - 32) * 5 / 9", []string{"tF"})
//	v, err := p.Eval(map[string]any{"tF": 212.0}) // int64(100), as goja's Export gives it
package compiler
