#!/bin/bash
# Unloading both modules while the NICs are attached and sending is clean
# (vmrun fails the run on any kernel warning), and they load again.
. "$(dirname "$0")/../lib/cxlnic.sh"

load_cxl
load_cxlnic
for nic in 0 1; do
	attach $nic "$(ensure_region $nic)"
	tx_start $nic 0
done
counter_grows 0 cxl_packets && counter_grows 1 cxl_packets ||
	fail "no CXL traffic"
rmmod cxlnic_sim
rmmod cxlnic
ok "unloaded with both NICs attached and sending"

load_cxlnic
for nic in 0 1; do
	expect_mode $nic pci
	attach $nic "$(ensure_region $nic)"
	expect_mode $nic cxl
done
rmmod cxlnic_sim
rmmod cxlnic
ok "reloaded, re-attached, unloaded again"
