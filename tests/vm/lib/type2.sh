# The stock Type 2 NIC of vmrun --type2 and --type2-bare (cxlnic_sim_t2 on
# the cxl-type3 function that the bench's firmware fixture set up): its
# firmware record, and what the scenarios about it look at.  Sourced after
# cxlnic.sh, with SIM_T2 set to the driver's name when it is not the stock
# cxlnic_sim_t2 (cxlnic_sim_t2_coop: the cooperating variant).
SIM_T2=${SIM_T2:-cxlnic_sim_t2}
FW=/run/cxlnic-type2/firmware.json
FIXTURE=$(dirname "${BASH_SOURCE[0]}")/../firmware/type2-bios.py
[ -f "$FW" ] || fail "no firmware record $FW: run with vmrun --type2 or --type2-bare"
pci=$(jq -r .pci "$FW")
want_start=$(jq -r '.range.start' "$FW")
want_size=$(jq -r '.range.size' "$FW")
want_range=$(printf '%#x-%#x' "$want_start" $((want_start + want_size - 1)))
sysdir=/sys/bus/pci/devices/$pci
simdir=$sysdir/$SIM_T2

pci_driver() { basename "$(readlink -f "$sysdir/driver" 2>/dev/null)" 2>/dev/null; }
no_pci_driver() { [ ! -e "$sysdir/driver" ]; }
sim_bound() { [ "$(pci_driver)" = "$SIM_T2" ] && [ -d "$simdir" ]; }
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
gone() { [ ! -e "/sys/bus/cxl/devices/$1" ]; }
netdev_gone() { ! ip link show "$1" >/dev/null 2>&1; }

