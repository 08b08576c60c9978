#!/bin/bash
# The dax policy key, with cxlnicd running and TX flowing:
#   devdax: cxlnicd makes a devdax namespace on each region before it
#           attaches the NIC, /dev/daxX.Y appears, and after a loss the
#           rebuilt region has one again, with no command typed; killed
#           in the middle of making one and started again, it ends with
#           one devdax namespace
#   none:   a NIC already on a region with a namespace keeps it; after a
#           loss, its rebuilt region brings the namespace back from its
#           label, and the NIC is not put back while it is there (it
#           waits, says why, TX stays on PCI); it goes back by itself, no
#           command typed, once an operator destroys the namespace
#   bad values are refused, at run time and in the file
. "$(dirname "$0")/../lib/cxlnic.sh"

conf=/tmp/cxlnicd.conf

load_cxl
load_cxlnic
pci0=$(nic_pci 0)
pci1=$(nic_pci 1)

# --- devdax -------------------------------------------------------------
write_daemon_conf $conf "dax = devdax"
daemon_start $conf
for nic in 0 1; do
	has_devdax $nic || fail "NIC $nic's region has no devdax namespace: $(namespaces_of_nic $nic)"
	dev=$(chardev_of_nic $nic)
	[ -c "/dev/$dev" ] || fail "NIC $nic: /dev/$dev is not a character device"
	log "NIC $nic: $(nic_field $nic .region.name) carries $dev"
	"$CTL" status "$(nic_pci $nic)" --json |
		shape "daemon_nic and .dax_device == \"$dev\"" ||
		fail "status has no dax_device $dev"
done
"$CTL" history "$pci0" --json | jq -e 'any(.[]; .what == "create-dax" and .ok)' \
	>/dev/null || fail "no create-dax step in NIC 0's history"
"$CTL" policy "$pci0" --json | jq -e '.policy.dax == "devdax"' >/dev/null ||
	fail "policy JSON has no dax devdax"
tx_start 0
counter_grows 0 cxl_packets || fail "NIC 0 does not send on CXL"
ok "dax = devdax: a devdax namespace on each region, NICs on CXL"

seq=$(history_seq)
pull_piece memdev 0
wait_until 180 on_cxl 0 || fail "NIC 0 not back on CXL ($(daemon_state "$pci0"))"
wait_until 30 has_devdax 0 ||
	fail "the rebuilt region has no devdax namespace: $(namespaces_of_nic 0)"
steps=$(history_since "$seq" "$pci0" | tr '\n' ' ')
log "after the memdev loss, cxlnicd's steps: $steps"
[[ $steps == *create-region:true*create-dax:true*attach:true* ]] ||
	fail "steps not create-region, create-dax, attach"
log "$("$CTL" history "$pci0" --json | jq -r --argjson s "$seq" \
	'.[] | select(.seq > $s and .what == "create-dax") | .message')"
counter_grows 0 cxl_packets || fail "NIC 0 does not send on CXL after the loss"
ok "memdev loss: region rebuilt with its devdax namespace, NIC 0 back on CXL"

# --- crashes ------------------------------------------------------------
# Killed after sizing a namespace (before the devdax claim) and after the
# step, a restarted cxlnicd ends with one devdax namespace, not two.
daemon_stop
sized_namespaces() {
	ndctl list -N -i -r "$(nd_region_of_nic 0)" |
		jq -s 'add // [] | map(select(.size > 0)) | length'
}
for step in create-dax-sized create-dax; do
	log "--- crash at $step"
	# Without a label of its own left, cxlnicd sizes the region's seed.
	if [ $step = create-dax-sized ]; then
		ndctl destroy-namespace -f "$(namespaces_of_nic 0 | jq -r '.[0].dev')"
	fi
	crash_in_recovery $step $conf
	daemon_start $conf
	wait_until 30 has_devdax 0 || fail "$step: no devdax after the restart: $(namespaces_of_nic 0)"
	[ "$(sized_namespaces)" -eq 1 ] ||
		fail "$step: $(sized_namespaces) namespaces on NIC 0's region"
	ok "crash at $step: the restarted cxlnicd finished, one devdax namespace"
	[ $step = create-dax ] || daemon_stop
done

# --- none ---------------------------------------------------------------
"$CTL" policy "$pci1" dax none
sleep 1
on_cxl 1 || fail "dax none moved NIC 1, already on CXL, off it"
ok "dax = none: a NIC already on its region stays there"

tx_start 1
seq=$(history_seq)
pull_piece memdev 1
waiting_for_dax() {
	[ "$("$CTL" status "$pci1" --json | jq -r .waiting_for)" = dax ]
}
wait_until 180 waiting_for_dax ||
	fail "NIC 1 not waiting for dax: $("$CTL" status "$pci1" --json)"
log "NIC 1's rebuilt region carries: $(namespaces_of_nic 1)"
"$CTL" status "$pci1"
"$CTL" status "$pci1" --json | shape 'daemon_nic' ||
	fail "status NIC 1 shape while waiting for dax"
expect_mode 1 pci
counter_grows 1 pci_packets || fail "NIC 1 does not send on PCI while it waits"
"$CTL" history "$pci1" --json | jq -e --argjson s "$seq" 'any(.[];
	.seq > $s and .what == "dax" and (.message | contains("dax=none")))' \
	>/dev/null || fail "no history entry says why NIC 1 waits"
sleep 2
waiting_for_dax && ! on_cxl 1 || fail "NIC 1 did not keep waiting"
ok "dax = none: after a loss NIC 1 waits for its labelled namespace to go, and says so"

ns=$(namespaces_of_nic 1 | jq -r '.[0].dev')
ndctl destroy-namespace -f "$ns"
wait_until 60 on_cxl 1 || fail "NIC 1 not back on CXL once $ns was destroyed"
[ "$(namespaces_of_nic 1 | jq length)" -eq 0 ] ||
	fail "cxlnicd made a namespace under dax none: $(namespaces_of_nic 1)"
ok "dax = none: NIC 1 back on CXL once $ns is gone, and nothing made"

# --- bad values ---------------------------------------------------------
expect_exit 2 "dax 'fsdax' is not one of none, devdax, any" \
	"$CTL" policy "$pci1" dax fsdax
write_daemon_conf /tmp/bad.conf "" "dax = sometimes"
rc=0
"$B/daemon/cxlnicd" -c /tmp/bad.conf --check-config 2>/tmp/err || rc=$?
cat /tmp/err >&2
[ $rc -ne 0 ] && grep -q "bad.conf:5: dax 'sometimes'" /tmp/err ||
	fail "a bad dax value in the file is not refused with its line"
ok "bad dax values refused"
daemon_stop
