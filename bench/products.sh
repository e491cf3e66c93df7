#!/usr/bin/env bash
# products.sh times BenchmarkGemm (package tensor) built at two commits, in
# interleaved rounds, and prints the median GFLOPS of each on 1 and 2
# threads: compare.sh for the matrix products, the way to measure one change
# to them on a machine whose speed drifts.
#
#	cd bench && ./products.sh 794e794 4b9c2f2                  # the homework's products and 1024³
#	cd bench && ./products.sh 794e794 4b9c2f2 'Gemm/AB_1024x'  # one shape
#
# The optional third argument selects benchmarks as -test.bench does; only
# the fast path (what MatMul runs) is timed. COUNT rounds (default 9) of
# BENCHTIME (default 200ms) each. Each commit is checked out into a
# temporary worktree and built there (twocommits.sh).
set -euo pipefail
cd "$(dirname "$0")"
[ $# -eq 2 ] || [ $# -eq 3 ] || { echo "usage: products.sh OLD NEW [BENCH-REGEXP]" >&2; exit 2; }
count=${COUNT:-9}
benchtime=${BENCHTIME:-200ms}
pattern="${3:-Gemm/(AB_64x784_784x128|ABT_64x784_128x784|ATB_64x128_64x784|AB_64x128_128x784|AB_64x784_784x256|AB_1024x1024_1024x1024)}"
pkg=./tensor
. ./twocommits.sh "$1" "$2"
for n in $(seq "$count"); do
	echo "round $n of $count..." >&2
	for r in $(order "$n"); do
		"$tmp/$r.test" -test.run XXX -test.bench "$pattern" -test.cpu 1,2 -test.benchtime "$benchtime" |
			awk -v r="$r" '/^BenchmarkGemm\/.*\/fast/ && /GFLOPS/ {print r, $1, $(NF-1)}' >>"$tmp/raw.txt"
	done
done
echo "BenchmarkGemm (fast path), median GFLOPS of $count interleaved rounds of $benchtime:"
echo
echo "| product | ${names[0]} | ${names[1]} | ratio |"
echo "| --- | ---: | ---: | ---: |"
sort -k2,2 -k1,1 -k3n "$tmp/raw.txt" | awk '
	{ v[$2, $1, ++n[$2, $1]] = $3; seen[$2] = 1 }
	END {
		for (b in seen) {
			ma = v[b, "a", int((n[b, "a"] + 1) / 2)]
			mb = v[b, "b", int((n[b, "b"] + 1) / 2)]
			name = b
			sub(/^BenchmarkGemm\//, "", name)
			sub(/\/fast/, "", name)
			printf "| %s | %.1f | %.1f | %.2f |\n", name, ma, mb, mb / ma
		}
	}' | sort