# The family's view of the stock NIC.
stock_json() { "$CTL" show "$pci" --json; }
# check_stock MODE REASON: the family shows the NIC so; on cxl, on the
# region the core assembled, with the netdev the driver registered.
check_stock() {
	local j
	j=$(stock_json) || fail "the family does not know $pci"
	jq -e --arg m "$1" --arg r "$2" --arg drv "$SIM_T2" \
		--argjson serial "$(jq .serial "$FW")" '
		.kind == "stock" and .driver == $drv and
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
# What cxlnicd says of the NIC, and the steps it took since history SEQ.
stock_status() { "$CTL" status "$pci" --json; }
stock_state() { stock_status | jq -r '"\(.state) \(.waiting_for // "-")"'; }
actions_since() { history_since "$1" "$pci" | tr '\n' ' '; }
on_window() { sim_bound && [ "$(cat "$simdir/ctpio")" = "$1" ]; }
link_up() {
	local dev
	dev=$(sim_netdev)
	[ -n "$dev" ] && ip -j link show "$dev" | jq -e '.[0].flags | index("UP")' >/dev/null
}
# expect_state WANT: cxlnicd's word for the NIC and what it waits for.
state_is() { [ "$(stock_state)" = "$1" ]; }
expect_state() {
	wait_until 20 state_is "$1" ||
		fail "cxlnicd says $(stock_state) of $pci, expected $1"
	ok "cxlnicd: $pci $1"
}
# back_on WINDOW SEQ WHAT: cxlnicd bound the driver again by itself (steps
# WHAT since SEQ), CTPIO is on WINDOW, the new netdev is up and sends there.
back_on() {
	wait_until 60 on_window "$1" ||
		fail "cxlnicd did not bring $pci back on $1 (driver $(pci_driver), ctpio $(cat "$simdir/ctpio" 2>/dev/null)); its steps: $(actions_since "$2")"
	[ "$(actions_since "$2")" = "$3 " ] ||
		fail "cxlnicd's steps: $(actions_since "$2"), expected $3"
	wait_until 10 link_up || fail "$(sim_netdev) is not up after cxlnicd's bind"
	ok "cxlnicd bound $pci again ($3): CTPIO on $1, $(sim_netdev) up"
	if [ "$1" = cxl ]; then
		bind_sim "bound again by cxlnicd"
		check_stock cxl probe
	else
		check_tx plain
		check_stock pci probe
	fi
}
released() {
	wait_until 30 no_pci_driver || fail "the core did not release $pci's driver"
	ok "the core released $pci's driver"
}

# cxlnicctl monitor --json into $MON_LOG (pid $MON_PID), known to be
# listening once it has seen a cooperating NIC come back: as monitor_start,
# for a bench whose cooperating NICs are not attached.
stock_monitor_start() {
	local coop
	MON_LOG=$(mktemp /tmp/monitor.XXXXXX)
	"$CTL" monitor --json >"$MON_LOG" 2>"$MON_LOG.err" &
	MON_PID=$!
	coop=$(nic_pci 0)
	wait_until 20 eval '{ echo "$coop" >/sys/bus/pci/drivers/cxlnic_sim/unbind; echo "$coop" >/sys/bus/pci/drivers/cxlnic_sim/bind; sleep 0.5; monitor_has ".event == \"dev-add\""; }' ||
		fail "the monitor never saw an event"
}
# The monitor's account of the stock NIC, in order: "lost" for each piece
# said lost, "off" for a move to mode off, "cxl" for a return.
stock_events() {
	jq -r --arg p "$pci" 'select(.pci_addr == $p) |
		if .piece_event == "lost" then "lost"
		elif .event == "dev-change" then .mode else empty end' "$MON_LOG" |
		uniq | tr '\n' ' '
}

# removed_since MARK: the driver's remove, in the kernel log after line MARK.
removed_since() { dmesg | tail -n +"$(($1 + 1))" | grep -q "$pci: removed: "; }
# pull_flowing WHAT CMD...: CMD takes a piece away while frames flow on the
# netdev, and the core releases the driver; the cooperating driver's quiesce
# op ran, and no frame went into the CXL window after it.
pull_flowing() {
	local what=$1 sender mark msgs quiesced at_remove plain
	shift
	send_frames "$NETDEV" 100000000 2>/dev/null &
	sender=$!
	wait_until 20 eval '[ "$(cat "$simdir/cxl_packets")" -gt 1000 ]' ||
		fail "frames do not flow into the CXL window"
	mark=$(dmesg | wc -l)
	log "$what with frames flowing"
	"$@"
	# The driver's remove says so in the log: cxlnicd, if it runs, may
	# have bound the driver again before sysfs is looked at.
	wait_until 30 removed_since "$mark" || fail "the core did not release $pci's driver"
	kill "$sender" 2>/dev/null || true
	wait "$sender" 2>/dev/null || true
	msgs=$(dmesg | tail -n +"$((mark + 1))")
	quiesced=$(sed -n "s/.*$pci: quiesced: CTPIO on the plain window, \([0-9]*\) frames written into CXL/\1/p" <<<"$msgs")
	read -r at_remove plain <<<"$(sed -n "s/.*$pci: removed: \([0-9]*\) frames written into CXL, \([0-9]*\) into the plain window/\1 \2/p" <<<"$msgs")"
	[ -n "$quiesced" ] || fail "the driver was never quiesced: $msgs"
	[ -n "$at_remove" ] || fail "no account of the driver's remove: $msgs"
	[ "$at_remove" = "$quiesced" ] ||
		fail "$((at_remove - quiesced)) frames written into the CXL window after the quiesce"
	ok "$what: quiesced with $quiesced frames in the CXL window, none after; $plain frames into the plain window until the release"
}
# bind_sim: probe the driver on the accelerator and check what it got.
bind_sim() {
	local md ep region got
	if ! sim_bound; then
		echo "$pci" >"/sys/bus/pci/drivers/$SIM_T2/bind" ||
			fail "bind of $pci to $SIM_T2 refused"
	fi
	wait_until 30 sim_bound || fail "$SIM_T2 did not bind $pci"
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


# The accelerator leaves the machine (device_del over QMP), and QEMU lets
# it go: once the guest has powered its slot off, a while after the
# function left sysfs.  vmrun --type2 without --switch: below a switch's
# downstream port, QEMU 11.1 did not let it go within 90 s (one try).
qemu_has_accel() {
	qmp '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}' |
		grep -q '"name": "cxl-accel0"'
}
accel_hot_remove() {
	[ "$(jq '.switches | length' "$FW")" = 0 ] ||
		fail "hot-removal below a switch: QEMU does not let the device go"
	qmp '{"execute":"device_del","arguments":{"id":"cxl-accel0"}}' >&2 ||
		fail "device_del of cxl-accel0 refused"
	wait_until 60 eval '[ ! -e "$sysdir" ]' || fail "$pci still there after device_del"
	wait_until 90 eval '! qemu_has_accel' || fail "QEMU still holds cxl-accel0"
}
# accel_hot_add: the same card in the same slot (a new backend: QEMU keeps
# a removed device's marked in use), then what a real machine does before a
# driver sees it: the platform's hot-plug handler commits the function's
# decoder (the fixture's hotadd; the bridges above kept theirs, locked),
# and the driver binds by its PCI ID.  The bench's function is a
# cxl-type3, whose class cxl_pci would claim, so its driver_override
# stands for sfc's ID table: PCI autoprobe is off until it is set.
accel_hot_add() {
	echo 0 >/sys/bus/pci/drivers_autoprobe
	qmp '{"execute":"object-add","arguments":{"qom-type":"memory-backend-ram","id":"cxl-vmem2-again","size":268435456}}' >&2 ||
		fail "object-add of the accelerator's memory refused"
	qmp '{"execute":"device_add","arguments":{"driver":"cxl-type3","id":"cxl-accel0","bus":"cxl_rp2","volatile-memdev":"cxl-vmem2-again","sn":8192}}' >&2 ||
		fail "device_add of cxl-accel0 refused"
	wait_until 60 eval '[ -e "$sysdir/config" ]' || fail "$pci did not come back"
	/usr/bin/python3 "$FIXTURE" hotadd "$FW" || fail "the platform's hot-add step failed"
	echo "$SIM_T2" >"$sysdir/driver_override"
	echo 1 >/sys/bus/pci/drivers_autoprobe
	echo "$pci" >/sys/bus/pci/drivers_probe || fail "no driver took $pci"
}
