#!/bin/bash
# The debug kernel's self-test (vmrun --kernel 7.3-debug): a module that
# commits each bug on purpose (debugcheck/cxlnic_debugcheck.c) must make
# vmrun fail the run (exit 99) and name the report: a lockdep splat, a
# sleep in atomic context, a kmemleak leak after the scan, a KASAN report,
# and, in a second boot (lockdep reports once per boot), suspicious RCU
# usage.  Builds the module against the debug kernel's tree in the Debian
# 13 root, into $CXLNIC_BUILD/debugcheck (default: build/).  Run as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/debian13.sh
. "$top/scripts/debian13.sh"
B=${CXLNIC_BUILD:-$top/build}
B=$(cd "$B" && pwd)
kver=$(d13_kver 7.3-debug)
if [ -z "$kver" ]; then
	echo "debug-selftest: no debug kernel (scripts/build-debug-kernel.sh)"
	[ "${CI:-}" = true ] && exit 1
	exit 77
fi
# The root sees the tree at the same path (D13_BIND): the output must lie
# inside it.
case $B/ in
"$top"/*) ;;
*) echo "debug-selftest: $B is not inside $top" >&2; exit 1 ;;
esac
out=$B/debugcheck
mkdir -p "$out"
cp "$here/debugcheck/Kbuild" "$here/debugcheck/cxlnic_debugcheck.c" "$out/"
D13_BIND=$top d13_run make -C "$(d13_kdir 7.3-debug)" M="$out" CC=gcc-14 modules \
	>"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }

fail=0
# check BUGS PATTERN...: one boot loading the module with bugs=BUGS; vmrun
# must exit 99 and its report must hold every PATTERN.
check() {
	local bugs=$1 rc=0 err p
	shift
	err=$(flock_vm "$here/vmrun" --kernel 7.3-debug --timeout 300 -- \
		sh -c 'insmod "$1" bugs="$2"; sleep 6' sh "$out/cxlnic_debugcheck.ko" "$bugs" \
		2>&1 >/dev/null) || rc=$?
	if [ "$rc" -ne 99 ]; then
		echo "FAIL: bugs=$bugs: vmrun exit $rc, expected 99"
		echo "$err" | tail -n 40
		fail=1
		return
	fi
	for p in "$@"; do
		if ! grep -qE "$p" <<<"$err"; then
			echo "FAIL: bugs=$bugs: vmrun's report lacks /$p/"
			echo "$err" | tail -n 60
			fail=1
			return
		fi
	done
	echo "ok: bugs=$bugs: vmrun exit 99, reported: $*"
}
# VMRUN_LOCK: a lock file that every VM run on this machine takes (two
# cores: one guest at a time); none by default, as in meson's vm suite.
flock_vm() {
	if [ -n "${VMRUN_LOCK:-}" ]; then
		flock "$VMRUN_LOCK" "$@"
	else
		"$@"
	fi
}

check lockdep,sleep,leak,kasan 'possible circular locking dependency' \
	'sleeping function called from invalid context' \
	'kmemleak: [0-9]+ suspected leaks' 'BUG: KASAN: slab-use-after-free'
check rcu 'suspicious RCU usage'
exit $fail
