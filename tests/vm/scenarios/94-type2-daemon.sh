#!/bin/bash
# cxlnicd brings the stock Type 2 NIC back (vmrun --kernel 7.3 --type2): on
# a CXL loss the core releases cxlnic_sim_t2 (as it does sfc) and nothing
# binds it again; cxlnicd, with no command typed, does what the NIC's
# policy says (cxlnicd.conf(5), "Stock NICs"), and after each bind checks
# where its CTPIO is and that frames sent on its new netdev, brought up
# because the last one was, go through that window.  Under on_loss =
# fallback: after the memdev's loss, on CXL, with a recovery in cxlnicd's
# history; after cxl_acpi's, on PCI, waiting for the root as its status
# and metrics say, then once more on CXL when it is back.  The new netdev
# is up when the last one was as its driver left, even if an instant
# before the loss, and stays down when it was down.  (Every loss against
# every policy: type2-matrix.)
#
# Last, the accelerator is hot-removed (device_del): it leaves the family
# and cxlnicd forgets it, touching nothing; hot-added again in its slot
# (device_add, the platform's decoder step, its driver's bind), it is a new
# NIC of the family, on CXL, and cxlnicd's.
. "$(dirname "$0")/../lib/cxlnic.sh"
. "$(dirname "$0")/../lib/type2.sh"

[ "$(jq -r .committed "$FW")" = true ] || fail "needs vmrun --type2"

load_cxl
insmod "$KMOD/cxlnic_sim_t2.ko"
bind_sim "first probe"
load_cxlnic
mkdir -p /tmp/metrics
printf '[defaults]\non_loss = fallback\ngrace_ms = 0\nbackoff_ms = 200\n[metrics]\ntextfile_dir = /tmp/metrics\ninterval_s = 0\n' \
	>/tmp/cxlnicd.conf
"$B/daemon/cxlnicd" -c /tmp/cxlnicd.conf >/tmp/cxlnicd.log 2>&1 &
DAEMON_PID=$!
trap 'kill $DAEMON_PID 2>/dev/null; cat /tmp/cxlnicd.log' EXIT
wait_until 30 eval '"$CTL" status "$pci" >/dev/null 2>&1' ||
	fail "cxlnicd does not know $pci"
expect_state "on-cxl -"
[ "$(stock_status | jq -r '"\(.managed) \(.nic.kind)"')" = "true stock" ] ||
	fail "cxlnicd: $(stock_status | jq -c '{managed, nic: .nic.kind}')"

log "on_loss = fallback"
seq=$(history_seq)
log "unbinding cxl_mem from $MD"
echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind
back_on cxl "$seq" "bind-nic:true link-up:true"
expect_state "on-cxl -"
"$CTL" history "$pci" --json | jq -e 'any(.[]; .what == "recovered")' >/dev/null ||
	fail "no recovery in cxlnicd's history"
seq=$(history_seq)
log "unloading cxl_acpi"
rmmod cxl_acpi
back_on pci "$seq" "bind-nic:true link-up:true"
expect_state "waiting root"
wait_until 10 grep -qxF "cxlnic_waiting_for{nic=\"$pci\",piece=\"root\"} 1" /tmp/metrics/cxlnic.prom ||
	fail "the metrics do not say $pci waits for the root: $(grep "$pci" /tmp/metrics/cxlnic.prom)"
seq=$(history_seq)
modprobe cxl_acpi
back_on cxl "$seq" "rebind-nic:true link-up:true"
expect_state "on-cxl -"

# The link as the driver left it, which the kernel records: not as
# cxlnicd last saw it.  An operator's bind makes a new netdev, down, and
# cxlnicd sees it so; set up an instant before a loss, it is up again
# after cxlnicd's bind.  Set down before a loss, it stays down.
log "the netdev's link across a loss, as its driver left it"
echo "$pci" >"/sys/bus/pci/drivers/$SIM_T2/unbind"
# The unbind tore the endpoint port down, which queued the CXL core's
# detach_memdev: it releases the PCI function's driver from the cxl_port
# workqueue once the unbind lets go of the device, whoever is bound by
# then.  A bind at once can lose that race and be released (7.3, seen
# here: bound, "unregister", twice).  The flush waits for that work, as
# cxlnic(7) tells operators to (and cxlnicd does after its own unbinds).
echo 1 >/sys/bus/cxl/flush
echo "$pci" >"/sys/bus/pci/drivers/$SIM_T2/bind"
wait_until 20 sim_bound || fail "$SIM_T2 did not bind $pci again"
wait_until 20 eval '[ "$(stock_status | jq .nic.generation)" = "$(stock_json | jq .generation)" ]' ||
	fail "cxlnicd never saw the operator's bind: $(stock_status | jq -c .nic)"
! link_up || fail "a driver bound by the operator has its netdev up"
seq=$(history_seq)
ip link set "$(sim_netdev)" up && echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind
back_on cxl "$seq" "bind-nic:true link-up:true"
[ "$(stock_json | jq .link_was_up)" = true ] ||
	fail "the family says the released driver's netdev was not up: $(stock_json | jq -c .)"
seq=$(history_seq)
ip link set "$NETDEV" down
log "unbinding cxl_mem from $MD, $NETDEV down"
echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind
wait_until 60 eval 'on_window cxl && state_is "on-cxl -"' ||
	fail "cxlnicd did not bring $pci back on cxl: $(actions_since "$seq")"
[ "$(actions_since "$seq")" = "bind-nic:true " ] ||
	fail "cxlnicd's steps: $(actions_since "$seq"), expected bind-nic:true alone"
! link_up || fail "$(sim_netdev) set up, though the last one was down"
[ "$(stock_json | jq .link_was_up)" = false ] ||
	fail "the family says the released driver's netdev was up"
ok "the link as the driver left it: up again after a loss an instant after 'ip link set up'; down after one while down"

log "hot-removal of the accelerator (device_del), cxlnicd running"
seq=$(history_seq)
accel_hot_remove
rc=0
"$CTL" show "$pci" >/dev/null 2>&1 || rc=$?
[ $rc = 3 ] || fail "the family still shows the removed $pci (exit $rc)"
"$CTL" history --json | jq -e --argjson s "$seq" --arg p "$pci" \
	'any(.[]; .seq > $s and .nic == $p and .what == "removed")' >/dev/null ||
	fail "cxlnicd did not say it forgot $pci: $("$CTL" history --count 5)"
[ -z "$(actions_since "$seq")" ] || fail "cxlnicd acted on a removed NIC: $(actions_since "$seq")"
ok "$pci removed: gone from the family, forgotten by cxlnicd, who did nothing to it"
log "hot-add of the accelerator (device_add)"
accel_hot_add
bind_sim "hot-added"
check_stock cxl probe
expect_state "on-cxl -"
[ "$(stock_json | jq .stats.reattaches)" = 0 ] ||
	fail "the hot-added NIC counts $(stock_json | jq .stats.reattaches) reattaches: the removed one's"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "cxlnicd exit $? on SIGTERM"
trap - EXIT
echo "type2-daemon: ok"
