#!/bin/bash
# The stock Type 2 NIC on 7.3 (vmrun --kernel 7.3 --type2): the bench's
# firmware fixture (tests/vm/firmware/type2-bios.py) committed and locked
# the decoders of the third cxl-type3 and its host bridge before any CXL
# driver loaded.  cxl_pci stays off that function (driver_override), the
# CXL core finds the decoders as firmware left them, and cxlnic_sim_t2,
# which follows sfc's efx_cxl.c, gets the region the core assembled for its
# memdev and puts CTPIO on it.  Then the upstream loss path: an unbind of
# cxl_mem under the accelerator's memdev makes the core release the NIC's
# PCI driver by itself; binding the driver again finds the locked region
# again, at the same range.  The same after cxl_acpi's unload, and in
# between, with no CXL root, the driver binds on its plain window.  Its
# netdev, as ip link shows it, sends each frame through the window CTPIO
# is on, counted by the netdev itself; it goes when the driver is released
# and comes back with the next bind.  cxlnic.ko, loaded after the driver
# bound, finds the NIC by itself (kind stock): its chain, region, netdev and
# serial; on the memdev's unbind it says the piece went before the core's
# release takes the driver away (mode off), and a new bind puts it back on
# cxl.  It refuses to move a stock NIC's CTPIO.
#
#   93-type2.sh [locked]   vmrun --type2: firmware committed the region
#   93-type2.sh bare       vmrun --type2-bare: firmware committed nothing
#
# bare shows what upstream does with a Type 2 NIC whose firmware left it
# alone: the driver's probe succeeds without CXL (devm_cxl_probe_mem()
# fails, "no region found"), but the endpoint port that the failed memdev
# probe made and unmade queues the core's detach_memdev, which releases
# the driver right after its probe.  Each bind ends the same way.
. "$(dirname "$0")/../lib/cxlnic.sh"
. "$(dirname "$0")/../lib/type2.sh"

mode=${1:-locked}
case $mode in
locked) [ "$(jq -r .committed "$FW")" = true ] || fail "locked needs vmrun --type2" ;;
bare) [ "$(jq -r .committed "$FW")" = false ] || fail "bare needs vmrun --type2-bare" ;;
*) fail "mode: locked or bare, not $mode" ;;
esac
[ "$mode" = bare ] ||
	ok "firmware committed $want_range for $pci (serial $(jq -r .serial "$FW"))"

# The core's own account of what it does with the accelerator, for the log.
echo 'file drivers/cxl/* +p' >/sys/kernel/debug/dynamic_debug/control 2>/dev/null || true

load_cxl
[ "$(cat "$sysdir/driver_override")" = cxlnic_sim_t2 ] ||
	fail "driver_override of $pci is not cxlnic_sim_t2"
no_pci_driver || fail "$pci bound to $(pci_driver): cxl_pci must stay off it"
ok "cxl_pci bound the Type 3 memdevs and left $pci alone"

if [ "$mode" = bare ]; then
	# released_after_probe N: the Nth probe's fallback, then the release.
	released_after_probe() {
		wait_until 30 probes_failed "$1" ||
			fail "probe $1: no CXL init failure reported"
		wait_until 30 no_pci_driver ||
			fail "probe $1: the core did not release the driver"
		! accel_memdev >/dev/null || fail "probe $1: a memdev left behind"
		ok "probe $1: bound without CXL (no region), then released by the core"
	}
	probes_failed() {
		[ "$(dmesg | grep -c "$pci: CXL init failed (-6): CTPIO on the plain window")" -ge "$1" ]
	}
	insmod "$KMOD/cxlnic_sim_t2.ko"
	released_after_probe 1
	echo "$pci" >/sys/bus/pci/drivers/cxlnic_sim_t2/bind ||
		fail "the second bind was refused"
	released_after_probe 2
	dmesg | grep -E "$pci|cxlnic_sim_t2" | tail -n 20 >&2 || true
	echo "type2 bare: ok"
	exit 0
fi
/usr/bin/python3 "$FIXTURE" check "$FW" || fail "the decoders are not as firmware left them"

