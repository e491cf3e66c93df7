#!/usr/bin/env bash
# One knob at a time against the homework's default network (784-256-128-10,
# 30k stratified training images, 20 epochs), for docs/beyond.md. Every
# variant is examples/recipe (part k's defaults) plus the knob; each runs for the
# seeds given (default 1 2 3) and prints validation, held-out test and whole
# test split accuracy, then the mean over the seeds.
#
#   bash docs/beyond.sh                       # FashionMNIST, every knob, seeds 1 2 3
#   SEEDS=1 bash docs/beyond.sh               # every knob, seed 1 only
#   DATASET=mnist SEEDS="1" bash docs/beyond.sh adam "-optimizer adam"
#
# Arguments, if any, are pairs: a name and the flags of one variant.
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=${DATASET:-fashion}
seeds=${SEEDS:-1 2 3}
out=${OUT:-out/beyond}
mkdir -p "$out"
go build -o "$out/recipe" ./examples/recipe

variants=("$@")
if [ ${#variants[@]} -eq 0 ]; then
	variants=(
		"default" ""
		"momentum 0.9" "-optimizer momentum"
		"nesterov 0.9" "-optimizer nesterov"
		"adam" "-optimizer adam"
		"adamw 0.05" "-optimizer adamw -weight-decay 0.05"
		"sgd + L2 5e-4" "-weight-decay 5e-4"
		"cosine" "-schedule cosine"
		"batchnorm" "-batchnorm"
		"dropout 0.3" "-dropout 0.3"
		"label smoothing 0.1" "-label-smoothing 0.1"
		"shifts ±1" "-augment 1"
		"flips" "-flip"
		"gelu" "-activation gelu"
		"tanh" "-activation tanh"
	)
fi

printf '%-28s %-5s %8s %8s %8s %8s\n' variant seed val test whole seconds
for ((i = 0; i < ${#variants[@]}; i += 2)); do
	name=${variants[i]}
	flags=${variants[i + 1]}
	rows=""
	for s in $seeds; do
		dir="$out/${name// /_}-$dataset-$s"
		# shellcheck disable=SC2086 # flags is a list of words
		"$out/recipe" -dataset "$dataset" -seed "$s" -out "$dir" -sanity=false $flags >"$dir.log" 2>&1 ||
			{ echo "$name seed $s failed: see $dir.log" >&2; continue; }
		val=$(sed -n 's/^validation accuracy *\([0-9.]*\)%.*/\1/p' "$dir.log")
		test=$(sed -n 's/^held-out test accuracy *\([0-9.]*\)%.*/\1/p' "$dir.log")
		whole=$(sed -n 's/.*whole test split *\([0-9.]*\)%.*/\1/p' "$dir.log")
		secs=$(sed -n 's/.* in \([0-9.]*\)s$/\1/p' "$dir.log" | tail -n 1)
		printf '%-28s %-5s %8s %8s %8s %8s\n' "$name" "$s" "$val" "$test" "$whole" "$secs"
		rows+="$val $test $whole"$'\n'
	done
	[ -n "$rows" ] && printf '%s' "$rows" | awk -v name="$name" '
		{ v += $1; t += $2; w += $3; n++ }
		END { printf "%-28s %-5s %8.2f %8.2f %8.2f\n", name, "mean", v / n, t / n, w / n }'
done
