#!/usr/bin/env bash
# cnncompare.sh times BenchmarkCNNEpoch (one epoch of cnn-s on 2 threads,
# cnn_test.go) built at two commits, in interleaved rounds, and prints the
# median epoch of each and the median of the rounds' ratios: the way to
# measure one change to the CNN's step on a machine whose speed drifts.
#
#	cd bench && ./cnncompare.sh c9864c0~1 c9864c0    # COUNT=8 IMAGES=3840: about 6 minutes
#
# Each round times IMAGES images (60 steps of 64) per commit, after the
# benchmark's warm-up, scaled to 30,000. Each commit is checked out into a
# temporary worktree and built there (twocommits.sh).
set -euo pipefail
cd "$(dirname "$0")"
[ $# -eq 2 ] || { echo "usage: cnncompare.sh OLD NEW" >&2; exit 2; }
count=${COUNT:-8}
images=${IMAGES:-3840}
pkg=. dir=bench
. ./twocommits.sh "$1" "$2"
for n in $(seq "$count"); do
	echo "round $n of $count..." >&2
	for r in $(order "$n"); do
		"$tmp/$r.test" -test.run XXX -test.bench 'CNNEpoch$' -test.cpu 2 -test.benchtime 1x -cnnimages "$images" |
			awk '/^BenchmarkCNNEpoch/ { for (i = 1; i < NF; i++) if ($(i+1) == "s/epoch") print $i }' >"$tmp/$r.txt"
	done
	echo "$(cat "$tmp/a.txt") $(cat "$tmp/b.txt")" >>"$tmp/raw.txt"
done
echo "BenchmarkCNNEpoch, $count interleaved rounds of $images images, seconds per epoch of 30,000 images, 2 threads:"
echo
echo "| ${names[0]} | ${names[1]} | ${names[1]}/${names[0]} |"
echo "| ---: | ---: | ---: |"
awk '
	function median(x, n,   i, j, t) {
		for (i = 2; i <= n; i++) for (j = i; j > 1 && x[j-1] > x[j]; j--) { t = x[j]; x[j] = x[j-1]; x[j-1] = t }
		return n % 2 ? x[(n+1)/2] : (x[n/2] + x[n/2+1]) / 2
	}
	NF == 2 { n++; a[n] = $1; b[n] = $2; q[n] = $2 / $1 }
	END { printf "| %.2f | %.2f | %.3f |\n", median(a, n), median(b, n), median(q, n) }' "$tmp/raw.txt"
