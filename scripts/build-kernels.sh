#!/bin/bash
# Build cxlnic.ko and the emulated NICs for the Debian 13 kernels of the
# matrix (6.12, 7.3, and 7.3-debug once built) inside the Debian 13 root,
# with its gcc-14, into OUTDIR/kernel-KVER.  The host's own kernel (6.1) is
# meson's build (build/kernel).  Any compiler or modpost warning fails the
# build.
#   build-kernels.sh OUTDIR [NAME...] [-- MAKE-ARGS...]
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/debian13.sh
. "$top/scripts/debian13.sh"

out=$(cd "${1:?usage: build-kernels.sh OUTDIR [NAME...] [-- MAKE-ARGS...]}" && pwd)
shift
names=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	names+=("$1")
	shift
done
[ "${1:-}" = -- ] && shift
if [ ${#names[@]} -eq 0 ]; then
	names=("${!D13_KERNEL_SUITE[@]}")
	# The debug kernel (scripts/build-debug-kernel.sh), where it was built:
	# its modules are built with the others, so that vmrun --kernel
	# 7.3-debug never loads stale ones.
	[ -n "$(d13_kver 7.3-debug)" ] && names+=(7.3-debug)
fi

[ -d "$D13_ROOT/usr" ] || { echo "build-kernels: no Debian 13 root (scripts/setup.sh)" >&2; exit 1; }
# The root sees the tree at the same path; the output must lie inside it.
case $out/ in
"$top"/*) ;;
*) echo "build-kernels: $out is not inside $top" >&2; exit 1 ;;
esac

rc=0
for name in "${names[@]}"; do
	kver=$(d13_kver "$name")
	[ -n "$kver" ] || { echo "build-kernels: kernel $name not fetched (scripts/setup.sh)" >&2; exit 1; }
	dir=$out/kernel-$kver
	log=$dir.log
	mkdir -p "$dir"
	if ! D13_BIND=$top d13_run "$top/kernel/build-modules.sh" "$top/kernel" \
		"$dir" "$(d13_kdir "$name")" CC=gcc-14 "$@" >"$log" 2>&1; then
		cat "$log"
		echo "build-kernels: $name ($kver) failed" >&2
		rc=1
		continue
	fi
	if grep -E 'warning:|error:|WARNING:' "$log"; then
		echo "build-kernels: $name ($kver) built with warnings" >&2
		rc=1
		continue
	fi
	echo "build-kernels: $name ($kver): $(cd "$dir" && ls ./*.ko | xargs -n1 basename | tr '\n' ' ')"
done
exit $rc
