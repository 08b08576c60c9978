#!/bin/bash
# Every loss of a Type 2 NIC's chain against every policy, cxlnicd running
# (vmrun --kernel 7.3 --type2 --switch: a CXL switch between the NIC's root
# port and it).  First the NIC as sfc ships (cxlnic_sim_t2): for each
# on_loss (fallback, unbind, none, set at run time) the memdev's cxl_mem,
# its endpoint port, the switch port above it and cxl_acpi go in turn, and
# the NIC ends where cxlnic(7) and cxlnicd.conf(5) say:
#   fallback   bound again at once, on CXL (the probe makes the ports the
#              core deleted); with no root, on PCI, then once more on CXL
#              when cxl_acpi is back
#   unbind     the same, but left unbound while the root is away
#   none       left unbound, as upstream leaves it, until 'cxlnicctl
#              recover' (after cxl_acpi's return, for its loss)
# Then the same driver with its quiesce op (cxlnic_sim_t2_coop), under
# fallback, each loss again: quiesced before each (the policies' logic does
# not differ between the two; only the wait for the core's release does).
# After each: CTPIO on the window the family says, frames through the new
# netdev (set up by cxlnicd) counted by it and written there, the loss
# recorded with the piece that went, the counters adding up (a stock NIC
# falls back only through its quiesce op), and only the steps the policy
# allows in cxlnicd's history.
. "$(dirname "$0")/../lib/cxlnic.sh"
. "$(dirname "$0")/../lib/type2.sh"

[ "$(jq -r .committed "$FW")" = true ] || fail "needs vmrun --type2"
[ "$(jq '.switches | length' "$FW")" = 1 ] || fail "needs vmrun --switch"
load_cxl
# Before the driver: the cooperating one calls into cxlnic.ko.
load_cxlnic
# use_driver DRIVER: DRIVER, and no other, bound on the NIC, on CXL.
use_driver() {
	! sim_bound || echo "$pci" >"/sys/bus/pci/drivers/$SIM_T2/unbind"
	lsmod | grep -q "^$SIM_T2 " && rmmod "$SIM_T2"
	SIM_T2=$1 simdir=$sysdir/$1
	insmod "$KMOD/$SIM_T2.ko"
	echo "$SIM_T2" >"$sysdir/driver_override"
	bind_sim "first probe of $SIM_T2"
	check_stock cxl probe
	quiesces=false
	[ "$SIM_T2" = cxlnic_sim_t2_coop ] && quiesces=true
	[ "$(stock_json | jq .quiesce)" = $quiesces ] ||
		fail "the family shows quiesce $(stock_json | jq .quiesce) for $SIM_T2"
	fallbacks0=$(stock_json | jq .stats.fallbacks)
	losses=0 reattaches0=$(stock_json | jq .stats.reattaches)
}
use_driver cxlnic_sim_t2

printf '[defaults]\non_loss = fallback\ngrace_ms = 0\nbackoff_ms = 200\n' >/tmp/cxlnicd.conf
"$B/daemon/cxlnicd" -c /tmp/cxlnicd.conf >/tmp/cxlnicd.log 2>&1 &
DAEMON_PID=$!
trap 'kill $DAEMON_PID 2>/dev/null; cat /tmp/cxlnicd.log' EXIT
wait_until 30 eval '"$CTL" status "$pci" >/dev/null 2>&1' ||
	fail "cxlnicd does not know $pci"
expect_state "on-cxl -"

# pull KIND: one piece of the chain goes; PIECE: the kind the family
# records as the loss.
pull() {
	local ep
	ep=$(endpoint_of_memdev "$MD") || fail "$MD has no endpoint"
	case $1 in
	memdev) PIECE=memdev; echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind ;;
	port) PIECE=endpoint; echo "$ep" >/sys/bus/cxl/drivers/cxl_port/unbind ;;
	switch)
		PIECE=port
		echo "$(switch_port_of_endpoint "$ep")" >/sys/bus/cxl/drivers/cxl_port/unbind ;;
	acpi) PIECE=root; rmmod cxl_acpi ;;
	esac
}
# left_alone SEQ: unbound, and cxlnicd took no step since SEQ.
left_alone() {
	sleep 2
	no_pci_driver || fail "cxlnicd bound $pci against its policy"
	[ -z "$(actions_since "$1")" ] || fail "cxlnicd acted: $(actions_since "$1")"
}
# The family's record of the loss, as the monitor would have it.
check_loss() {
	[ "$(stock_json | jq -r .loss_piece.kind)" = "$PIECE" ] ||
		fail "the loss piece: $(stock_json | jq -c .loss_piece), expected a $PIECE"
}

# every_loss POLICY...: each loss under each POLICY, for the driver bound.
every_loss() {
	local policy kind seq mark
	for policy in "$@"; do
		"$CTL" policy "$pci" on_loss "$policy" || fail "cxlnicctl policy: exit $?"
		for kind in memdev port switch acpi; do
			log "on_loss = $policy: $kind"
			seq=$(history_seq)
			mark=$(dmesg | wc -l)
			pull "$kind"
			losses=$((losses + 1))
			case $policy/$kind in
			fallback/acpi)
				back_on pci "$seq" "bind-nic:true link-up:true"
				expect_state "waiting root"
				seq=$(history_seq)
				modprobe cxl_acpi
				back_on cxl "$seq" "rebind-nic:true link-up:true" ;;
			fallback/* | unbind/memdev | unbind/port | unbind/switch)
				check_loss
				back_on cxl "$seq" "bind-nic:true link-up:true" ;;
			unbind/acpi)
				released
				check_loss
				expect_state "waiting root"
				left_alone "$seq"
				modprobe cxl_acpi
				back_on cxl "$seq" "bind-nic:true link-up:true" ;;
			none/*)
				released
				check_loss
				expect_state "unbound -"
				left_alone "$seq"
				[ "$kind" = acpi ] && modprobe cxl_acpi
				"$CTL" recover "$pci" || fail "cxlnicctl recover $pci: exit $?"
				back_on cxl "$seq" "bind-nic:true link-up:true" ;;
			esac
			expect_state "on-cxl -"
			if $quiesces; then
				dmesg | tail -n +"$((mark + 1))" | grep -q "$pci: quiesced: CTPIO on the plain window" ||
					fail "$SIM_T2 was not quiesced before the $kind went"
			fi
			check_counts
			ok "on_loss = $policy, $kind: $SIM_T2 back on CXL as the policy says"
		done
	done
}
check_counts() {
	local want_fb=$fallbacks0
	$quiesces && want_fb=$((fallbacks0 + losses))
	[ "$(stock_json | jq .stats.reattaches)" = $((reattaches0 + losses)) ] ||
		fail "reattaches $(stock_json | jq .stats.reattaches) after $losses losses"
	[ "$(stock_json | jq .stats.fallbacks)" = $want_fb ] ||
		fail "fallbacks $(stock_json | jq .stats.fallbacks) after $losses losses, expected $want_fb"
}
every_loss fallback unbind none
use_driver cxlnic_sim_t2_coop
every_loss fallback


kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "cxlnicd exit $? on SIGTERM"
trap - EXIT
echo "type2 matrix: ok"
