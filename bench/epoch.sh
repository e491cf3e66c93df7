#!/usr/bin/env bash
# epoch.sh compares the training epoch alone, the library's against
# numpy's, on 1 and 2 threads, in many short interleaved rounds: every
# contender once per round, rounds of a few seconds. It prints the median
# and the quartiles of each, and the median over rounds of each round's
# ratio, ours to numpy's, taken seconds apart.
#
#	cd bench && ./epoch.sh      # COUNT=15: about 5 minutes
#
# Why not only table.sh: on a virtual machine the host moves the two
# virtual CPUs closer together or further apart every few seconds (see
# BenchmarkHandoff in package tensor), which changes a 2-thread epoch by
# 30% and more. table.sh's rounds take a minute, so its epochs of one round
# can land in different states; short rounds and many of them give each
# contender its share of both.
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-15}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. ./python.sh

echo "building the benchmarks..." >&2
(cd .. && go test -c -o "$tmp/train.test" ./train)
(cd .. && go test -c -o "$tmp/tensor.test" ./tensor)

# handoff prints the cache-line round trip between two threads now, in ns.
handoff() {
	"$tmp/tensor.test" -test.run XXX -test.bench Handoff -test.cpu 2 -test.benchtime 200000x |
		awk '/^BenchmarkHandoff/ {print $3}'
}

# awkmed is the median both tables below take: it sorts a[1..n] in place
# and returns the lower middle.
awkmed='
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
	return a[int((n + 1) / 2)]
}'

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
for r in $(seq "$count"); do
	echo "round $r of $count..." >&2
	for th in 1 2; do
		# Each line: round, benchmark, ns per epoch, and the handoff
		# before and after the run.
		h0=$(handoff)
		# -benchtime 2x, not 1x: with 1x the testing package reports
		# the first -cpu setting's run for every setting.
		out=$("$tmp/train.test" -test.run XXX -test.bench 'Epoch$' -test.cpu $th -test.benchtime 2x)
		h1=$(handoff)
		echo "$out" | awk -v r="$r" -v h0="$h0" -v h1="$h1" '/^BenchmarkEpoch/ {print r, $1, $3, h0, h1}' >>"$tmp/raw.txt"
		if [ -n "$py" ]; then
			h0=$(handoff)
			out=$(OPENBLAS_NUM_THREADS=$th OMP_NUM_THREADS=$th MKL_NUM_THREADS=$th "$py" numpy_ref.py -count 1 -only epoch)
			h1=$(handoff)
			echo "$out" | awk -v r="$r" -v h0="$h0" -v h1="$h1" '/^BenchmarkEpoch/ {print r, $1, $3, h0, h1}' >>"$tmp/raw.txt"
		fi
	done
done
load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

machine
echo "- $count interleaved rounds; load average $load0 at the start, $load1 at the end"
echo
echo "Epoch (30,000 samples, batch 64), seconds: median [first quartile, third quartile] of the rounds;"
echo "ratios: median over the rounds of each round's ratio."
echo
echo "| network | ours 1T | ours 2T | numpy 1T | numpy 2T | ours/numpy 2T | ours 1T / ours 2T |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
# raw lines: round, BenchmarkEpoch/[784_128_10](/numpy)(-2), ns.
awk "$awkmed"'
function q(a, n, f) { return a[int(f * (n - 1)) + 1] } # after med sorted a
{
	name = $2; th = 1
	if (match(name, /-[0-9]+$/)) { th = substr(name, RSTART + 1); name = substr(name, 1, RSTART - 1) }
	split(name, p, "/"); who = (p[3] == "numpy") ? "numpy" : "ours"
	net = p[2]; nets[net] = 1
	t[net, who, th, $1] = $3 / 1e9; rounds[$1] = 1
}
END {
	for (net in nets) {
		line = net; gsub(/[\[\]]/, "", line); gsub(/_/, "-", line); line = "| " line
		split("ours numpy", whos, " ")
		for (w = 1; w <= 2; w++) for (th = 1; th <= 2; th++) {
			n = 0; delete v
			for (r in rounds) if ((net, whos[w], th, r) in t) v[++n] = t[net, whos[w], th, r]
			if (n == 0) { line = line " | –"; continue }
			m = med(v, n)
			line = line sprintf(" | %.3f [%.3f, %.3f]", m, q(v, n, 0.25), q(v, n, 0.75))
		}
		n = 0; delete v
		for (r in rounds) if ((net, "numpy", 2, r) in t) v[++n] = t[net, "ours", 2, r] / t[net, "numpy", 2, r]
		line = line (n ? sprintf(" | %.2f", med(v, n)) : " | –")
		n = 0; delete v
		for (r in rounds) v[++n] = t[net, "ours", 1, r] / t[net, "ours", 2, r]
		line = line sprintf(" | %.2f |", med(v, n))
		print line
	}
}' "$tmp/raw.txt" | sort
echo
echo "The 2-thread epochs by where the host had the two virtual CPUs (BenchmarkHandoff"
echo "just before and just after the run: close, both under 150 ns; far, both over 200 ns;"
echo "runs in between are left out): median seconds (number of runs)."
echo
echo "| network | ours 2T close | ours 2T far | numpy 2T close | numpy 2T far |"
echo "| --- | ---: | ---: | ---: | ---: |"
awk "$awkmed"'
$2 ~ /-2$/ {
	name = $2; sub(/-2$/, "", name); split(name, p, "/"); who = (p[3] == "numpy") ? "numpy" : "ours"
	state = ($4 < 150 && $5 < 150) ? "close" : ($4 > 200 && $5 > 200) ? "far" : ""
	if (state == "") next
	nets[p[2]] = 1; k = p[2] SUBSEP who SUBSEP state
	v[k, ++n[k]] = $3 / 1e9
}
END {
	for (net in nets) {
		line = net; gsub(/[\[\]]/, "", line); gsub(/_/, "-", line); line = "| " line
		split("ours|close ours|far numpy|close numpy|far", cols, " ")
		for (c = 1; c <= 4; c++) {
			split(cols[c], wc, "|"); k = net SUBSEP wc[1] SUBSEP wc[2]
			if (!(k in n)) { line = line " | –"; continue }
			delete a; for (i = 1; i <= n[k]; i++) a[i] = v[k, i]
			line = line sprintf(" | %.3f (%d)", med(a, n[k]), n[k])
		}
		print line " |"
	}
}' "$tmp/raw.txt" | sort
