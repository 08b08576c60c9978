#!/bin/bash
# The Type 2 NIC as a cooperating sfc would be (vmrun --kernel 7.3 --type2
# --switch: a CXL switch between its root port and it): cxlnic_sim_t2_coop
# follows efx_cxl.c's sequence and then hands cxlnic its range and a
# quiesce op with devm_cxlnic_add_cxl(), the few lines of kernel/patches/
# for sfc.  With frames flowing on its netdev, cxl_mem is unbound under its
# memdev: cxlnic calls the quiesce op from the bus notifier, before the
# memdev's driver goes and so before the region is torn down; the driver
# writes no frame into the CXL window after it, and the frames sent until
# the CXL core releases the driver (as it always does) go into the plain
# window.  The family says pci (piece-unbound) first, then off (released);
# a new bind puts it back on CXL, its op with it.  Then under cxlnicd, the
# switch port's loss, frames flowing, under on_loss = unbind: quiesced
# before the port went, and bound again once the core released it, though
# the port is gone (the core deletes a switch port as it unbinds it; the
# probe makes it again).  (Every loss under cxlnicd: type2-matrix.)
. "$(dirname "$0")/../lib/cxlnic.sh"
SIM_T2=cxlnic_sim_t2_coop
. "$(dirname "$0")/../lib/type2.sh"

[ "$(jq -r .committed "$FW")" = true ] || fail "needs vmrun --type2"
/usr/bin/python3 "$FIXTURE" check "$FW" || fail "the decoders are not as firmware left them"
load_cxl
# Before the driver: it calls into cxlnic.ko.
load_cxlnic
insmod "$KMOD/$SIM_T2.ko"
echo "$SIM_T2" >"$sysdir/driver_override"
bind_sim "first probe"
check_stock cxl probe
[ "$(stock_json | jq .quiesce)" = true ] ||
	fail "the family does not show the driver's quiesce op: $(stock_json | jq -c .)"
"$CTL" show "$pci" | grep -q "quiesced before a loss" ||
	fail "cxlnicctl show does not say the NIC is quiesced: $("$CTL" show "$pci")"
ok "the family knows $pci's driver quiesces before a loss"

stock_monitor_start

unbind_memdev() { echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind; }
pull_flowing "unbinding cxl_mem from $MD" unbind_memdev
case $(stock_events) in
pci*lost*off*) ok "the monitor heard pci (the quiesce), the memdev lost, then off (the release): $(stock_events)" ;;
*) fail "monitor events for $pci: $(stock_events)" ;;
esac
why=$(grep '^{' "$MON_LOG" | jq -r --arg p "$pci" 'select(.pci_addr == $p and
	.event == "dev-change" and .mode == "pci") | .reason')
[ "$why" = piece-unbound ] ||
	fail "the move to pci: reason '$why'; the monitor: $(cat "$MON_LOG")"
check_stock off released
[ "$(stock_json | jq .stats.fallbacks)" = 1 ] ||
	fail "fallbacks $(stock_json | jq .stats.fallbacks), expected 1"
[ "$(stock_json | jq .quiesce)" = false ] || fail "the released driver's op is still recorded"

bind_sim "bound again"
check_stock cxl probe
[ "$(stock_json | jq .quiesce)" = true ] || fail "the op did not come back with the driver"
[ "$(stock_json | jq .stats.reattaches)" = 1 ] ||
	fail "reattaches $(stock_json | jq .stats.reattaches), expected 1"
monitor_stop
ok "bound again: on CXL, quiesced before a loss"

# cxlnicd and a NIC that quiesces: between the quiesce and the core's
# release the NIC is bound on PCI with its loss unrepaired, which for a
# stock NIC without the op means bound again without CXL (a rebind would
# bring CXL back).  Here the release is coming: cxlnicd waits for it, then
# binds the driver again, on CXL.
printf '[defaults]\non_loss = fallback\ngrace_ms = 0\nbackoff_ms = 200\n' >/tmp/cxlnicd.conf
"$B/daemon/cxlnicd" -c /tmp/cxlnicd.conf >/tmp/cxlnicd.log 2>&1 &
DAEMON_PID=$!
trap 'kill $DAEMON_PID 2>/dev/null; cat /tmp/cxlnicd.log' EXIT
wait_until 30 eval '[ "$(daemon_state "$pci" 2>/dev/null)" = on-cxl ]' ||
	fail "cxlnicd says $(daemon_state "$pci") of $pci, expected on-cxl"
back_on_cxl() { sim_bound && [ "$(cat "$simdir/ctpio")" = cxl ]; }
# cxlnicd_brought_back SEQ FALLBACKS: bound again by cxlnicd alone since
# history SEQ, on CXL, the loss counted.
cxlnicd_brought_back() {
	local steps
	wait_until 60 back_on_cxl ||
		fail "cxlnicd did not bring $pci back on CXL; its steps: $(history_since "$1" "$pci" | tr '\n' ' ')"
	steps=$(history_since "$1" "$pci" | tr '\n' ' ')
	[ "$steps" = "bind-nic:true link-up:true " ] ||
		fail "cxlnicd's steps: $steps, expected bind-nic:true link-up:true"
	bind_sim "bound again by cxlnicd"
	check_stock cxl probe
	[ "$(stock_json | jq .stats.fallbacks)" = "$2" ] ||
		fail "fallbacks $(stock_json | jq .stats.fallbacks), expected $2"
	ok "cxlnicd waited for the release, then bound $pci again on CXL ($steps)"
}
"$CTL" policy "$pci" on_loss unbind || fail "cxlnicctl policy: exit $?"
ep=$(endpoint_of_memdev "$MD") || fail "$MD has no endpoint"
sw=$(switch_port_of_endpoint "$ep") || fail "no switch above $ep (vmrun --switch)"
unbind_switch() { echo "$sw" >/sys/bus/cxl/drivers/cxl_port/unbind; }
seq=$(history_seq)
pull_flowing "unbinding cxl_port from the switch port $sw, cxlnicd running (on_loss = unbind)" unbind_switch
[ "$(stock_json | jq -r '"\(.loss_piece.kind) \(.loss_piece.name)"')" = "port $sw" ] ||
	fail "the loss piece: $(stock_json | jq -c .loss_piece), not $sw"
cxlnicd_brought_back "$seq" 2
[ -e "/sys/bus/cxl/devices/$sw" ] || fail "the probe did not make $sw again"
echo "type2 cooperating: ok"
