#!/usr/bin/env bash
# cnn.sh compares one training epoch of cnn-s (cnn_test.go: two 3×3
# convolutions with BatchNorm, ReLU and max pooling, then two Linear
# layers; 30,000 28×28 images, batch 64, plain SGD) in this library
# (float64), in PyTorch float64 and float32 and in numpy float64 with
# im2col (cnn_ref.py), on 2 threads, in interleaved rounds: every
# contender once per round, so that a slow minute of the machine hits all
# of them alike. It prints the median and quartiles of the seconds per
# epoch, GFLOPS (the products only, cnnSFlops), the fraction of the
# machine's FMA peak (BenchmarkPeak of tensor/internal/kernel, measured in
# the same rounds), the median over rounds of each round's ratio, and the
# second convolution alone (BenchmarkCNNConv2).
#
#	cd bench && ./cnn.sh      # COUNT=5 BATCHES=60: about 5 minutes on an idle machine
#
# Each run times BATCHES steps of 64 images after a few warm-up steps and
# scales the time to 30,000 images (469 steps), the Go run as well
# (-cnnimages), so that a round takes seconds rather than minutes. The data
# are synthetic (uniform pixels, random labels): the time does not depend
# on the values. Before the rounds, cnn_ref.py -check compares numpy's
# loss and gradients with torch float64 on one batch and stops the script
# if they differ. PYTHON names the interpreter; by default the first of
# python3 and /usr/bin/python3 that can import numpy and torch.
set -euo pipefail
cd "$(dirname "$0")"
count=${COUNT:-5}
batches=${BATCHES:-60}
threads=2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

py_imports="numpy, torch"
. ./python.sh # py, machine(), and OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
if [ -z "$py" ]; then
	echo "cnn.sh: no python3 that can import numpy and torch (set PYTHON)" >&2
	exit 1
fi
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads

echo "building the benchmarks..." >&2
go test -c -o "$tmp/cnn.test" .
(cd .. && go test -c -o "$tmp/kernel.test" ./tensor/internal/kernel)
"$py" cnn_ref.py -check >&2

load0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
start=$(date +%s)
for r in $(seq "$count"); do
	echo "round $r of $count..." >&2
	# The contenders take turns at going first, so that whatever the
	# position in a round does to a run falls on all of them alike.
	impls=(go torch64 torch32 numpy)
	{
		for i in 0 1 2 3; do
			impl=${impls[$(((i + r - 1) % 4))]}
			if [ "$impl" = go ]; then
				"$tmp/cnn.test" -test.run XXX -test.bench 'CNNEpoch$' -test.cpu $threads -test.benchtime 1x -cnnimages $((batches * 64))
			else
				"$py" cnn_ref.py -impl "$impl" -threads $threads -batches "$batches"
			fi
		done
		"$tmp/cnn.test" -test.run XXX -test.bench 'CNNConv2$' -test.cpu $threads -test.benchtime 300ms
		"$tmp/kernel.test" -test.run XXX -test.bench Peak -test.cpu $threads -test.benchtime 300ms
	} | awk -v r="$r" '/^Benchmark/ {print r, $0}' >>"$tmp/raw.txt"
done
secs=$(($(date +%s) - start))
load1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

machine
echo "- torch and numpy: $("$py" --version 2>&1), $(THREADS=$threads "$py" cnn_ref.py -info | paste -sd ';' | sed 's/;/; /')"
echo "- $count interleaved rounds of $batches steps per contender in ${secs}s; load average $load0 at the start, $load1 at the end"
echo
echo "cnn-s, one epoch of 30,000 images on $threads threads: seconds, median [first quartile, third quartile] of the"
echo "rounds; GFLOPS and the fraction of the FMA peak from the median; ours/them: median over the rounds of each"
echo "round's ratio of seconds (below 1: ours is faster)."
echo
# raw lines: round, then a Go benchmark line.
awk '
function med(a, n,   i, j, t) {
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j+1] = a[j]; a[j+1] = t }
	return a[int((n + 1) / 2)]
}
function q(a, n, f) { return a[int(f * (n - 1)) + 1] } # after med sorted a
function metric(unit,   i) { for (i = 3; i < NF; i++) if ($(i+1) == unit) return $i; return "" }
{
	r = $1; name = $2; sub(/-[0-9]+$/, "", name); rounds[r] = 1
	if (name == "BenchmarkCNNEpoch") who = "ours"
	else if (name ~ /^BenchmarkCNNEpoch\//) { who = name; sub(/.*\//, "", who) }
	else if (name == "BenchmarkCNNConv2") { conv[++nc] = metric("GFLOPS"); next }
	else if (name ~ /^BenchmarkPeak/) { peak[++np] = metric("GFLOPS"); next }
	else next
	sec[who, r] = metric("s/epoch"); gf[who, r] = metric("GFLOPS")
}
END {
	pk = med(peak, np)
	split("ours torch64 torch32 numpy", whos, " ")
	label["ours"] = "this library, float64"; label["torch64"] = "PyTorch float64"
	label["torch32"] = "PyTorch float32"; label["numpy"] = "numpy + OpenBLAS float64, im2col"
	print "| contender | s/epoch | GFLOPS | of peak | ours/them |"
	print "| --- | ---: | ---: | ---: | ---: |"
	for (w = 1; w <= 4; w++) {
		who = whos[w]; n = 0; delete v; delete g; delete rt
		for (r in rounds) if ((who, r) in sec) { v[++n] = sec[who, r]; g[n] = gf[who, r] }
		if (n == 0) { print "| " label[who] " | – | – | – | – |"; continue }
		m = med(v, n); gm = med(g, n)
		k = 0; for (r in rounds) if ((who, r) in sec && ("ours", r) in sec) rt[++k] = sec["ours", r] / sec[who, r]
		printf "| %s | %.2f [%.2f, %.2f] | %.1f | %.0f%% | %s |\n", label[who], m, q(v, n, 0.25), q(v, n, 0.75), gm, 100 * gm / pk, (who == "ours" ? "1" : sprintf("%.2f", med(rt, k)))
	}
	print ""
	cm = med(conv, nc)
	printf "Second convolution alone (32→64, 3×3, 64×14×14, forward + backward, BenchmarkCNNConv2): %.1f GFLOPS, %.0f%% of peak.\n", cm, 100 * cm / pk
	printf "FMA peak (BenchmarkPeak, %d threads): %.1f GFLOPS.\n", '"$threads"', pk
}' "$tmp/raw.txt"
