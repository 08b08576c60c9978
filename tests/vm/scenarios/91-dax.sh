#!/bin/bash
# The dax policy key, with cxlnicd running and TX flowing:
#   a NIC on CXL holds its region's range in the iomem tree: an operator's
#           ndctl create-namespace on it fails, and the NIC keeps sending
#   none:   (the default) an operator's namespace on a NIC's region, made
#           while the NIC was on PCI by hand, keeps it off after
#           'cxlnicctl recover': it waits, says why, TX stays on PCI; it
#           goes back by itself, no command typed, once the namespace is
#           destroyed, and cxlnicd made none
#   any:    the attach is tried and cxlnic.ko refuses the range the
#           namespace holds (EBUSY, the kernel's reason in the history);
#           back on CXL once the namespace is destroyed
#   devdax (cxlnicd's own namespace once) and bad values are refused, at
#   run time and in the file with its line
. "$(dirname "$0")/../lib/cxlnic.sh"

conf=/tmp/cxlnicd.conf

load_cxl
load_cxlnic
pci0=$(nic_pci 0)
pci1=$(nic_pci 1)
write_daemon_conf $conf
daemon_start $conf
"$CTL" policy "$pci0" --json | jq -e '.policy.dax == "none"' >/dev/null ||
	fail "the default dax is not none"

# An active devdax namespace over the whole of NIC $1's region.
make_devdax() {
	ndctl create-namespace -m devdax -r "$(nd_region_of_nic "$1")" 2>&1
}
# Every namespace on NIC $1's region, active or only sized, destroyed.
destroy_namespaces() {
	ndctl destroy-namespace -f all -r "$(nd_region_of_nic "$1")" >&2 || true
}
active_namespaces() {
	namespaces_of_nic "$1" | jq '[.[] | select(.mode != "raw" or
		(.blockdev // .chardev // "") != "")] | length'
}

# --- the claim ----------------------------------------------------------
tx_start 0
counter_grows 0 cxl_packets || fail "NIC 0 does not send on CXL"
grep -q "cxlnic $pci0" /proc/iomem || fail "no 'cxlnic $pci0' claim in /proc/iomem"
if out=$(make_devdax 0); then
	fail "ndctl made a namespace over NIC 0's range while it is on CXL: $out"
fi
log "ndctl create-namespace on NIC 0's region: $out"
[ "$(active_namespaces 0)" -eq 0 ] ||
	fail "an active namespace on NIC 0's region: $(namespaces_of_nic 0)"
destroy_namespaces 0
on_cxl 0 || fail "NIC 0 left CXL"
counter_grows 0 cxl_packets || fail "NIC 0 stopped sending on CXL"
ok "a NIC on CXL holds its range: no namespace can start on it"

# --- none ---------------------------------------------------------------
tx_start 1
"$CTL" detach "$pci1"
out=$(make_devdax 1) || fail "no devdax namespace on NIC 1's region once on PCI: $out"
dev=$(namespaces_of_nic 1 | jq -r '.[] | select(.mode == "devdax") | .chardev')
[ -c "/dev/$dev" ] || fail "NIC 1: /dev/$dev is not a character device"
log "NIC 1's region carries $dev"
seq=$(history_seq)
rc=0
"$CTL" recover "$pci1" >/dev/null 2>/tmp/err || rc=$?
cat /tmp/err >&2
[ $rc -eq 1 ] && grep -q "waiting for dax" /tmp/err ||
	fail "recover of a NIC held off by dax: exit $rc, and says not what it waits for"
waiting_for_dax() {
	[ "$("$CTL" status "$1" --json | jq -r .waiting_for)" = dax ]
}
wait_until 60 waiting_for_dax "$pci1" ||
	fail "NIC 1 not waiting for dax: $("$CTL" status "$pci1" --json)"
"$CTL" status "$pci1"
"$CTL" status "$pci1" --json | shape "daemon_nic and .dax_device == \"$dev\"" ||
	fail "status NIC 1 has not the shape, or no dax_device $dev"
expect_mode 1 pci
counter_grows 1 pci_packets || fail "NIC 1 does not send on PCI while it waits"
"$CTL" history "$pci1" --json | jq -e --argjson s "$seq" 'any(.[];
	.seq > $s and .what == "dax" and (.message | contains("dax=none")))' \
	>/dev/null || fail "no history entry says why NIC 1 waits"
