# benchratios.awk: the ratios issue 4 sets targets for, from `go test -bench` output.
# Each ratio is the median over rounds of the ratio within a round (the i-th result of
# one benchmark against the i-th of the other; make bench runs every benchmark once per
# round). Usage: awk -f scripts/benchratios.awk bench.txt
function median(list,    n, i, j, t, a) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	vals[name] = vals[name] " " $3
}
function ratio(label, a, b, target,    na, nb, x, y, i, r) {
	if (!(a in vals) || !(b in vals)) return
	na = split(vals[a], x, " "); nb = split(vals[b], y, " ")
	r = ""
	for (i = 1; i <= na && i <= nb; i++) r = r " " x[i] / y[i]
	printf "%-50s %6.2f   (target %s)\n", label, median(r), target
}
END {
	print "ratio (median of per-round ns/op ratios)        value"
	ratio("HighThroughput/auto ÷ HighThroughput/floor", "HighThroughput/auto", "HighThroughput/floor", "≤ 1.25")
	ratio("Core/auto ÷ Core/floor", "Core/auto", "Core/floor", "≤ 2")
	ratio("Core/goja ÷ Core/auto", "Core/goja", "Core/auto", "≥ 3")
	ratio("HighThroughput/auto ÷ Parallel/auto (throughput)", "HighThroughput/auto", "Parallel/auto", "≥ 1.7")
	ratio("HighThroughput/floor ÷ Parallel/floor (machine)", "HighThroughput/floor", "Parallel/floor", "the machine's own scaling")
}
