#!/usr/bin/env bash
# table.sh runs the gonum comparison (this module) and the pure-Go path of
# package tensor (-tags purego), keeps the best of COUNT runs of each
# benchmark (the machine may be shared: the best run is the least disturbed)
# and prints the Markdown table of docs/performance.md.
#
#	cd bench && ./table.sh            # COUNT=5 BENCHTIME=300ms by default
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-5}
benchtime=${BENCHTIME:-300ms}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go test -run XXX -bench . -cpu 2 -count "$count" -benchtime "$benchtime" >"$tmp/gonum.txt"
(cd .. && go test -tags purego -run XXX -bench 'Gemm/.*/fast' -cpu 2 -count "$count" -benchtime "$benchtime" ./tensor) >"$tmp/purego.txt"

# Lines look like: BenchmarkMatMul/AB_64x784_784x128/ours-2  N  T ns/op  G GFLOPS
awk '
/GFLOPS/ {
	split($1, part, "/")
	shape = part[2]; kind = part[3]; sub(/-[0-9]+$/, "", kind)
	if (FILENAME ~ /purego/) kind = "purego"
	for (i = 1; i < NF; i++) if ($(i+1) == "GFLOPS") g = $i
	if (!(shape in seen)) { seen[shape] = 1; order[++n] = shape }
	if (g > best[shape, kind]) best[shape, kind] = g
}
END {
	print "| product (as stored) | ours, fast | ours, purego | gonum | fast / gonum |"
	print "| --- | ---: | ---: | ---: | ---: |"
	for (i = 1; i <= n; i++) {
		s = order[i]
		printf "| %s | %.1f | %.1f | %.1f | %.1f× |\n", s, best[s, "ours"], best[s, "purego"], best[s, "gonum"], best[s, "ours"] / best[s, "gonum"]
	}
}' "$tmp/gonum.txt" "$tmp/purego.txt"
