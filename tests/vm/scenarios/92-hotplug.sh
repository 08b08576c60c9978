#!/bin/bash
# Surprise hot-removal (QEMU 11.1): with TX running and cxlnicd up, the
# memdev of NIC 1 is removed from the machine (device_del over QMP), with
# no unbind first.  The NIC falls back to PCI and keeps sending, the kernel
# log stays clean (vmrun fails the run otherwise), and cxlnicd waits; once
# the memdev is added again (device_add), cxlnicd brings NIC 1 back to CXL
# with no command typed.  NIC 0 stays on CXL throughout.
. "$(dirname "$0")/../lib/cxlnic.sh"

# The memdev as vmrun made it (NIC 1 pairs with serial 0x1001), but over
# new backend objects: QEMU 11.1 keeps a removed cxl-type3's backends
# marked in use ("can't be used multiple times").  They map the same files,
# so the card that comes back holds what the removed one held.
backend() {
	printf '{"execute":"object-add","arguments":{"qom-type":"memory-backend-file","id":"%s","mem-path":"%s","size":268435456,"share":true}}' \
		"$1" "$VMRUN_SCRATCH/$2"
}
memdev_dev='"driver":"cxl-type3","id":"cxl-pmem1","bus":"cxl_rp1","persistent-memdev":"cxl-mem1-again","lsa":"cxl-lsa1-again","sn":4097'

load_cxl
load_cxlnic
write_daemon_conf /tmp/cxlnicd.conf
daemon_start /tmp/cxlnicd.conf
tx_start 0
tx_start 1
counter_grows 1 cxl_packets || fail "NIC 1 does not send on CXL"
md=$(memdev_of_nic 1)
ok "cxlnicd put both NICs on CXL; NIC 1 on $md"

fell_back() { [ "$(nic_field 1 .stats.fallbacks)" -ge 1 ]; }
memdev_gone() { [ ! -e "/sys/bus/cxl/devices/$md" ]; }
log "device_del of cxl-pmem1 ($md) while NIC 1 sends"
qmp '{"execute":"device_del","arguments":{"id":"cxl-pmem1"}}' >&2 ||
	fail "device_del refused"
wait_until 60 memdev_gone || fail "$md still there after device_del"
wait_until 20 fell_back || fail "NIC 1 did not fall back"
expect_mode 1 pci
counter_grows 1 pci_packets || fail "NIC 1 stopped sending after the removal"
counter_still 1 cxl_packets || fail "NIC 1 still writes its CXL window"
on_cxl 0 || fail "NIC 0 left CXL with NIC 1's memdev"
state=$(daemon_state "$(nic_pci 1)")
[ "$state" = waiting ] || fail "cxlnicd state of NIC 1 is $state, expected waiting"
sleep 3
expect_mode 1 pci
ok "memdev removed: NIC 1 on PCI and sending, cxlnicd waits for the memdev"

# QEMU lets the device go once the guest has powered its slot off, a
# while after the memdev left sysfs; only then is its memory free again.
qemu_has_device() {
	qmp '{"execute":"qom-list","arguments":{"path":"/machine/peripheral"}}' |
		grep -q '"name": "cxl-pmem1"'
}
wait_until 90 eval '! qemu_has_device' || fail "QEMU still holds cxl-pmem1"
log "device_add of cxl-pmem1 again"
qmp "$(backend cxl-mem1-again mem1.raw)" >&2 || fail "object-add of the memory refused"
qmp "$(backend cxl-lsa1-again lsa1.raw)" >&2 || fail "object-add of the LSA refused"
qmp "{\"execute\":\"device_add\",\"arguments\":{$memdev_dev}}" >&2 ||
	fail "device_add refused"
wait_until 180 on_cxl 1 || fail "cxlnicd did not bring NIC 1 back to CXL"
counter_grows 1 cxl_packets || fail "NIC 1 does not send on CXL after the return"
[ "$(nic_field 1 .stats.reattaches)" -ge 1 ] || fail "reattaches not counted"
on_cxl 0 || fail "NIC 0 not on CXL"
ok "memdev added again: cxlnicd brought NIC 1 back to CXL by itself"
daemon_stop
