# python.sh, sourced by table.sh, epoch.sh and busy.sh, sets py to the first
# of $PYTHON, python3 and /usr/bin/python3 that can import numpy, or to ""
# when none can (numpy's columns then stay empty). A script that needs more
# sets py_imports first (cnn.sh: "numpy, torch").
#
# OpenBLAS picks its kernel from the CPU unless OPENBLAS_CORETYPE forces
# one, and OPENBLAS_L2_SIZE overrides the cache size it blocks for: both
# are unset here, so numpy runs as it would for anyone on this machine.
# machine prints the lines that say what ran: the CPU, the library's
# kernel, and numpy's BLAS with the kernel OpenBLAS chose for this CPU
# (openblas_get_corename()).
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c "import ${py_imports:-numpy}" 2>/dev/null; then
		py=$p
		break
	fi
done

machine() {
	local fam kern
	fam=$(awk -F': ' '/^cpu family/ {f=$2} /^model\t/ {m=$2} END {if (f != "") print ", family " f ", model " m}' /proc/cpuinfo 2>/dev/null || true)
	kern=$(cd .. && go test -count=1 -run 'TestFast$' -v ./tensor/internal/kernel | sed -n 's/.*fast kernel: //p' | head -1)
	echo "- CPU: $(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')$fam, $(getconf _NPROCESSORS_ONLN) logical CPUs; $(go version | cut -d' ' -f3-)"
	echo "- Library kernel: ${kern:-unknown}"
	if [ -n "$py" ]; then
		echo "- numpy: $(OPENBLAS_NUM_THREADS=1 "$py" numpy_ref.py -only none | sed 's/, [0-9]* threads)/)/'), the kernel OpenBLAS chose for this CPU (OPENBLAS_CORETYPE unset)"
	else
		echo "- numpy: not found (no python3 that can import numpy); its columns are empty"
	fi
}
