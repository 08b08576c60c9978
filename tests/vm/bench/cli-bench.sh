#!/bin/bash
# cxlnicctl benchmark; prints figures, asserts nothing.  Wall time of
# `cxlnicctl list --json` (the kernel family over netlink) against
# `cxl list -v` (libcxl walking sysfs) on the same topology, both NICs
# attached, in the same VM run; median of RUNS each, and the ratio.
. "$(dirname "$0")/../lib/cxlnic.sh"
set +e

RUNS=${RUNS:-50}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# time_us CMD...: microseconds for one run, output discarded.
time_us() {
	local t0=$EPOCHREALTIME t1
	"$@" >/dev/null 2>&1
	t1=$EPOCHREALTIME
	echo $(( ${t1/./} - ${t0/./} ))
}

load_cxl
load_cxlnic
for nic in 0 1; do
	attach $nic "$(ensure_region $nic)"
done
: >/tmp/ctl
: >/tmp/cxl
for _ in $(seq "$RUNS"); do
	time_us "$CTL" list --json >>/tmp/ctl
	time_us cxl list -v >>/tmp/cxl
done
c=$(median </tmp/ctl)
x=$(median </tmp/cxl)
echo "cxlnicctl list --json: median $c us (of $RUNS)"
echo "cxl list -v:           median $x us (of $RUNS)"
echo "ratio cxl list -v / cxlnicctl list --json = $(awk -v a="$x" -v b="$c" 'BEGIN {printf "%.2f", a / b}')"
