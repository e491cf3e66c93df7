#!/usr/bin/env bash
# table.sh measures, in one run, the library's matrix products and training
# epoch on 1 and 2 threads, gonum's products, the pure-Go build, numpy's
# products and epoch on 1 and 2 BLAS threads (when a python3 with numpy is
# found), and the machine's FMA peak; it prints the tables of
# docs/performance.md with the median of COUNT rounds.
#
#	cd bench && ./table.sh      # COUNT=5 BENCHTIME=300ms: about 7 minutes
#
# The rounds are interleaved (every contender once per round, then the next
# round), so a disturbance from other programs hits all of them alike and
# the ratios, taken in the same round, stay fair. On a shared machine quote
# the ratios, not the absolute figures. PYTHON names the interpreter to use
# for numpy; by default the first of python3 and /usr/bin/python3 that can
# import numpy. RUN, if set, prefixes every benchmark run (not the builds):
# docs/performance.md was measured on a busy machine with RUN='chrt -f 10',
# which lets the benchmarks run before everything else; see its caveats.
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-5}
run=${RUN:-}
benchtime=${BENCHTIME:-300ms}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. ./python.sh

echo "building the benchmarks..." >&2
go test -c -o "$tmp/matmul.test" .
(cd .. && go test -c -o "$tmp/train.test" ./train)
(cd .. && go test -c -o "$tmp/kernel.test" ./tensor/internal/kernel)
(cd .. && go test -tags purego -c -o "$tmp/purego.test" ./tensor)

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
start=$(date +%s)
for r in $(seq "$count"); do
	echo "round $r of $count..." >&2
	$run "$tmp/matmul.test" -test.run XXX -test.bench . -test.cpu 1,2 -test.benchtime "$benchtime" >>"$tmp/raw.txt"
	$run "$tmp/purego.test" -test.run XXX -test.bench 'Gemm/.*/fast' -test.cpu 2 -test.benchtime "$benchtime" |
		sed 's|^BenchmarkGemm/\([^/]*\)/fast|BenchmarkMatMul/\1/purego|' >>"$tmp/raw.txt"
	$run "$tmp/train.test" -test.run XXX -test.bench 'Epoch$' -test.cpu 1,2 -test.benchtime 2x >>"$tmp/raw.txt"
	$run "$tmp/kernel.test" -test.run XXX -test.bench Peak -test.cpu 1,2 -test.benchtime "$benchtime" >>"$tmp/raw.txt"
	if [ -n "$py" ]; then
		for th in 1 2; do
			OPENBLAS_NUM_THREADS=$th OMP_NUM_THREADS=$th MKL_NUM_THREADS=$th \
				$run "$py" numpy_ref.py -count 1 -benchtime "$benchtime" >>"$tmp/raw.txt"
		done
	fi
done
secs=$(($(date +%s) - start))
load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# The machine, as the benchmarks and numpy saw it.
kern=$(cd .. && go test -count=1 -run 'TestFast$' -v ./tensor/internal/kernel | sed -n 's/.*fast kernel: //p' | head -1)
machine
echo "- $count interleaved rounds of -benchtime $benchtime in ${secs}s; load average $load0 at the start, $load1 at the end"
echo

# One "key value" line per measurement: key = what|name|threads, value =
# GFLOPS for products and the peak, seconds for an epoch.
awk '
/^Benchmark/ {
	name = $1; threads = 1
	if (match(name, /-[0-9]+$/)) { threads = substr(name, RSTART + 1); name = substr(name, 1, RSTART - 1) }
	n = split(name, part, "/")
	for (i = 1; i < NF; i++) { if ($(i+1) == "GFLOPS") g = $i; if ($(i+1) == "ns/op") ns = $i }
	if (part[1] == "BenchmarkMatMul") print "mm|" part[2] "|" part[3] "|" threads, g
	else if (part[1] == "BenchmarkPeak") print "peak|" part[2] "||" threads, g
	else if (part[1] == "BenchmarkEpoch") print "epoch|" part[2] "|" (n > 2 ? part[3] : "ours") "|" threads, ns / 1e9
}' "$tmp/raw.txt" | sort -k1,1 -k2,2g >"$tmp/kv.txt"

# The median of each key (the lower middle value for an even count).
awk '
function flush() { if (k != "") print k, v[int((n + 1) / 2)] }
$1 != k { flush(); k = $1; n = 0 }
{ v[++n] = $2 }
END { flush() }' "$tmp/kv.txt" >"$tmp/med.txt"

awk -v kern="$kern" '
# First file: the raw lines, for the order of the shapes; second: medians.
FNR == NR { if ($1 ~ /^BenchmarkMatMul\//) { split($1, p, "/"); if (!(p[2] in seen)) { seen[p[2]] = 1; order[++n] = p[2] } } next }
{ med[$1] = $2 }
function get(k) { return (k in med) ? med[k] : 0 }
function num(x, f) { return x > 0 ? sprintf(f, x) : "–" }
function ratio(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", a / b) : "–" }
END {
	peak1 = get("peak|" kern "||1"); peak2 = get("peak|" kern "||2")
	printf "Measured float64 peak (FMA loop, %s): %s GFLOPS on 1 core, %s on 2.\n\n", kern, num(peak1, "%.1f"), num(peak2, "%.1f")
	print "GFLOPS, median of the rounds (higher is better):"
	print ""
	print "| product (as stored) | ours 1T | ours 2T | numpy 1T | numpy 2T | gonum 2T | purego 2T | ours/numpy 1T | ours/numpy 2T | ours 2T / peak |"
	print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for (i = 1; i <= n; i++) {
		s = order[i]
		o1 = get("mm|" s "|ours|1"); o2 = get("mm|" s "|ours|2")
		n1 = get("mm|" s "|numpy|1"); n2 = get("mm|" s "|numpy|2")
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s, num(o1, "%.1f"), num(o2, "%.1f"), num(n1, "%.1f"), num(n2, "%.1f"),
			num(get("mm|" s "|gonum|2"), "%.1f"), num(get("mm|" s "|purego|2"), "%.1f"), ratio(o1, n1), ratio(o2, n2), ratio(o2, peak2)
	}
	print ""
	print "Training epoch (30,000 samples, batch 64), seconds, median of the rounds (lower is better):"
	print ""
	print "| network | ours 1T | ours 2T | numpy 1T | numpy 2T | ours/numpy 2T (time) | ours 1T / ours 2T |"
	print "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
	split("[784_128_10] [784_256_128_10]", nets, " ")
	for (i = 1; i <= 2; i++) {
		s = nets[i]; o1 = get("epoch|" s "|ours|1"); o2 = get("epoch|" s "|ours|2")
		n1 = get("epoch|" s "|numpy|1"); n2 = get("epoch|" s "|numpy|2")
		name = s; gsub(/[\[\]]/, "", name); gsub(/_/, "-", name)
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", name, num(o1, "%.3f"), num(o2, "%.3f"), num(n1, "%.3f"), num(n2, "%.3f"), ratio(o2, n2), ratio(o1, o2)
	}
}' "$tmp/raw.txt" "$tmp/med.txt"
