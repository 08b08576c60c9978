#!/bin/bash
# The patches under kernel/patches/, proposed upstream (to the CXL core,
# and to sfc for cxlnic's quiesce op): each is clean under checkpatch
# --strict, applies to Debian's linux-source-7.3 (unpacked by
# scripts/setup.sh), and the files it touches compile with no warning
# against the 7.3 headers, in the Debian 13 root (sfc's with cxlnic's own
# include/linux/cxlnic.h).
#   patch-test.sh BUILD-DIR
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
checkpatch=/var/cache/cxlnic/checkpatch/scripts/checkpatch.pl
# shellcheck source=scripts/debian13.sh
. "$src/scripts/debian13.sh"
# shellcheck source=scripts/lint-skip.sh
. "$(dirname "$0")/lint-skip.sh"
[ "$(id -u)" = 0 ] || skip "needs root (the build runs in the Debian 13 root)"
[ -f "$D13_SRC/.cxlnic-unpacked" ] || skip "no linux-source-7.3 under $D13_SRC (scripts/setup.sh)"
[ -f "$checkpatch" ] || skip "checkpatch.pl not extracted (scripts/setup.sh)"
kdir=$(d13_kdir 7.3)
patches=("$src"/kernel/patches/*.patch)
[ -f "${patches[0]}" ] || { echo "FAIL: no patch under kernel/patches"; exit 1; }

rc=0
perl "$checkpatch" --strict --no-tree --no-signoff --quiet "${patches[@]}" || rc=1

# A copy of the source's directories that the patches touch, under the
# build directory so that the root sees it at the same path.
dirs=(drivers/cxl drivers/net/ethernet/sfc)
tree=$(mktemp -d "$build/.patch-test.XXXXXX")
trap 'rm -rf "$tree"' EXIT
for d in "${dirs[@]}"; do
	mkdir -p "$tree/$(dirname "$d")"
	cp -a "$D13_SRC/$d" "$tree/$(dirname "$d")/"
done
# cxlnic's API, as <linux/cxlnic.h> and the <uapi/linux/cxlnic.h> it takes.
mkdir -p "$tree/cxlnic/linux" "$tree/cxlnic/uapi/linux"
cp "$src/kernel/include/linux/cxlnic.h" "$tree/cxlnic/linux/"
cp "$src/include/uapi/linux/cxlnic.h" "$tree/cxlnic/uapi/linux/"
for p in "${patches[@]}"; do
	echo "== $(basename "$p") on $(cat "$D13_SRC/.cxlnic-unpacked")"
	patch -d "$tree" -p1 --batch --forward --no-backup-if-mismatch <"$p" || {
		echo "FAIL: $(basename "$p") does not apply"
		exit 1
	}
done
# Each touched file, compiled in the directory of its Makefile; the CXL
# core's own -I$(srctree)/drivers/cxl points into the headers, so the
# copy's is given, and cxlnic's API header for sfc.
mapfile -t touched < <(sed -n 's|^+++ b/\(drivers/.*\)\.c$|\1|p' "${patches[@]}" | sort -u)
[ ${#touched[@]} -gt 0 ] || { echo "FAIL: the patches touch no C file"; exit 1; }
for f in "${touched[@]}"; do
	case $f in
	drivers/cxl/* | drivers/net/ethernet/sfc/*) ;;
	*) echo "FAIL: $f.c is outside ${dirs[*]}"; exit 1 ;;
	esac
	echo "== compile $f.c against $(d13_kver 7.3)"
	if ! D13_BIND=$tree d13_run make -s -C "$kdir" M="$tree/$(dirname "$f")" \
		KCFLAGS="-I$tree/drivers/cxl -I$tree/cxlnic -Werror" \
		"$(basename "$f").o"; then
		echo "FAIL: $f.c does not compile with the patches"
		rc=1
		continue
	fi
	[ -s "$tree/$f.o" ] || { echo "FAIL: no $f.o"; rc=1; }
done
[ $rc = 0 ] && echo "the ${#patches[@]} patch(es) apply and compile on 7.3"
exit $rc
