# benchratios.awk: the ratios the headline benchmarks are judged by, from `go test -bench`
# output with -benchmem. Each ratio is the median over rounds of the ratio within a
# round (the i-th result of one benchmark against the i-th of the other; make bench
# runs every benchmark once per round). The cost targets of the processor against its
# floors are in instructions per op (scripts/instructions.sh): ns/op swings too much on
# a shared machine to hold them, so its ratios here are for orientation. What time alone
# can show is how the processor scales across cores against how the floor does:
# BenchmarkScaling measures that within each of its rounds, and its metrics are printed
# as medians over the runs.
# Usage: awk -f scripts/benchratios.awk bench.txt
function median(list,    n, i, j, t, a) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	vals[name] = vals[name] " " $3
	for (i = 4; i < NF; i++) {
		if ($(i + 1) == "allocs/op") allocs[name] = allocs[name] " " $i
		if ($(i + 1) ~ /-scaling$|^scaling-ratio$/) metric[$(i + 1)] = metric[$(i + 1)] " " $i
	}
}
# ratio prints the median per-round ratio of a's ns/op to b's, unless either is missing.
function ratio(label, a, b, target,    na, nb, x, y, i, r, m) {
	if (!(a in vals) || !(b in vals)) return
	na = split(vals[a], x, " "); nb = split(vals[b], y, " ")
	r = ""
	for (i = 1; i <= na && i <= nb; i++) r = r " " x[i] / y[i]
	m = median(r)
	printf "%-62s %6.2f   %s\n", label, m, target
}
# sameAllocs compares the median allocs/op of a and b.
function sameAllocs(a, b,    ma, mb) {
	if (!(a in allocs) || !(b in allocs)) return
	ma = median(allocs[a]); mb = median(allocs[b])
	printf "%-62s %6s   %s\n", "allocs/op " a " vs " b, ma " vs " mb, (ma + 0 <= mb + 0 ? "(target: no more than the floor: met)" : "(target: no more than the floor: NOT met)")
}
END {
	printf "%-62s %6s\n", "ratio (median of per-round ns/op ratios)", "value"
	ratio("HighThroughput/auto ÷ HighThroughput/floor", "HighThroughput/auto", "HighThroughput/floor", "(target ≤ 1.15 in instructions)")
	ratio("Core/auto ÷ Core/floor", "Core/auto", "Core/floor", "(target ≤ 1.6 in instructions)")
	ratio("Core/goja ÷ Core/auto", "Core/goja", "Core/auto", "(target ≥ 3)")
	if ("scaling-ratio" in metric) {
		printf "%-62s %6.2f\n", "Scaling: auto's scaling over cores (median of runs)", median(metric["auto-scaling"])
		printf "%-62s %6.2f   %s\n", "Scaling: the floor's scaling over cores", median(metric["floor-scaling"]), "(the machine's own scaling)"
		m = median(metric["scaling-ratio"])
		printf "%-62s %6.2f   %s\n", "Scaling: auto's scaling ÷ the floor's", m, (m >= 1 ? "(target ≥ 1: met)" : "(target ≥ 1: NOT met)")
	}
	sameAllocs("HighThroughput/auto", "HighThroughput/floor")
	sameAllocs("Core/auto", "Core/floor")
	sameAllocs("Parallel/auto", "Parallel/floor")
}