sleep 2
waiting_for_dax "$pci1" && ! on_cxl 1 || fail "NIC 1 did not keep waiting"
ok "dax = none: NIC 1 waits for the operator's namespace to go, and says so"

destroy_namespaces 1
wait_until 60 on_cxl 1 || fail "NIC 1 not back on CXL once $dev was destroyed"
[ "$(namespaces_of_nic 1 | jq '[.[] | select(.size > 0)] | length')" -eq 0 ] ||
	fail "cxlnicd made a namespace: $(namespaces_of_nic 1)"
counter_grows 1 cxl_packets || fail "NIC 1 does not send on CXL"
ok "dax = none: NIC 1 back on CXL once $dev is gone, and nothing made"

# --- any ----------------------------------------------------------------
"$CTL" policy "$pci0" dax any
"$CTL" policy "$pci0" --json | jq -e '.policy.dax == "any"' >/dev/null ||
	fail "policy JSON has no dax any"
"$CTL" detach "$pci0"
out=$(make_devdax 0) || fail "no devdax namespace on NIC 0's region once on PCI: $out"
seq=$(history_seq)
"$CTL" recover "$pci0" >/dev/null 2>&1 || true
refused() {
	"$CTL" history "$pci0" --json | jq -e --argjson s "$seq" 'any(.[];
		.seq > $s and .what == "attach" and (.ok | not) and
		(.error | test("busy")) and (.message | contains("in use")))' >/dev/null
}
wait_until 60 refused || fail "no refused attach in NIC 0's history: $("$CTL" history "$pci0" --json)"
log "$("$CTL" history "$pci0" --json | jq -r --argjson s "$seq" \
	'[.[] | select(.seq > $s and .what == "attach")][0].message')"
expect_mode 0 pci
counter_grows 0 pci_packets || fail "NIC 0 does not send on PCI"
ok "dax = any: cxlnic.ko refuses the range the namespace holds, NIC 0 stays on PCI"

destroy_namespaces 0
wait_until 90 on_cxl 0 || fail "NIC 0 not back on CXL once the namespace went ($(daemon_state "$pci0"))"
counter_grows 0 cxl_packets || fail "NIC 0 does not send on CXL"
ok "dax = any: NIC 0 back on CXL once the namespace is gone"

# --- bad values ---------------------------------------------------------
expect_exit 2 "dax 'fsdax' is not one of none, any" \
	"$CTL" policy "$pci1" dax fsdax
expect_exit 2 "dax 'devdax' is no longer allowed" \
	"$CTL" policy "$pci1" dax devdax
write_daemon_conf /tmp/bad.conf "" "dax = sometimes"
rc=0
"$B/daemon/cxlnicd" -c /tmp/bad.conf --check-config 2>/tmp/err || rc=$?
cat /tmp/err >&2
[ $rc -ne 0 ] && grep -q "bad.conf:5: dax 'sometimes'" /tmp/err ||
	fail "a bad dax value in the file is not refused with its line"
write_daemon_conf /tmp/bad.conf "dax = devdax"
rc=0
"$B/daemon/cxlnicd" -c /tmp/bad.conf --check-config 2>/tmp/err || rc=$?
cat /tmp/err >&2
[ $rc -ne 0 ] && grep -q "bad.conf:4: dax 'devdax' is no longer allowed" /tmp/err ||
	fail "dax = devdax in the file is not refused with its line"
ok "bad dax values refused"
daemon_stop
