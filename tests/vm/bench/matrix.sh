#!/bin/bash
# One benchmark on several kernels in one run, its figures side by side:
#   matrix.sh BENCH KERNEL... (BENCH: kernel, daemon or cli)
# Each kernel's run goes through vmrun as usual and is printed whole; then
# each figure line (one with a number after a colon) of the first kernel
# with the same line of the others under it.  Prints figures, asserts
# nothing (a run that fails fails the benchmark).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bench=$1
shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for k in "$@"; do
	echo "== $bench benchmark on $k"
	"$here/../vmrun" --kernel "$k" --timeout 1500 --env CXLNIC_BUILD -- \
		"$here/$bench-bench.sh" | tee "$out/$k"
	grep -E '^[^ ][^:]*:.*[0-9]' "$out/$k" | grep -v '^\[' >"$out/$k.fig" || true
done
echo "== $bench benchmark, side by side ($*)"
n=$(wc -l <"$out/$1.fig")
for ((i = 1; i <= n; i++)); do
	for k in "$@"; do
		printf '%-5s %s\n' "$k" "$(sed -n "${i}p" "$out/$k.fig")"
	done
	echo
done
