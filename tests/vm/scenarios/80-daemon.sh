#!/bin/bash
# cxlnicd really running: it puts both NICs on CXL by itself, and after a
# memdev unbind and a region disable brings each back with no command typed.
# A broken configuration is refused with its line number.  Last, cxlnic.ko
# is unloaded and loaded again under it (a DKMS upgrade does it), and it
# follows the family to its new id and group.
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

# daemon_said SEQ WHAT: cxlnicd's history has its own entry WHAT after SEQ.
daemon_said() {
	"$CTL" history --json | jq -e --argjson s "$1" --arg w "$2" \
		'any(.[]; .seq > $s and .kind == "daemon" and .what == $w)' >/dev/null
}
# event_seen SEQ NIC: cxlnicd received a family event for NIC after SEQ.
event_seen() {
	"$CTL" history "$(nic_pci "$2")" --json | jq -e --argjson s "$1" \
		'any(.[]; .seq > $s and .kind == "event")' >/dev/null
}
seq=$(history_seq)
rmmod cxlnic_sim
rmmod cxlnic
wait_until 10 daemon_said "$seq" family-gone || fail "cxlnicd did not see cxlnic.ko go"
"$CTL" status --json | jq -e '.registered == 0' >/dev/null ||
	fail "cxlnicd still counts NICs registered with cxlnic.ko unloaded"
sleep 3
load_cxlnic
wait_until 20 daemon_said "$seq" family-back || fail "cxlnicd did not see cxlnic.ko come back"
for nic in 0 1; do
	wait_until 90 on_cxl $nic || fail "NIC $nic not back on CXL after the reload"
done
"$CTL" status >/dev/null || fail "cxlnicctl status after the reload"
# Its requests reach the new family, and its events reach cxlnicd.
seq=$(history_seq)
"$CTL" mode "$(nic_pci 0)" pci
wait_until 10 event_seen "$seq" 0 || fail "cxlnicd hears no family event after the reload"
"$CTL" mode "$(nic_pci 0)" cxl
sleep 3
fails=$(grep -c 'dump failed' /tmp/cxlnicd.log || true)
[ "$fails" -le 1 ] || fail "cxlnicd logged 'dump failed' $fails times"
grep -q 'family is gone' /tmp/cxlnicd.log || fail "the log does not say the family went"
grep -q 'family is registered again' /tmp/cxlnicd.log ||
	fail "the log does not say the family came back"
ok "cxlnic.ko unloaded and loaded again: cxlnicd rejoined the family and put both NICs on CXL"
kill -TERM $daemon
wait $daemon || fail "cxlnicd exit $? on SIGTERM"
trap - EXIT
cat /tmp/cxlnicd.log

