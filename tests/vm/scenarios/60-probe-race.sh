#!/bin/bash
# Teardown racing the NIC driver's own probe and remove, and a region-attach:
# bind and unbind cxlnic_sim while the region the NIC uses goes away, many
# times.  No deadlock (vmrun's timeout and hung-task detector), no warning.
. "$(dirname "$0")/../lib/cxlnic.sh"

ROUNDS=${ROUNDS:-20}
load_cxl
load_cxlnic
region=$(ensure_region 0)
md=$(memdev_of_nic 0)
pci=$(nic_pci 0)
drv=/sys/bus/pci/drivers/cxlnic_sim
for i in $(seq 1 "$ROUNDS"); do
	if ! "$CTL" attach "$pci" "$region" --memdev "$md" 2>/dev/null; then
		wait_until 20 nics_ready
		"$CTL" attach "$pci" "$region" --memdev "$md"
	fi
	tx_start 0 20000
	{ echo "$pci" >$drv/unbind; echo "$pci" >$drv/bind; } &
	a=$!
	cxl disable-region "$region" >/dev/null 2>&1 &
	b=$!
	"$CTL" attach "$(nic_pci 1)" "$region" --memdev "$md" >/dev/null 2>&1 &
	c=$!
	wait $a $b $c || true
	[ -e $drv/"$pci" ] || echo "$pci" >$drv/bind
	cxl enable-region "$region" >/dev/null 2>&1
	"$CTL" detach "$(nic_pci 1)" >/dev/null 2>&1 || true
	wait_until 20 nics_ready || fail "round $i: NICs did not come back"
	[ "$(nic_mode 0)" = pci ] || fail "round $i: NIC 0 on $(nic_mode 0) with the region down"
	# A round takes seconds on a stock kernel, minutes on the debug one:
	# say where the run is, for a log cut by a timeout.
	log "round $i of $ROUNDS done"
done
attach 0 "$region"
expect_mode 0 cxl
ok "$ROUNDS rounds of probe/remove racing teardown and attach"
