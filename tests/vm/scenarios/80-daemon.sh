#!/bin/bash
# cxlnicd really running: it puts both NICs on CXL by itself, and after a
# memdev unbind and a region disable brings each back with no command typed.
# A broken configuration is refused with its line number.
. "$(dirname "$0")/../lib/cxlnic.sh"

DAEMON=$B/daemon/cxlnicd
conf=/tmp/cxlnicd.conf

rc=0
printf '[defaults]\ngrace_ms = 100\n\non_loss = sometimes\n' >/tmp/bad.conf
"$DAEMON" --check-config -c /tmp/bad.conf 2>/tmp/err || rc=$?
cat /tmp/err
[ $rc -eq 3 ] || fail "bad config: exit $rc, expected 3"
grep -q '^cxlnicd: /tmp/bad.conf:4: on_loss' /tmp/err || fail "no file:line in the error"
ok "a broken configuration is refused with file and line"

load_cxl
load_cxlnic
write_daemon_conf $conf
"$DAEMON" -c $conf >/tmp/cxlnicd.log 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; cat /tmp/cxlnicd.log' EXIT

for nic in 0 1; do
	wait_until 90 on_cxl $nic || fail "cxlnicd did not put NIC $nic on CXL"
	tx_start $nic
done
ok "cxlnicd created regions and attached both NICs by itself"

md=$(memdev_of_nic 0)
echo "$md" >/sys/bus/cxl/drivers/cxl_mem/unbind
# cxlnicd may be faster than this script: judge by the counters.
fell_back() { [ "$(nic_field "$1" .stats.fallbacks)" -ge "$2" ]; }
wait_until 10 fell_back 0 1 || fail "NIC 0 did not fall back"
wait_until 120 on_cxl 0 || fail "NIC 0 not back on CXL after the memdev returned"
counter_grows 0 cxl_packets || fail "NIC 0 does not send on CXL"
[ "$(nic_field 0 .stats.reattaches)" -eq 1 ] || fail "reattaches != 1"
[ "$(nic_field 0 .loss_piece.kind)" = memdev ] || fail "loss piece"
ok "memdev unbind: cxlnicd rebuilt the chain and NIC 0 is back on CXL"

cxl disable-region "$(nic_field 1 .region.name)" >/dev/null 2>&1
wait_until 10 fell_back 1 1 || fail "NIC 1 did not fall back"
wait_until 60 on_cxl 1 || fail "NIC 1 not back on CXL after region disable"
[ "$(nic_field 1 .stats.reattaches)" -eq 1 ] || fail "reattaches != 1"
ok "region disable: cxlnicd re-enabled it and NIC 1 is back on CXL"

"$CTL" mode "$(nic_pci 1)" pci
sleep 2
expect_mode 1 pci
ok "a NIC put on PCI by hand stays there"
kill -TERM $daemon
wait $daemon || fail "cxlnicd exit $? on SIGTERM"
trap - EXIT
cat /tmp/cxlnicd.log

# grace_ms is honoured: with 8 s and on_loss = unbind, a memdev unbind
# leaves NIC 0 registered, on PCI and untouched for those 8 s, whatever
# udev and the family say meanwhile; then the policy runs and brings it
# back.  (Every other test uses 100 ms, which hides a grace ignored.)
write_daemon_conf $conf "on_loss = unbind" "grace_ms = 8000"
"$DAEMON" -c $conf >/tmp/cxlnicd.log 2>&1 &
DAEMON_PID=$!
trap 'kill $DAEMON_PID 2>/dev/null; cat /tmp/cxlnicd.log' EXIT
wait_until 30 eval '"$CTL" status >/dev/null 2>&1' || fail "cxlnicd does not answer"
on_cxl 0 || fail "NIC 0 not on CXL"
md=$(memdev_of_nic 0)
lost=$SECONDS
echo "$md" >/sys/bus/cxl/drivers/cxl_mem/unbind
wait_until 10 fell_back 0 2 || fail "NIC 0 did not fall back"
sleep 4
((SECONDS - lost < 8)) || fail "the check came too late to tell"
"$CTL" show "$(nic_pci 0)" >/dev/null 2>&1 || fail "NIC 0 unbound within grace_ms"
expect_mode 0 pci
[ "$(daemon_state "$(nic_pci 0)")" = waiting ] || fail "state $(daemon_state "$(nic_pci 0)"), expected waiting"
"$CTL" status "$(nic_pci 0)" --json | jq -e '.waiting_for == "loss-grace"' >/dev/null ||
	fail "not waiting for loss-grace"
[ -n "$(memdev_of_nic 0)" ] && ! memdev_enabled 0 || fail "the memdev was bound again within grace_ms"
ok "grace_ms = 8000: 4 s after the loss NIC 0 is untouched, waiting for loss-grace"
wait_until 120 on_cxl 0 || fail "NIC 0 not back on CXL after grace_ms"
((SECONDS - lost >= 8)) || fail "back on CXL within grace_ms"
ok "after grace_ms the unbind policy ran and NIC 0 is back on CXL"
daemon_stop
cat /tmp/cxlnicd.log
