// Package unsproc holds the headline benchmarks of the module (bench_test.go): the
// reference workload through the Benthos processor and through the core, each beside
// its floor. The library is in the packages below it: processor (the core),
// compiler (JavaScript into programs), components/streamprocessor (the Benthos
// plugin) and the broker components; README.md has the layout.
package unsproc
