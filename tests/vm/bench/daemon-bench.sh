#!/bin/bash
# cxlnicd benchmark; prints figures, asserts nothing.
#  1. Recovery latency: from the CXL root returning (modprobe cxl_acpi after
#     an unload) to the NIC sending on CXL again, with cxlnicd doing the
#     work, then with the usual way instead (a udev rule running a cxl-cli
#     script per event, udev-peer.sh), in the same VM run; and the ratio.
#  2. Footprint: the daemon's RSS, and its wake-ups per minute when idle
#     with both NICs attached.
. "$(dirname "$0")/../lib/cxlnic.sh"
set +e

ROUNDS=${ROUNDS:-3}
now_ms() { local t=$EPOCHREALTIME; echo $((${t/./} / 1000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load_cxl
load_cxlnic
write_daemon_conf /tmp/cxlnicd.conf
"$B/daemon/cxlnicd" -c /tmp/cxlnicd.conf >/tmp/cxlnicd.log 2>&1 &
daemon=$!
wait_until 120 on_cxl 0 && wait_until 120 on_cxl 1
tx_start 0 1000

# measure_recovery FILE: ROUNDS times, cxl_acpi out and back; the time
# from its return to NIC 0 sending on CXL again, one line per round.
measure_recovery() {
	: >"$1"
	for i in $(seq 1 "$ROUNDS"); do
		rmmod cxl_acpi
		sleep 2
		t0=$(now_ms)
		modprobe cxl_acpi
		wait_until 300 on_cxl 0
		counter_grows 0 cxl_packets
		echo $(($(now_ms) - t0)) >>"$1"
		wait_until 300 on_cxl 1
	done
}

measure_recovery /tmp/lat
echo "recovery: cxl_acpi back -> NIC on CXL, cxlnicd: median $(median </tmp/lat) ms (of $ROUNDS: $(tr '\n' ' ' </tmp/lat))"

tx_stop 0
sleep 5
ctx() { awk '/ctxt_switches/ {n += $2} END {print n}' /proc/$daemon/status; }
a=$(ctx)
sleep 60
b=$(ctx)
status_kb() { awk -v k="$1:" '$1 == k {print $2}' /proc/$daemon/status; }
echo "footprint: cxlnicd RSS $(status_kb VmRSS) kB (anonymous $(status_kb RssAnon) kB, its binary and libraries $(status_kb RssFile) kB), idle wake-ups $((b - a)) per minute (no watchdog configured)"
kill $daemon
wait $daemon

# The peer: the same rounds with a udev rule doing the work.  The script is
# detached from the udev worker (setsid -f), as udev wants of anything
# long: run in the worker itself, it holds the events of the PCI reset it
# causes, and it did not bring the NIC back in 12 minutes.
here=$(cd "$(dirname "$0")" && pwd)
tx_start 0 1000
mkdir -p /run/udev/rules.d
cat >/run/udev/rules.d/99-cxlnic-peer.rules <<RULES
SUBSYSTEM=="cxl", ACTION=="add|bind", RUN+="/usr/bin/setsid -f $here/udev-peer.sh $B"
RULES
udevadm control --reload
measure_recovery /tmp/lat-peer
echo "peer log:"
tail -n 20 /run/cxlnic-peer.log
rm /run/udev/rules.d/99-cxlnic-peer.rules
udevadm control --reload
d=$(median </tmp/lat)
p=$(median </tmp/lat-peer)
echo "recovery: cxl_acpi back -> NIC on CXL, udev rule + cxl-cli script: median $p ms (of $ROUNDS: $(tr '\n' ' ' </tmp/lat-peer))"
echo "recovery ratio: udev script / cxlnicd = $(awk -v p="$p" -v d="$d" 'BEGIN {printf "%.2f", p / d}')"
