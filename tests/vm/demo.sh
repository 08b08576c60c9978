#!/bin/bash
# What scripts/demo.sh runs inside the emulated machine.
. "$(dirname "$0")/lib/cxlnic.sh"

step() { printf '\n=== %s\n' "$*"; }

step "CXL topology (cxl list -M)"
load_cxl
cxl list -M
step "loading cxlnic.ko and the emulated NICs (cxlnic_sim.ko)"
load_cxlnic
"$CTL" list

step "starting cxlnicd: each NIC paired with its memdev by serial"
write_daemon_conf /tmp/cxlnicd.conf 'on_loss = fallback'
cat /tmp/cxlnicd.conf
"$B/daemon/cxlnicd" -c /tmp/cxlnicd.conf >/tmp/cxlnicd.log 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null' EXIT
for nic in 0 1; do
	wait_until 90 on_cxl $nic || fail "NIC $nic did not reach CXL"
	tx_start $nic 2000
done
counter_grows 0 cxl_packets
"$CTL" list -v

md=$(memdev_of_nic 0)
step "pulling memdev $md away (unbind cxl_mem) while NIC 0 sends"
"$CTL" monitor --timeout 60 >/tmp/monitor.log 2>&1 &
sleep 1
echo "$md" >/sys/bus/cxl/drivers/cxl_mem/unbind
"$CTL" show "$(nic_pci 0)" | sed -n '1,8p'

step "cxlnicd rebuilds the chain; no command typed"
wait_until 120 on_cxl 0 || fail "NIC 0 did not come back"
counter_grows 0 cxl_packets
sleep 1
grep -v 'piece' /tmp/cxlnicd.log | tail -n 12
step "notifications (cxlnicctl monitor)"
cat /tmp/monitor.log
step "after the recovery"
"$CTL" list -v
echo
echo "NIC 0 fell back to PCI and kept sending, then returned to CXL by itself."