insmod "$KMOD/cxlnic_sim_t2.ko"
bind_sim "first probe"
load_cxlnic
check_stock cxl probe
"$CTL" list >&2
rc=0
"$CTL" mode "$pci" pci 2>/tmp/err || rc=$?
[ $rc -ne 0 ] && grep -q "stock NIC" /tmp/err ||
	fail "mode pci on a stock NIC: exit $rc, $(cat /tmp/err)"
ok "the family refuses to move a stock NIC's CTPIO: $(cat /tmp/err)"
stock_monitor_start

# Upstream's loss path: the memdev's unbind makes the core queue
# detach_memdev, which releases the accelerator's PCI driver.  Nothing binds
# it again by itself.
log "unbinding cxl_mem from $MD"
echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind
wait_until 30 no_pci_driver || fail "the core did not release $pci's driver"
# The driver's link goes first, its devres (the memdev) after.
wait_until 30 gone "$MD" || fail "$MD still there after the release"
wait_until 30 gone "$REGION" || fail "$REGION still there after the release"
netdev_gone "$NETDEV" || fail "$NETDEV still there after the release"
sleep 2
no_pci_driver || fail "$pci bound again by itself: $(pci_driver)"
ok "the CXL core released cxlnic_sim_t2 from $pci, $MD, $REGION and $NETDEV went, nothing bound it again"
check_stock off released
[ "$(stock_json | jq -r '"\(.loss_piece.kind) \(.lost)"')" = "memdev true" ] ||
	fail "the loss: $(stock_json | jq -c '{loss_piece, lost}'), not the memdev's, unrepaired"
case $(stock_events) in
lost*off*) ok "the monitor heard the memdev go before the driver's release: $(stock_events)" ;;
*) fail "monitor events for $pci: $(stock_events)" ;;
esac

# The decoders stayed committed (locked): a new probe finds the region again.
bind_sim "bound again"
check_stock cxl probe
[ "$(stock_json | jq .lost)" = false ] || fail "still lost back on CXL"
[ "$(stock_json | jq .stats.reattaches)" = 1 ] || fail "reattaches $(stock_json | jq .stats.reattaches), expected 1"
monitor_stop

# The root goes: the core releases the driver again.  A probe without the
# root cannot make the memdev, and the driver carries on without CXL, as
# sfc does, with nothing of the failed attempt left behind (no memdev).
log "unloading cxl_acpi under $MD"
rmmod cxl_acpi
wait_until 30 no_pci_driver || fail "the core did not release $pci's driver on cxl_acpi's unload"
wait_until 30 gone "$MD" || fail "$MD still there after cxl_acpi's unload"
echo "$pci" >/sys/bus/pci/drivers/cxlnic_sim_t2/bind ||
	fail "cxlnic_sim_t2 refused $pci without cxl_acpi (CXL init must not be fatal)"
wait_until 30 sim_bound || fail "cxlnic_sim_t2 did not bind $pci without cxl_acpi"
[ "$(cat "$simdir/ctpio")" = pci ] || fail "CTPIO on $(cat "$simdir/ctpio") without a CXL root"
[ "$(cat "$simdir/cxl_error")" -lt 0 ] || fail "no CXL init error reported without a CXL root"
[ -z "$(cat "$simdir/cxl_range")" ] || fail "a CXL range reported without a CXL root"
! accel_memdev >/dev/null || fail "the failed CXL init left $(accel_memdev) behind"
check_tx plain
# Unlike a probe that found no region (bare): no endpoint port was made,
# so the core has nothing to release the driver for.
sleep 3
sim_bound || fail "the core released $pci's driver after a probe without cxl_acpi"
ok "without cxl_acpi: bound with CTPIO on the plain window (CXL init $(cat "$simdir/cxl_error")), no memdev left"
check_stock pci probe

# The root back: nothing probes the driver again by itself; a new bind
# finds the locked region once more.
modprobe cxl_acpi
echo "$pci" >/sys/bus/pci/drivers/cxlnic_sim_t2/unbind
bind_sim "bound again after cxl_acpi came back"
check_stock cxl probe

log "kernel messages about $pci:"
dmesg | grep -E "$pci|cxlnic_sim_t2" | tail -n 40 >&2 || true
echo "type2: ok"
