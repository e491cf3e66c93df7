#!/usr/bin/env bash
# cut.sh times BenchmarkCut (package tensor) on two threads in interleaved
# rounds: each round runs every selected product cut into row ranges and
# into column ranges, one after the other, the first cut alternating from
# round to round. It prints each cut's median GFLOPS, its slowest run, and
# the median of the per-round ratio columns/rows: the measurement behind
# partition's rule, on a machine whose speed drifts (run back to back with
# -count, one cut's runs can all fall in a slow patch).
#
#	cd bench && ./cut.sh                               # the weight gradient, plain and added into C
#	cd bench && COUNT=21 ./cut.sh 'ABT_1000x784_128x784_beta1'
#
# The optional argument is a regular expression for the products' names
# (see BenchmarkCut). COUNT rounds (default 14) of BENCHTIME (default
# 150ms), of the code in this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-14}
benchtime=${BENCHTIME:-150ms}
pattern="${1:-ATB_64x128_64x784(_beta1)?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/tensor.test" ./tensor
for n in $(seq "$count"); do
	echo "round $n of $count..." >&2
	order="rows cols"
	[ $((n % 2)) -eq 1 ] && order="cols rows"
	for cut in $order; do
		"$tmp/tensor.test" -test.run XXX -test.bench "Cut/^($pattern)\$/^$cut\$" -test.cpu 2 -test.benchtime "$benchtime" |
			awk -v n="$n" '/^BenchmarkCut\// && /GFLOPS/ {split($1, p, "/"); sub(/-[0-9]+$/, "", p[3]); print p[2], p[3], n, $(NF-1)}' >>"$tmp/raw.txt"
	done
done
echo "BenchmarkCut, two threads, $count interleaved rounds of $benchtime:"
echo
echo "| product | rows: median | rows: slowest | columns: median | columns: slowest | columns/rows, median of rounds |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
awk '
	# sorts a[1..n] in place, smallest first (so a[1] is the slowest run)
	function sort(a, n,    i, j, t) {
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	}
	function median(a, n) {
		sort(a, n)
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
	}
	{ v[$1, $2, $3] = $4; seen[$1] = 1; rounds[$3] = 1 }
	END {
		for (p in seen) {
			nr = nc = nq = 0; split("", r); split("", c); split("", q)
			for (n in rounds) {
				if ((p, "rows", n) in v) r[++nr] = v[p, "rows", n]
				if ((p, "cols", n) in v) c[++nc] = v[p, "cols", n]
				if ((p, "rows", n) in v && (p, "cols", n) in v) q[++nq] = v[p, "cols", n] / v[p, "rows", n]
			}
			mr = median(r, nr); mc = median(c, nc) # r and c are now sorted
			printf "| %s | %.1f | %.1f | %.1f | %.1f | %.2f |\n", p, mr, r[1], mc, c[1], median(q, nq)
		}
	}' "$tmp/raw.txt" | sort
