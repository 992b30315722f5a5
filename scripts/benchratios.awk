# benchratios.awk: the ratios issue 4 sets targets for, from `go test -bench` output
# (medians over -count runs). Usage: awk -f scripts/benchratios.awk bench.txt
function median(name,    n, i, j, t, a) {
	n = split(vals[name], a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark/ {
	name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
	vals[name] = vals[name] " " $3
}
function ratio(label, a, b, target) {
	if (!(a in vals) || !(b in vals)) return
	printf "%-50s %6.2f   (target %s)\n", label, median(a) / median(b), target
}
END {
	print "ratio (medians of ns/op)                      value"
	ratio("HighThroughput/auto ÷ HighThroughput/floor", "HighThroughput/auto", "HighThroughput/floor", "≤ 1.25")
	ratio("Core/auto ÷ Core/floor", "Core/auto", "Core/floor", "≤ 2")
	ratio("Core/goja ÷ Core/auto", "Core/goja", "Core/auto", "≥ 3")
	ratio("HighThroughput/auto ÷ Parallel/auto (throughput)", "HighThroughput/auto", "Parallel/auto", "≥ 1.7")
	ratio("HighThroughput/floor ÷ Parallel/floor (machine)", "HighThroughput/floor", "Parallel/floor", "the machine's own scaling")
}
