#!/usr/bin/env bash
# instructions.sh: instructions per iteration of root benchmarks, counted by valgrind's
# callgrind. On a shared machine ns/op swings by ±30% between runs; instruction counts
# repeat to within a fraction of a percent, so they show what a change removed.
#
# Usage: scripts/instructions.sh [benchmark ...]   (default: the processor against its
#        floors, and the rejects)
#   GOGC=off scripts/instructions.sh ...           the work without the garbage collector
#
# Benchmarks that allocate nothing per op (Core/*) always run without the collector: it
# has no work of theirs to count, and its cycles would only add noise.
#
# Each benchmark runs twice, for N1 and N2 iterations with GOMAXPROCS=1 (the collector's
# work is then counted too); the difference of the totals divided by N2-N1 leaves out
# start-up. When a run includes both auto and floor of HighThroughput or Core, their
# ratio is printed with its target. Needs valgrind; the test binary is built without
# cgo (callgrind and the Go runtime's signals need asyncpreemptoff).
set -euo pipefail
cd "$(dirname "$0")/.."
N1=${N1:-20000}
N2=${N2:-60000}
benchmarks=("$@")
if [ ${#benchmarks[@]} -eq 0 ]; then
	benchmarks=(HighThroughput/auto HighThroughput/floor Core/auto Core/floor Reject/UnknownTopic Reject/InvalidJSON Reject/MissingMetadata)
fi
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go test -c -o "$work/bench.test" .
# allocs benchmark → its allocations per op, from a short run outside valgrind.
allocs() {
	"$work/bench.test" -test.run '^$' -test.bench "^Benchmark${1%%/*}\$/^${1#*/}\$" -test.benchtime 2000x -test.benchmem |
		awk '/^Benchmark/ {for (i = 2; i <= NF; i++) if ($i == "allocs/op") print $(i - 1)}'
}
# A benchmark that allocates nothing gives the collector no work of its own: cycles
# started by its set-up's garbage land in the counted runs or not as timing decides
# (hundreds of instructions per op either way), so it runs without the collector.
count() { # benchmark iterations → total instructions
	local gogc=${GOGC:-}
	[ "$(allocs "$1")" = 0 ] && gogc=off
	GOGC=$gogc GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file="$work/out" \
		"$work/bench.test" -test.run '^$' -test.bench "^Benchmark${1%%/*}\$/^${1#*/}\$" -test.benchtime "${2}x" >/dev/null 2>&1
	awk '/^totals:/ {print $2}' "$work/out"
}
declare -A per
printf '%-28s %12s\n' benchmark instr/op
for b in "${benchmarks[@]}"; do
	a=$(count "$b" "$N1")
	z=$(count "$b" "$N2")
	per[$b]=$(echo "($z - $a) / ($N2 - $N1)" | bc -l)
	printf '%-28s %12.0f\n' "$b" "${per[$b]}"
done
# The processor's targets against its floors: instructions of auto ÷ those of floor.
for pair in HighThroughput:1.15 Core:1.6; do
	name=${pair%%:*} target=${pair#*:}
	[ -n "${per[$name/auto]:-}" ] && [ -n "${per[$name/floor]:-}" ] || continue
	r=$(echo "${per[$name/auto]} / ${per[$name/floor]}" | bc -l)
	verdict=met
	[ "$(echo "$r <= $target" | bc -l)" = 1 ] || verdict="NOT met"
	printf '%-28s %12.3f   (target ≤ %s: %s)\n' "$name auto÷floor" "$r" "$target" "$verdict"
done
