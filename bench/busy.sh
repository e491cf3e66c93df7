#!/usr/bin/env bash
# busy.sh measures the training epoch with one busy program beside it: a
# shell loop that keeps one core busy for the whole run. It prints, for
# both networks of BenchmarkEpoch, the library's epoch on 1 and 2 threads
# and numpy's on 1 and 2 BLAS threads (when a python3 with numpy is
# found), medians of COUNT interleaved rounds, in seconds.
#
#	cd bench && ./busy.sh      # COUNT=5: about 2 minutes
#
# Issue #12 asks that, this way, 2 threads be no slower than 1.
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-5}
tmp=$(mktemp -d)
busy=""
trap 'rm -rf "$tmp"; [ -n "$busy" ] && kill "$busy" 2>/dev/null; true' EXIT

. ./python.sh

echo "building the benchmark..." >&2
(cd .. && go test -c -o "$tmp/train.test" ./train)

sh -c 'while :; do :; done' &
busy=$!
sleep 1
load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
for r in $(seq "$count"); do
	echo "round $r of $count..." >&2
	"$tmp/train.test" -test.run XXX -test.bench 'Epoch$' -test.cpu 1,2 -test.benchtime 5x >>"$tmp/raw.txt"
	if [ -n "$py" ]; then
		for th in 1 2; do
			OPENBLAS_NUM_THREADS=$th OMP_NUM_THREADS=$th MKL_NUM_THREADS=$th \
				"$py" numpy_ref.py -count 1 -only epoch >>"$tmp/raw.txt"
		done
	fi
done
load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
kill "$busy"
busy=""

machine
echo "- one busy loop beside the benchmarks"
echo "- $count interleaved rounds; load average $load0 at the start, $load1 at the end"
echo
echo "| network | ours 1T | ours 2T | numpy 1T | numpy 2T | ours 2T / ours 1T | numpy 2T / numpy 1T |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
awk '
/^BenchmarkEpoch/ {
	name = $1; who = "ours"; threads = 1
	if (name ~ /\/numpy-[0-9]+$/) { who = "numpy"; threads = substr(name, length(name)); sub(/\/numpy-[0-9]+$/, "", name) }
	else if (match(name, /-[0-9]+$/)) { threads = substr(name, RSTART + 1); name = substr(name, 1, RSTART - 1) }
	sub(/^BenchmarkEpoch\//, "", name)
	for (i = 1; i < NF; i++) if ($(i+1) == "ns/op") ns = $i
	v[name "|" who "|" threads] = v[name "|" who "|" threads] " " ns / 1e9
	nets[name] = 1
}
function median(s,   a, n, i, j, t) {
	n = split(s, a, " ")
	if (n == 0) return ""
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function ratio(x, y) { return (x != "" && y != "" && y > 0) ? sprintf("%.2f", x / y) : "" }
function fmt(x) { return x == "" ? "" : sprintf("%.3f", x) }
END {
	for (n in nets) {
		o1 = median(v[n "|ours|1"]); o2 = median(v[n "|ours|2"])
		p1 = median(v[n "|numpy|1"]); p2 = median(v[n "|numpy|2"])
		gsub(/_/, "-", n); gsub(/[][]/, "", n)
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", n, fmt(o1), fmt(o2), fmt(p1), fmt(p2), ratio(o2, o1), ratio(p2, p1)
	}
}' "$tmp/raw.txt" | sort
