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
# and comes back with the next bind.
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

mode=${1:-locked}
FW=/run/cxlnic-type2/firmware.json
FIXTURE=$(dirname "$0")/../firmware/type2-bios.py
[ -f "$FW" ] || fail "no firmware record $FW: run with vmrun --type2 or --type2-bare"
case $mode in
locked) [ "$(jq -r .committed "$FW")" = true ] || fail "locked needs vmrun --type2" ;;
bare) [ "$(jq -r .committed "$FW")" = false ] || fail "bare needs vmrun --type2-bare" ;;
*) fail "mode: locked or bare, not $mode" ;;
esac
pci=$(jq -r .pci "$FW")
want_start=$(jq -r '.range.start' "$FW")
want_size=$(jq -r '.range.size' "$FW")
want_range=$(printf '%#x-%#x' "$want_start" $((want_start + want_size - 1)))
sysdir=/sys/bus/pci/devices/$pci
simdir=$sysdir/cxlnic_sim_t2
[ "$mode" = bare ] ||
	ok "firmware committed $want_range for $pci (serial $(jq -r .serial "$FW"))"

# The core's own account of what it does with the accelerator, for the log.
echo 'file drivers/cxl/* +p' >/sys/kernel/debug/dynamic_debug/control 2>/dev/null || true

pci_driver() { basename "$(readlink -f "$sysdir/driver" 2>/dev/null)" 2>/dev/null; }
no_pci_driver() { [ ! -e "$sysdir/driver" ]; }
sim_bound() { [ "$(pci_driver)" = cxlnic_sim_t2 ] && [ -d "$simdir" ]; }
# The accelerator's memdev: a CXL memdev whose parent is the PCI function.
accel_memdev() {
	local m
	for m in "$sysdir"/mem*; do
		[ -e "$m/uevent" ] || continue
		basename "$m"
		return 0
	done
	return 1
}

# The driver's netdev, while it is bound.
sim_netdev() { ls "$sysdir/net" 2>/dev/null | head -n 1; }
# send_frames DEV N: N raw broadcast frames of 256 bytes (a local
# experimental ethertype), as any program sending on the interface would.
send_frames() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
frame = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x88\xb5" + bytes(242)
for _ in range(int(sys.argv[2])):
    s.send(frame)
PY
}
# check_tx WINDOW: 100 frames sent on the netdev are counted by it and were
# written into WINDOW (cxl or plain), none into the other.
check_tx() {
	local dev other tx0 w0 o0 n=100
	dev=$(sim_netdev)
	[ -n "$dev" ] || fail "cxlnic_sim_t2 bound with no netdev"
	other=plain
	[ "$1" = cxl ] || other=cxl
	ip link set "$dev" up || fail "ip link set $dev up"
	tx0=$(cat "/sys/class/net/$dev/statistics/tx_packets")
	w0=$(cat "$simdir/$1_packets") o0=$(cat "$simdir/${other}_packets")
	send_frames "$dev" $n || fail "sending on $dev failed"
	(($(cat "/sys/class/net/$dev/statistics/tx_packets") - tx0 >= n)) ||
		fail "$dev counted $(($(cat "/sys/class/net/$dev/statistics/tx_packets") - tx0)) of $n frames"
	(($(cat "$simdir/$1_packets") - w0 >= n)) ||
		fail "$(($(cat "$simdir/$1_packets") - w0)) of $n frames went into the $1 window"
	[ "$(cat "$simdir/${other}_packets")" = "$o0" ] ||
		fail "frames went into the $other window too"
	ok "$dev: $n frames sent, counted by the netdev, written into the $1 window"
	NETDEV=$dev
}
netdev_gone() { ! ip link show "$1" >/dev/null 2>&1; }

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

# bind_sim: probe the driver on the accelerator and check what it got.
bind_sim() {
	local md ep region got
	if ! sim_bound; then
		echo "$pci" >/sys/bus/pci/drivers/cxlnic_sim_t2/bind ||
			fail "bind of $pci to cxlnic_sim_t2 refused"
	fi
	wait_until 30 sim_bound || fail "cxlnic_sim_t2 did not bind $pci"
	[ "$(cat "$simdir/ctpio")" = cxl ] ||
		fail "CTPIO on $(cat "$simdir/ctpio") (CXL init: $(cat "$simdir/cxl_error"))"
	md=$(accel_memdev) || fail "no memdev under $pci"
	ep=$(endpoint_of_memdev "$md") || fail "$md has no endpoint"
	region=$(regions_of_memdev "$md")
	[ -n "$region" ] || fail "the CXL core assembled no region for $md"
	[ "$(wc -w <<<"$region")" -eq 1 ] || fail "$md in several regions: $region"
	[ "$(cat "/sys/bus/cxl/devices/$region/commit")" = 1 ] || fail "$region not committed"
	got=$(printf '%#x-%#x' "$(cat "/sys/bus/cxl/devices/$region/resource")" \
		$(($(cat "/sys/bus/cxl/devices/$region/resource") + $(cat "/sys/bus/cxl/devices/$region/size") - 1)))
	[ "$got" = "$want_range" ] || fail "$region spans $got, firmware committed $want_range"
	[ "$(cat "$simdir/cxl_range")" = "$want_range" ] ||
		fail "the driver reports $(cat "$simdir/cxl_range"), $region spans $want_range"
	/usr/bin/python3 "$FIXTURE" check --complete "$FW" ||
		fail "the decoders are not as firmware left them"
	ok "$1: $md ($ep) in $region at $got; the driver has CTPIO on CXL there"
	check_tx cxl
	MD=$md REGION=$region
}

insmod "$KMOD/cxlnic_sim_t2.ko"
bind_sim "first probe"

# Upstream's loss path: the memdev's unbind makes the core queue
# detach_memdev, which releases the accelerator's PCI driver.  Nothing binds
# it again by itself.
log "unbinding cxl_mem from $MD"
echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind
wait_until 30 no_pci_driver || fail "the core did not release $pci's driver"
# The driver's link goes first, its devres (the memdev) after.
gone() { [ ! -e "/sys/bus/cxl/devices/$1" ]; }
wait_until 30 gone "$MD" || fail "$MD still there after the release"
wait_until 30 gone "$REGION" || fail "$REGION still there after the release"
netdev_gone "$NETDEV" || fail "$NETDEV still there after the release"
sleep 2
no_pci_driver || fail "$pci bound again by itself: $(pci_driver)"
ok "the CXL core released cxlnic_sim_t2 from $pci, $MD, $REGION and $NETDEV went, nothing bound it again"

# The decoders stayed committed (locked): a new probe finds the region again.
bind_sim "bound again"

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

# The root back: nothing probes the driver again by itself; a new bind
# finds the locked region once more.
modprobe cxl_acpi
echo "$pci" >/sys/bus/pci/drivers/cxlnic_sim_t2/unbind
bind_sim "bound again after cxl_acpi came back"

log "kernel messages about $pci:"
dmesg | grep -E "$pci|cxlnic_sim_t2" | tail -n 40 >&2 || true
echo "type2: ok"
