#!/bin/bash
# One on_loss policy against every kind of CXL loss, with cxlnicd really
# running and TX flowing on NIC 0:
#   fallback: NIC on PCI, TX on, back on CXL with no command typed once the
#             piece is back (cxlnicd rebinds what was unbound itself; the
#             CXL root comes back by modprobe, as after a driver update)
#   unbind:   the NIC's driver released while the chain is broken, bound
#             again and on CXL once it is whole
#   none:     left on PCI, nothing touched; 'cxlnicctl recover' brings it
#             back on request
#   82-policy.sh fallback|unbind|none
. "$(dirname "$0")/../lib/cxlnic.sh"

policy=${1:?policy: fallback, unbind or none}
conf=/tmp/cxlnicd.conf

load_cxl
load_cxlnic
pci0=$(nic_pci 0)
write_daemon_conf $conf "on_loss = $policy"
daemon_start $conf
ok "on_loss = $policy: both NICs on CXL"

registered() { "$CTL" show "$1" >/dev/null 2>&1; }
in_state() { [ "$(daemon_state "$1")" = "$2" ]; }

# What the policy wants while the piece is away.  Only the root stays away
# until the test returns it: other pieces cxlnicd rebuilds at once (faster
# than this script looks), so there the history shows what it did.
check_during() {
	local kind=$1
	# Unbound, the NIC and its record of the loss are gone.
	if [ "$policy" != unbind ] &&
	   [ "$(nic_field 0 .loss_piece.kind)" != "$PIECE" ]; then
		fail "$kind: loss piece $(nic_field 0 .loss_piece.kind)"
	fi
	[ "$kind" = acpi ] || [ "$policy" = none ] || return 0
	case $policy in
	fallback|none)
		expect_mode 0 pci
		counter_grows 0 pci_packets || fail "$kind: TX stopped" ;;
	unbind)
		wait_until 20 in_state "$pci0" unbound ||
			fail "$kind: NIC 0 not unbound ($(daemon_state "$pci0"))"
		if registered "$pci0"; then
			fail "$kind: NIC 0 still registered"
		fi ;;
	esac
	if [ "$policy" = fallback ]; then
		wait_until 20 in_state "$pci0" waiting || fail "acpi: not waiting"
		"$CTL" status "$pci0" --json | jq -e '.waiting_for == "root"' \
			>/dev/null || fail "acpi: not waiting for the root"
	fi
}

check_after() {
	local kind=$1 seq=$2 steps
	case $policy in
	none)
		sleep 3
		expect_mode 0 pci
		steps=$(history_since "$seq" "$pci0")
		[ -z "$steps" ] || fail "$kind: on_loss none, yet cxlnicd did: $steps"
		ok "$kind: left on PCI, nothing done"
		# The rebuild may have to wait for a re-probe: then recover
		# says so (exit 1) and cxlnicd finishes when it returns.
		"$CTL" recover "$pci0" || log "$kind: recover must wait"
		wait_until 180 on_cxl 0 || fail "$kind: not on CXL after recover"
		;;
	*)
		wait_until 180 on_cxl 0 ||
			fail "$kind: NIC 0 not back on CXL ($(daemon_state "$pci0"))" ;;
	esac
	expect_mode 0 cxl
	steps=$(history_since "$seq" "$pci0" | tr '\n' ' ')
	log "$kind: cxlnicd's steps: $steps"
	case $policy in
	unbind)
		[[ $steps == *unbind-nic:true*bind-nic:true*attach:true* ]] ||
			fail "$kind: steps not unbind-nic, bind-nic, attach"
		tx_start 0 ;;
	*)
		[[ $steps == *attach:true* ]] || fail "$kind: no attach" ;;
	esac
	counter_grows 0 cxl_packets || fail "$kind: no CXL traffic after return"
}

tx_start 0
for kind in memdev region port acpi; do
	seq=$(history_seq)
	fallbacks=$(nic_field 0 .stats.fallbacks)
	log "--- $kind"
	pull_piece $kind 0
	[ "$policy" = unbind ] ||
		wait_until 20 counter_above 0 fallbacks "$fallbacks" ||
		fail "$kind: NIC 0 did not fall back"
	check_during $kind
	ok "$kind pulled: NIC 0 where on_loss = $policy wants it"
	[ $kind = acpi ] && modprobe cxl_acpi
	check_after $kind "$seq"
	ok "$kind returned: NIC 0 back on CXL"
done
# The CXL root came back under NIC 1 too.
if [ "$policy" != none ]; then
	wait_until 180 on_cxl 1 ||
		fail "NIC 1 not back on CXL after cxl_acpi returned"
fi
daemon_stop
