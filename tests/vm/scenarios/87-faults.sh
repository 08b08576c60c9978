#!/bin/bash
# Fault injection in cxlnicd: with each named failure point switched on (a
# failing sysfs write, a failing libcxl call, a failing netlink request, an
# unwritable state file),
# and with a crash right after each recorded step of a recovery (and in the
# middle of the PCI reset) followed
# by a restart, a memdev loss still ends with NIC 0 back on CXL: never
# stuck, never left unbound, no region made twice.
. "$(dirname "$0")/../lib/cxlnic.sh"

conf=/tmp/cxlnicd.conf
load_cxl
load_cxlnic
write_daemon_conf $conf

# One region per memdev and nothing decommitted left over.
regions_sane() {
	local r md
	for r in /sys/bus/cxl/devices/region*; do
		[ -e "$r" ] || continue
		[ "$(cat "$r/commit")" = 1 ] || fail "$(basename "$r") left decommitted"
	done
	for nic in 0 1; do
		md=$(memdev_of_nic $nic)
		[ "$(regions_of_memdev "$md" | wc -l)" -eq 1 ] ||
			fail "$(regions_of_memdev "$md" | wc -l) regions on $md"
	done
}

for faults in sysfs-write:3 libcxl:2 netlink:2; do
	log "--- CXLNICD_FAULTS=$faults"
	CXLNICD_FAULTS=$faults daemon_start $conf
	# The faults may have hit the start already; whatever is left, the
	# recovery meets.
	pull_piece memdev 0
	wait_until 20 counter_above 0 fallbacks 0 || fail "$faults: no fallback"
	wait_until 180 on_cxl 0 || fail "$faults: NIC 0 not back on CXL"
	grep -q "fault injected: ${faults%%:*} fails" /tmp/cxlnicd.log ||
		fail "$faults: no fault was injected"
	regions_sane
	daemon_stop
	ok "$faults: recovered through the failures"
done

# state-write: with the state file unwritable, the steps a crash must not
# leave half-done are refused (an unbind under on_loss = unbind here), and
# said; the NIC stays registered on PCI.  Once it can be written, the
# unbind policy takes its course and the NIC is back on CXL.
log "--- CXLNICD_FAULTS=state-write:1000, on_loss = unbind"
write_daemon_conf /tmp/unbind.conf "on_loss = unbind"
CXLNICD_FAULTS=state-write:1000 daemon_start /tmp/unbind.conf
pull_piece memdev 0
wait_until 20 grep -q "unbind-nic refused: its intent could not be recorded" /tmp/cxlnicd.log ||
	fail "state-write: no refused unbind-nic in the log"
sleep 2
"$CTL" show "$(nic_pci 0)" >/dev/null 2>&1 || fail "state-write: NIC 0 unbound without a record"
expect_mode 0 pci
daemon_stop
daemon_start /tmp/unbind.conf
regions_sane
daemon_stop
ok "state-write: the unbind was refused unrecorded, and taken once the state file could be written"

# reset-memdev-unbind: inside the reset, with cxl_pci unbound (no memdev
# left to find), which the restart must bind again from the state file.
# The reset follows a bind that the memdev's probe refused, which 6.1 does
# after every memdev unbind under a region and 6.12 and 7.3 never do: its
# two crash points are reachable on 6.1 only (an injected failure did not
# reach them on 7.3 either; open in issue 15).
# create-region-sized: inside a create-region, with the endpoint decoder's
# DPA taken and no target set: the restart deletes the region by the uuid
# recorded before and frees the DPA (free-dpa), or every later
# create-region would fail with ENOSPC.
steps="delete-stale-region bind-memdev create-region-sized create-region attach"
case $(uname -r) in
6.1.*) steps="delete-stale-region bind-memdev reset-memdev-unbind reset-memdev create-region-sized create-region attach" ;;
*) log "reset-memdev-unbind, reset-memdev: not reached on $(uname -r) (the bind is never refused)" ;;
esac
for step in $steps; do
	log "--- crash right after $step"
	faults=
	CXLNICD_FAULTS=$faults crash_in_recovery $step $conf
	daemon_start $conf
	regions_sane
	daemon_stop
	ok "crash after $step: the restarted cxlnicd finished the recovery"
done
