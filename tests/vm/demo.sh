#!/bin/bash
# What scripts/demo.sh runs inside the emulated machine.
. "$(dirname "$0")/lib/cxlnic.sh"

step() { printf '\n=== %s\n' "$*"; }

step "CXL topology (cxl list)"
load_cxl
cxl list -M
step "loading cxlnic.ko and the emulated NICs (cxlnic_sim.ko)"
load_cxlnic
"$CTL" list
step "creating a region on each NIC's memdev and attaching CTPIO to it"
for nic in 0 1; do
	region=$(ensure_region $nic)
	attach $nic "$region"
	tx_start $nic 2000
done
counter_grows 0 cxl_packets
"$CTL" list -v

step "pulling memdev $(memdev_of_nic 0) away (unbind cxl_mem) while NIC 0 sends"
monitor_start 0
md=$(memdev_of_nic 0)
echo "$md" >/sys/bus/cxl/drivers/cxl_mem/unbind
sleep 1
"$CTL" show "$(nic_pci 0)"
step "notifications seen by cxlnicctl monitor"
grep -v '"user"' "$MON_LOG" || true

step "recovery: memdev back, fresh region, region-attach"
rebind_memdev "$md"
region=$(ensure_region 0)
attach 0 "$region"
counter_grows 0 cxl_packets
monitor_stop
"$CTL" list -v
echo
echo "NIC 0 is back on CXL ($region); it sent on PCI meanwhile."
