#!/bin/bash
# kernel-reports.awk, the way vmrun runs it, on a report of the kernel
# itself (testdata/pciehp-splat.log: the console's copy from a
# type2-daemon@7.3-debug run) and on edits of it: the known report alone
# passes; the same kind of report with another lock, a second report after
# it, and a malformed list each do not.  Reports start where vmrun's list
# (kernel-report-starts) says.  No VM.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
starts=$here/kernel-report-starts
splat=$here/testdata/pciehp-splat.log
fails=0

# reports NAME KNOWN-LIST LOG...: runs the awk, output in $tmp/NAME.*,
# its exit status in $tmp/NAME.rc
reports() {
	local name=$1 known=$2 rc=0
	shift 2
	awk -v starts="$starts" -v also="${also-}" -v known="$known" -v out="$tmp/$name" \
		-f "$here/kernel-reports.awk" "$@" >"$tmp/$name.lines" 2>"$tmp/$name.err" ||
		rc=$?
	echo "$rc" >"$tmp/$name.rc"
}

# expect_refused NAME WHAT MESSAGE: the awk refused its input (2) and said
# MESSAGE
expect_refused() {
	if [ "$(cat "$tmp/$1.rc")" -ne 2 ]; then
		echo "FAIL: $2: exit $(cat "$tmp/$1.rc"), want 2"
		fails=$((fails + 1))
	elif ! grep -qF "$3" "$tmp/$1.err"; then
		echo "FAIL: $2: it said: $(cat "$tmp/$1.err")"
		fails=$((fails + 1))
	else
		echo "ok: $2"
	fi
}

# expect NAME WHAT WANT: the awk's summary lines (ids) of NAME are WANT
expect() {
	local got
	got=$(cut -f 1 "$tmp/$1.lines" | paste -s -d ' ')
	if [ "$got" = "$3" ]; then
		echo "ok: $2"
	else
		echo "FAIL: $2: reports '$got', want '$3'"
		fails=$((fails + 1))
	fi
}

known=$here/known-kernel-reports

# The console's copy and dmesg's (no timestamp on continued lines): one
# report, known, its text in .known.
sed 's/^\[ *[0-9.]*\] \(but task\|which lock\|the existing\)/               \1/' \
	"$splat" >"$tmp/dmesg"
reports both "$known" "$splat" "$tmp/dmesg"
expect both "pciehp's splat in both logs is one known report" pciehp-reset-lock
if ! grep -q 'pciehp_ist' "$tmp/both.known" || [ -e "$tmp/both.unknown" ]; then
	echo "FAIL: the known report's text is not in .known alone"
	fails=$((fails + 1))
fi

# The same kind of splat with another lock held is not that report.
sed 's/(pci_rescan_remove_lock)/(\&dev->mutex)/g' "$splat" >"$tmp/other-lock"
reports other "$known" "$tmp/other-lock"
expect other "a circular dependency with another lock is unknown" unknown

# A report after the known one is a report of its own.
{
	cat "$splat"
	echo '[  500.000000] WARNING: CPU: 1 PID: 77 at drivers/cxl/core/region.c:1 cxl_region_probe+0x1/0x2'
	echo '[  500.000001] Call Trace:'
	echo '[  500.000002]  <TASK>'
	echo '[  500.000003]  </TASK>'
} >"$tmp/after"
reports after "$known" "$tmp/after"
expect after "a WARNING after the known splat fails on its own" "pciehp-reset-lock unknown"
grep -q 'cxl_region_probe' "$tmp/after.unknown" ||
	{ echo "FAIL: the WARNING's text is not in .unknown"; fails=$((fails + 1)); }

# ... also when the known one was cut short (no end of its stack dump).
{
	head -n 20 "$splat"
	echo '[  500.000000] BUG: KASAN: slab-use-after-free in cxlnic_attach+0x1/0x2'
} >"$tmp/cut"
reports cut "$known" "$tmp/cut"
expect cut "a report that cuts the known one short is not part of it" "pciehp-reset-lock unknown"

# A line that starts a report only where vmrun adds it (an RCU stall, on
# the debug kernel).
printf '[  600.000000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n' >"$tmp/stall"
reports stall-stock "$known" "$tmp/stall"
expect stall-stock "an RCU stall is no report on the stock kernels" ""
also='detected stall' reports stall-debug "$known" "$tmp/stall"
expect stall-debug "an RCU stall is a report on the debug kernel" unknown

# A clean log: no report.
printf '[    1.000000] Linux version 7.3\n' >"$tmp/clean-log"
reports clean "$known" "$tmp/clean-log"
expect clean "a clean log has no report" ""

# A malformed list is refused with its line, not read as empty.
printf 'needs foo\nid x\n' >"$tmp/bad-list"
reports malformed "$tmp/bad-list" "$splat"
expect_refused malformed "a malformed list is refused with its line" \
	'bad-list:1: "needs" before the first id'

# So is a list of report starts with nothing in it (every line would
# start a report, or none).
printf '# only a comment\n\n' >"$tmp/no-starts"
starts=$tmp/no-starts reports nostarts "$known" "$splat"
expect_refused nostarts "an empty list of report starts is refused" \
	'no-starts: no expression'

[ "$fails" -eq 0 ]
