#!/bin/bash
# The kernel family under attack: nlfuzz sends generated and mutated
# requests (every command, do and dump, random attributes, types, lengths
# and nests, with well-formed ones mixed in) as root while NIC 1's driver
# is unbound and bound again in a loop, then as an unprivileged user (every
# mutation must be EPERM).  The guest kernel stays clean (vmrun fails on
# any warning) and the family still answers correctly.
#   88-nlfuzz.sh [COUNT]
. "$(dirname "$0")/../lib/cxlnic.sh"

count=${1:-20000}
NLFUZZ=$B/tests/vm/tools/nlfuzz

load_cxl
load_cxlnic
for nic in 0 1; do
	attach $nic "$(ensure_region $nic)"
done
tx_start 0
pci1=$(nic_pci 1)

churn() {
	local i
	for i in $(seq 40); do
		echo "$pci1" >/sys/bus/pci/drivers/cxlnic_sim/unbind
		sleep 0.1
		echo "$pci1" >/sys/bus/pci/drivers/cxlnic_sim/bind
		sleep 0.1
	done
}
churn &
churner=$!
"$NLFUZZ" --count "$count" --seed 1 || fail "nlfuzz as root"
wait $churner
"$NLFUZZ" --count 0 --expect-nics 2 || fail "family not intact after the churn"
ok "$count requests as root while NIC 1 came and went: family intact"

as_nobody "$NLFUZZ" --count $((count / 4)) --seed 2 --expect-eperm --expect-nics 2 ||
	fail "nlfuzz as an unprivileged user"
ok "$((count / 4)) requests unprivileged: every mutation EPERM"

# The family still does real work (the run may have left NIC 0 on any
# region, or none).
"$CTL" detach "$(nic_pci 0)"
attach 0 "$(ensure_region 0)"
expect_mode 0 cxl
counter_grows 0 cxl_packets || fail "NIC 0 does not send on CXL after the run"
rmmod cxlnic_sim
rmmod cxlnic
ok "NIC 0 on CXL and sending; both modules unload cleanly"
