#!/bin/bash
# Nothing lost across a crash: with on_loss = unbind, cxlnicd releases the
# NIC's driver when its memdev goes, and is killed (kill -9 semantics, from
# its fault point) right after.  Started again, it finds in its state file
# that it unbound the NIC, rebuilds the chain, binds the NIC and puts it back
# on CXL; exactly one region is left on the memdev.
. "$(dirname "$0")/../lib/cxlnic.sh"

DAEMON=$B/daemon/cxlnicd
conf=/tmp/cxlnicd.conf
state=/run/cxlnicd/state.json

load_cxl
load_cxlnic
pci=$(nic_pci 0)
cat >$conf <<CONF
[defaults]
grace_ms = 100
backoff_ms = 200

[nic $pci]
memdev_serial = ${MEMDEV_SERIALS[0]}
on_loss = unbind
CONF

nic_gone() { ! "$CTL" show "$pci" >/dev/null 2>&1; }

CXLNICD_CRASH_AFTER=unbind-nic "$DAEMON" -c $conf >/tmp/run1.log 2>&1 &
daemon=$!
wait_until 90 on_cxl 0 || { cat /tmp/run1.log; fail "NIC 0 never on CXL"; }
ok "cxlnicd put NIC 0 on CXL"

echo "$(memdev_of_nic 0)" >/sys/bus/cxl/drivers/cxl_mem/unbind
rc=0
wait $daemon || rc=$?
cat /tmp/run1.log
[ $rc -eq 137 ] || fail "cxlnicd exit $rc, expected 137 (SIGKILL at its fault point)"
nic_gone || fail "the NIC's driver was not released"
cat $state
jq -e --arg p "$pci" '.nics[] | select(.pci_addr == $p and
	(.unbound_by_us or .pending == "unbind-nic"))' \
	$state >/dev/null || fail "state file does not record the unbind"
ok "cxlnicd unbound NIC 0 and died; $state remembers"

"$DAEMON" -c $conf >/tmp/run2.log 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null' EXIT
wait_until 180 on_cxl 0 || { cat /tmp/run2.log; fail "NIC 0 not back on CXL after the restart"; }
cat /tmp/run2.log
md=$(memdev_of_nic 0)
n=$(regions_of_memdev "$md" | wc -l)
[ "$n" -eq 1 ] || fail "$n regions on $md, expected 1"
all=$(find /sys/bus/cxl/devices/ -maxdepth 1 -name 'region*' | wc -l)
[ "$all" -eq 1 ] || fail "$all regions in all, expected 1: the stale one was not deleted"
jq -e '.nics | length == 0' $state >/dev/null || fail "state file not cleared"
ok "restarted cxlnicd bound NIC 0 again and put it on CXL ($n region on $md)"
