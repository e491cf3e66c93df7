# python.sh, sourced by table.sh and busy.sh, sets py to the first of
# $PYTHON, python3 and /usr/bin/python3 that can import numpy, or to ""
# when none can (numpy's columns then stay empty).
py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import numpy' 2>/dev/null; then
		py=$p
		break
	fi
done
