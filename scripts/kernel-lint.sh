#!/bin/bash
# checkpatch.pl --strict and sparse over kernel/: any finding fails.
#   kernel-lint.sh [KDIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:-$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)}
checkpatch=/var/cache/cxlnic/checkpatch/scripts/checkpatch.pl
# shellcheck source=scripts/lint-skip.sh
. "$(dirname "$0")/lint-skip.sh"
[ -x "$(command -v sparse)" ] || skip "sparse not installed (scripts/setup.sh)"
[ -f "$checkpatch" ] || skip "checkpatch.pl not extracted (scripts/setup.sh)"
[ -f "$kdir/Makefile" ] || skip "no kernel build tree"

files=$(cd "$src" && ls kernel/*.c kernel/*.h kernel/sim/*.c \
	kernel/include/linux/*.h include/uapi/linux/*.h | grep -v _compat.h)
rc=0
echo "== checkpatch --strict"
(cd "$src" && perl "$checkpatch" --strict --no-tree --quiet \
	--ignore FILE_PATH_CHANGES -f $files) || rc=1
# The compat header is the one place that tests the kernel's version (an
# out-of-tree module builds for several): only that warning is waived, and
# only there.
(cd "$src" && perl "$checkpatch" --strict --no-tree --quiet \
	--ignore FILE_PATH_CHANGES,LINUX_VERSION_CODE -f kernel/cxlnic_compat.h) || rc=1

# sparse on every kernel of the matrix: the host's (6.1) here, the
# Debian 13 ones (6.12, 7.3) in the Debian 13 root with sid's sparse.
sparse_log() {
	local log=$1 label=$2
	if grep -E 'warning:|error:' "$log"; then
		rc=1
	fi
	checked=$(grep -c '^  CHECK' "$log" || true)
	echo "sparse checked $checked files on $label"
	[ "$checked" -gt 0 ] || { echo "sparse did not run on $label"; rc=1; }
}

out=$(mktemp -d "$src/build/.lint.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== sparse (make C=2), $(basename "$(dirname "$kdir")")"
"$src/kernel/build-modules.sh" "$src/kernel" "$out/host" "$kdir" C=2 \
	>"$out/host.log" 2>&1 || { cat "$out/host.log"; exit 1; }
sparse_log "$out/host.log" "$(basename "$(dirname "$kdir")")"

# shellcheck source=scripts/debian13.sh
. "$src/scripts/debian13.sh"
if [ -d "$D13_ROOT/usr" ]; then
	for name in "${!D13_KERNEL_SUITE[@]}"; do
		echo "== sparse (make C=2), $name ($(d13_kver "$name"))"
		"$src/scripts/build-kernels.sh" "$out" "$name" -- C=2 \
			CHECK="$D13_SPARSE" >/dev/null || { rc=1; continue; }
		sparse_log "$out/kernel-$(d13_kver "$name").log" "$name"
	done
else
	echo "FAIL: no Debian 13 root: sparse did not run on 6.12 and 7.3 (scripts/setup.sh)"
	rc=1
fi
[ $rc -eq 0 ] && echo "kernel/ is clean under checkpatch --strict and sparse on every kernel"
exit $rc
