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

# The family's view of the stock NIC.
stock_json() { "$CTL" show "$pci" --json; }
# check_stock MODE REASON: the family shows the NIC so; on cxl, on the
# region the core assembled, with the netdev the driver registered.
check_stock() {
	local j
	j=$(stock_json) || fail "the family does not know $pci"
	jq -e --arg m "$1" --arg r "$2" --argjson serial "$(jq .serial "$FW")" '
		.kind == "stock" and .driver == "cxlnic_sim_t2" and
		.mode == $m and .last_reason == $r and .serial == $serial' \
		<<<"$j" >/dev/null || fail "the family shows $(jq -c '{kind, driver, mode, last_reason, serial}' <<<"$j"), expected $1 for $2"
	if [ "$1" = cxl ]; then
		jq -e --arg region "$REGION" --arg md "$MD" --arg dev "$NETDEV" \
			--argjson base "$want_start" '
			.region.name == $region and .region.base == $base and
			.ifname == $dev and
			any(.pieces[]; .kind == "memdev" and .name == $md and .state == "bound")' \
			<<<"$j" >/dev/null || fail "the family's chain: $(jq -c '{region, ifname, pieces}' <<<"$j")"
	fi
	ok "the family shows $pci as a stock NIC in mode $1 (reason $2)"
}
# The monitor's account of the stock NIC, in order: "lost" for each piece
# said lost, "off" for a move to mode off, "cxl" for a return.
stock_events() {
	jq -r --arg p "$pci" 'select(.pci_addr == $p) |
		if .piece_event == "lost" then "lost"
		elif .event == "dev-change" then .mode else empty end' "$MON_LOG" |
		uniq | tr '\n' ' '
}

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
load_cxlnic
check_stock cxl probe
"$CTL" list >&2
rc=0
"$CTL" mode "$pci" pci 2>/tmp/err || rc=$?
[ $rc -ne 0 ] && grep -q "stock NIC" /tmp/err ||
	fail "mode pci on a stock NIC: exit $rc, $(cat /tmp/err)"
ok "the family refuses to move a stock NIC's CTPIO: $(cat /tmp/err)"
# The monitor, known to be listening once it has seen a cooperating NIC
# come back.
MON_LOG=$(mktemp /tmp/monitor.XXXXXX)
"$CTL" monitor --json >"$MON_LOG" 2>&1 &
MON_PID=$!
coop=$(nic_pci 0)
wait_until 20 eval '{ echo "$coop" >/sys/bus/pci/drivers/cxlnic_sim/unbind; echo "$coop" >/sys/bus/pci/drivers/cxlnic_sim/bind; sleep 0.5; monitor_has ".event == \"dev-add\""; }' ||
	fail "the monitor never saw an event"

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
check_stock off unregister
[ "$(stock_json | jq -r .loss_piece.kind)" = memdev ] ||
	fail "the loss piece is $(stock_json | jq -c .loss_piece), not the memdev"
case $(stock_events) in
lost*off*) ok "the monitor heard the memdev go before the driver's release: $(stock_events)" ;;
*) fail "monitor events for $pci: $(stock_events)" ;;
esac

# The decoders stayed committed (locked): a new probe finds the region again.
bind_sim "bound again"
check_stock cxl probe
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
