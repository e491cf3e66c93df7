#!/usr/bin/env bash
# compare.sh times BenchmarkEpoch (package train) built at two commits, in
# interleaved rounds, and prints the median epoch of each on 1 and 2
# threads: the way to measure one change on a machine whose speed drifts.
#
#	cd bench && ./compare.sh 1961b4d c1ee828    # COUNT=7: about 2 minutes
#
# Each commit is checked out into a temporary worktree and built there
# (twocommits.sh).
set -euo pipefail
cd "$(dirname "$0")"
[ $# -eq 2 ] || { echo "usage: compare.sh OLD NEW" >&2; exit 2; }
count=${COUNT:-7}
pkg=./train
. ./twocommits.sh "$1" "$2"
for n in $(seq "$count"); do
	echo "round $n of $count..." >&2
	for r in $(order "$n"); do
		"$tmp/$r.test" -test.run XXX -test.bench 'Epoch$' -test.cpu 1,2 -test.benchtime 3x |
			awk -v r="$r" '/^BenchmarkEpoch/ {print r, $1, $3}' >>"$tmp/raw.txt"
	done
done
echo "BenchmarkEpoch, median of $count interleaved rounds, seconds per epoch:"
echo
echo "| benchmark | ${names[0]} | ${names[1]} | ratio |"
echo "| --- | ---: | ---: | ---: |"
sort -k2,2 -k1,1 -k3n "$tmp/raw.txt" | awk -v c="$count" '
	{ v[$2, $1, ++n[$2, $1]] = $3; seen[$2] = 1 }
	END {
		for (b in seen) {
			ma = v[b, "a", int((n[b, "a"] + 1) / 2)] / 1e9
			mb = v[b, "b", int((n[b, "b"] + 1) / 2)] / 1e9
			printf "| %s | %.3f | %.3f | %.2f |\n", b, ma, mb, mb / ma
		}
	}' | sort
