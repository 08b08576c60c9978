#!/bin/bash
# Load: TX unthrottled on both emulated NICs while CXL pieces (memdev,
# region, endpoint port, the CXL root) are pulled in random order for
# CYCLES cycles, with cxlnicd doing every recovery and killed (-9) and
# started again at random moments.  Each cycle ends with both NICs on CXL;
# at the end every packet a NIC sent is counted by the family (CXL plus
# PCI), fallbacks equal reattaches, and the guest kernel stayed clean
# (vmrun fails on any warning).
#   89-load.sh [CYCLES] [SEED]
. "$(dirname "$0")/../lib/cxlnic.sh"

CYCLES=${1:-20}
RANDOM=${2:-7}
conf=/tmp/cxlnicd.conf
kinds=(memdev region port acpi)

load_cxl
load_cxlnic
write_daemon_conf $conf
daemon_start $conf
tx_start 0 0
tx_start 1 0
restarts=0
for i in $(seq 1 "$CYCLES"); do
	kind=${kinds[RANDOM % 4]}
	nic=$((RANDOM % 2))
	pull_piece "$kind" $nic
	if [ $((RANDOM % 4)) -eq 0 ]; then
		sleep "0.$((RANDOM % 10))"
		kill -9 "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null || true
		[ "$kind" = acpi ] && modprobe cxl_acpi
		daemon_start $conf
		restarts=$((restarts + 1))
	else
		[ "$kind" = acpi ] && modprobe cxl_acpi
		for n in 0 1; do
			wait_until 180 on_cxl $n ||
				fail "cycle $i ($kind on NIC $nic): NIC $n not back on CXL"
		done
	fi
	log "cycle $i: $kind on NIC $nic, both back on CXL"
done
tx_stop 0
tx_stop 1
sleep 0.5
for n in 0 1; do
	j=$(nic_json $n)
	total=$(jq '.stats.cxl_packets + .stats.pci_packets' <<<"$j")
	sim_total=$(cat "$(nic_sysfs $n)/tx_packets")
	[ "$total" -eq "$sim_total" ] ||
		fail "NIC $n: family counts $total packets, the NIC sent $sim_total"
	[ "$(jq .stats.fallbacks <<<"$j")" -eq "$(jq .stats.reattaches <<<"$j")" ] ||
		fail "NIC $n: fallbacks $(jq .stats.fallbacks <<<"$j") != reattaches $(jq .stats.reattaches <<<"$j")"
	log "NIC $n: $total packets (cxl $(jq .stats.cxl_packets <<<"$j"), pci $(jq .stats.pci_packets <<<"$j")), $(jq .stats.fallbacks <<<"$j") fallbacks"
done
daemon_stop
ok "$CYCLES random losses at full TX, $restarts daemon kills: all back on CXL, every packet counted"
