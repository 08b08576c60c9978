#!/bin/bash
# Teardown and restore cycles with TX running (70-cycles.sh [N], 100 by
# default; the test command runs 50): no kernel warning (vmrun checks),
# and the counters stay consistent.
. "$(dirname "$0")/../lib/cxlnic.sh"

CYCLES=${1:-${CYCLES:-100}}
load_cxl
load_cxlnic
region=$(ensure_region 0)
attach 0 "$region"
tx_start 0 5000
md=$(memdev_of_nic 0)
prev_cxl=0 prev_pci=0 prev_gen=0
for i in $(seq 1 "$CYCLES"); do
	# Every tenth cycle pulls the memdev (the region must be rebuilt);
	# the others disable the region.
	if [ $((i % 10)) -eq 0 ]; then
		echo "$md" >/sys/bus/cxl/drivers/cxl_mem/unbind
		expect_mode 0 pci
		rebind_memdev "$md"
		md=$(memdev_of_nic 0)
		region=$(ensure_region 0)
	else
		cxl disable-region "$region" >/dev/null 2>&1
		expect_mode 0 pci
		cxl enable-region "$region" >/dev/null 2>&1
	fi
	attach 0 "$region"
	expect_mode 0 cxl
	j=$(nic_json 0)
	cxl_p=$(jq .stats.cxl_packets <<<"$j")
	pci_p=$(jq .stats.pci_packets <<<"$j")
	gen=$(jq .generation <<<"$j")
	[ "$cxl_p" -ge "$prev_cxl" ] && [ "$pci_p" -ge "$prev_pci" ] ||
		fail "cycle $i: counters went backwards"
	[ "$gen" -gt "$prev_gen" ] || fail "cycle $i: generation did not grow"
	[ "$(jq .stats.fallbacks <<<"$j")" -eq "$i" ] || fail "cycle $i: fallbacks"
	[ "$(jq .stats.reattaches <<<"$j")" -eq "$i" ] || fail "cycle $i: reattaches"
	prev_cxl=$cxl_p prev_pci=$pci_p prev_gen=$gen
	((i % 10)) || log "cycle $i: cxl $cxl_p pci $pci_p packets, gen $gen"
done
tx_stop 0
sleep 0.5
j=$(nic_json 0)
total=$(jq '.stats.cxl_packets + .stats.pci_packets' <<<"$j")
sim_total=$(cat "$(nic_sysfs 0)/tx_packets")
[ "$total" -eq "$sim_total" ] ||
	fail "family counts $total packets, the NIC sent $sim_total"
[ "$(jq .stats.pci_packets <<<"$j")" -gt 0 ] || fail "no PCI traffic during losses"
ok "$CYCLES cycles: fallbacks = reattaches = $CYCLES, $total packets all counted"
