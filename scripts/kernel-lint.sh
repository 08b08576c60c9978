#!/bin/bash
# checkpatch.pl --strict and sparse over kernel/: any finding fails.
#   kernel-lint.sh [KDIR]
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
kdir=${1:-$(ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1)}
checkpatch=/var/cache/cxlnic/checkpatch/scripts/checkpatch.pl
skip() {
	echo "SKIP: $*"
	[ "${CI:-}" = true ] && exit 1
	exit 77
}
[ -x "$(command -v sparse)" ] || skip "sparse not installed (scripts/setup.sh)"
[ -f "$checkpatch" ] || skip "checkpatch.pl not extracted (scripts/setup.sh)"
[ -f "$kdir/Makefile" ] || skip "no kernel build tree"

files=$(cd "$src" && ls kernel/*.c kernel/*.h kernel/sim/*.c \
	kernel/include/linux/*.h include/uapi/linux/*.h)
rc=0
echo "== checkpatch --strict"
(cd "$src" && perl "$checkpatch" --strict --no-tree --quiet \
	--ignore FILE_PATH_CHANGES -f $files) || rc=1

echo "== sparse (make C=2)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$src/kernel/build-modules.sh" "$src/kernel" "$out" "$kdir" C=2 \
	>"$out/log" 2>&1 || { cat "$out/log"; exit 1; }
if grep -E 'warning:|error:' "$out/log"; then
	rc=1
fi
checked=$(grep -c '^  CHECK' "$out/log" || true)
echo "sparse checked $checked files"
[ "$checked" -gt 0 ] || { echo "sparse did not run"; rc=1; }
[ $rc -eq 0 ] && echo "kernel/ is clean under checkpatch --strict and sparse"
exit $rc
