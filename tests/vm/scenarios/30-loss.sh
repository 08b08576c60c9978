#!/bin/bash
# With TX running, pulling one CXL piece moves the NIC to PCI with TX still
# flowing and a notification naming the reason; once the piece is back and
# region-attach is sent again, the NIC is on CXL again.  Each kind named,
# one after the other in one boot, each starting from the NIC back on CXL.
#   30-loss.sh KIND...   KIND: memdev, region, port, switch or acpi
# switch: the port of the CXL switch above the memdev (vmrun --switch).
. "$(dirname "$0")/../lib/cxlnic.sh"

[ $# -gt 0 ] || fail "kinds: memdev, region, port, switch or acpi"
load_cxl
load_cxlnic
region=$(ensure_region 0)
attach 0 "$region"
tx_start 0
counter_grows 0 cxl_packets || fail "no CXL traffic before the loss"
losses=0

# pull_and_return KIND: one loss of KIND and the NIC's return to CXL.
pull_and_return() {
	local kind=$1 md ep sw piece reason
	md=$(memdev_of_nic 0)
	ep=$(endpoint_of_memdev "$md")
	monitor_start 0
	log "pulling $kind (memdev $md, endpoint $ep, $region)"

	case $kind in
	memdev)
		echo "$md" >/sys/bus/cxl/drivers/cxl_mem/unbind
		piece=memdev reason=piece-unbound ;;
	region)
		cxl disable-region "$region"
		piece=region reason=piece-unbound ;;
	port)
		echo "$ep" >/sys/bus/cxl/drivers/cxl_port/unbind
		piece=endpoint reason=piece-unbound ;;
	switch)
		sw=$(switch_port_of_endpoint "$ep") || fail "no switch above $ep (vmrun --switch)"
		log "switch port $sw"
		echo "$sw" >/sys/bus/cxl/drivers/cxl_port/unbind
		piece=port reason=piece-unbound ;;
	acpi)
		rmmod cxl_acpi
		piece=root reason=piece-unbound ;;
	*)
		fail "unknown kind $kind" ;;
	esac

	expect_mode 0 pci
	counter_grows 0 pci_packets || fail "TX stopped after the loss"
	counter_still 0 cxl_packets || fail "CXL window still written after the loss"
	[ "$(nic_field 0 .loss_reason)" = "$reason" ] || fail "loss_reason $(nic_field 0 .loss_reason)"
	[ "$(nic_field 0 .loss_piece.kind)" = "$piece" ] || fail "loss_piece $(nic_field 0 .loss_piece.kind)"
	wait_until 10 monitor_has ".event == \"dev-change\" and .mode == \"pci\" and .prev_mode == \"cxl\" and .reason == \"$reason\"" ||
		fail "no dev-change notification with reason $reason"
	wait_until 10 monitor_has ".event == \"piece\" and .piece_event == \"lost\" and .piece.kind == \"$piece\"" ||
		fail "no piece-lost notification for $piece"
	ok "$kind pulled: NIC on PCI, TX flowing, notified ($reason, $piece)"

	case $kind in
	memdev) rebind_memdev "$md" ;;
	region) cxl enable-region "$region" >/dev/null ;;
	port)
		echo "$ep" >/sys/bus/cxl/drivers/cxl_port/bind 2>/dev/null ||
			rebind_memdev "$md" ;;
	switch)
		# The unbind deleted the switch port (its endpoint with it): the
		# memdev's next probe enumerates the ports and makes it again.
		[ ! -e "/sys/bus/cxl/devices/$sw" ] || fail "$sw still there after its unbind"
		rebind_memdev "$md" ;;
	acpi) modprobe cxl_acpi ;;
	esac
	if [ "$kind" = region ]; then
		wait_until 10 monitor_has '.event == "piece" and .piece_event == "returned"' ||
			fail "no piece-returned notification"
	fi
	region=$(ensure_region 0)
	attach 0 "$region"
	expect_mode 0 cxl
	counter_grows 0 cxl_packets || fail "no CXL traffic after the return"
	losses=$((losses + 1))
	[ "$(nic_field 0 .stats.fallbacks)" -eq $losses ] || fail "fallbacks != $losses"
	[ "$(nic_field 0 .stats.reattaches)" -eq $losses ] || fail "reattaches != $losses"
	monitor_stop
	ok "$kind returned: NIC back on CXL via $region"
}

for kind in "$@"; do
	pull_and_return "$kind"
done
