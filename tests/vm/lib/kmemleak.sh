# shellcheck shell=sh
# kmemleak in the bench's guest (a kernel built with it: 7.3-debug,
# scripts/build-debug-kernel.sh), sourced by stage2.sh and systemd-test.sh.
# No scan thread runs (the debug kernel has DEBUG_KMEMLEAK_AUTO_SCAN off):
# the bench scans before the command, to set aside what the boot leaked,
# and after it; vmrun fails the run when the second finds anything.  On a
# kernel without kmemleak both do nothing.
KMEMLEAK=/sys/kernel/debug/kmemleak

# kmemleak_begin SCRATCH: what the boot itself leaked (the kernel's own
# init, not the command's), kept in SCRATCH/kmemleak-boot and cleared, so
# that the final scan reports only what leaked after this point.
# Both run in a subshell: a scan stops, silently, reporting nothing, when
# a signal is pending for the writer, and stage 2 is PID 1, to which every
# orphan's exit sends SIGCHLD.  (That was first suspected for the leaks
# debug-selftest's scans missed; the cause was the slab sheaves that vmrun
# turns off with slab_debug=F.)
kmemleak_begin() (
	[ -w "$KMEMLEAK" ] || exit 0
	echo scan >"$KMEMLEAK" 2>/dev/null || exit 0
	cat "$KMEMLEAK" >"$1/kmemleak-boot" 2>&1
	echo clear >"$KMEMLEAK"
)

# kmemleak_end SCRATCH: scan twice, 6 s apart (kmemleak reports only
# objects older than 5 s, and an object freed through RCU or a workqueue
# after the command ended is then gone), and keep the report in
# SCRATCH/kmemleak; an empty file means no leak.
kmemleak_end() (
	[ -w "$KMEMLEAK" ] || exit 0
	echo scan >"$KMEMLEAK" 2>/dev/null || exit 0
	sleep 6
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK" >"$1/kmemleak" 2>&1
)
