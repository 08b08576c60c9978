#!/bin/bash
# The patches under kernel/patches/, proposed to the CXL core: each is
# clean under checkpatch --strict, applies to Debian's linux-source-7.3
# (unpacked by scripts/setup.sh), and the files it touches compile with
# no warning against the 7.3 headers, in the Debian 13 root.
#   patch-test.sh BUILD-DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
checkpatch=/var/cache/cxlnic/checkpatch/scripts/checkpatch.pl
# shellcheck source=scripts/debian13.sh
. "$src/scripts/debian13.sh"
skip() {
	echo "SKIP: $*"
	[ "${CI:-}" = true ] && exit 1
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (the build runs in the Debian 13 root)"
[ -f "$D13_SRC/.cxlnic-unpacked" ] || skip "no linux-source-7.3 under $D13_SRC (scripts/setup.sh)"
[ -f "$checkpatch" ] || skip "checkpatch.pl not extracted (scripts/setup.sh)"
kdir=$(d13_kdir 7.3)
patches=("$src"/kernel/patches/*.patch)
[ -f "${patches[0]}" ] || { echo "FAIL: no patch under kernel/patches"; exit 1; }

rc=0
perl "$checkpatch" --strict --no-tree --no-signoff --quiet "${patches[@]}" || rc=1

# A copy of the source's drivers/cxl (the patches touch nothing else),
# under the build directory so that the root sees it at the same path.
tree=$(mktemp -d "$build/.patch-test.XXXXXX")
trap 'rm -rf "$tree"' EXIT
mkdir -p "$tree/drivers"
cp -a "$D13_SRC/drivers/cxl" "$tree/drivers/"
for p in "${patches[@]}"; do
	echo "== $(basename "$p") on $(cat "$D13_SRC/.cxlnic-unpacked")"
	patch -d "$tree" -p1 --batch --forward --no-backup-if-mismatch <"$p" || {
		echo "FAIL: $(basename "$p") does not apply"
		exit 1
	}
done
# Each touched file, compiled in the directory of its Makefile; the CXL
# core's own -I$(srctree)/drivers/cxl points into the headers, so the
# copy's is given.
mapfile -t touched < <(sed -n 's|^+++ b/\(drivers/cxl/.*\)\.c$|\1|p' "${patches[@]}" | sort -u)
[ ${#touched[@]} -gt 0 ] || { echo "FAIL: the patches touch no C file of drivers/cxl"; exit 1; }
for f in "${touched[@]}"; do
	echo "== compile $f.c against $(d13_kver 7.3)"
	if ! D13_BIND=$tree d13_run make -s -C "$kdir" M="$tree/$(dirname "$f")" \
		KCFLAGS="-I$tree/drivers/cxl -Werror" "$(basename "$f").o"; then
		echo "FAIL: $f.c does not compile with the patches"
		rc=1
		continue
	fi
	[ -s "$tree/$f.o" ] || { echo "FAIL: no $f.o"; rc=1; }
done
[ $rc = 0 ] && echo "the ${#patches[@]} patch(es) apply and compile on 7.3"
exit $rc
