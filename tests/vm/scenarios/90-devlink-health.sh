#!/bin/bash
# The "cxl" devlink health reporter of each emulated NIC: healthy on CXL,
# error with a dump after a memdev loss, recover refused while the memdev is
# gone and naming it, recover back to CXL once the chain is rebuilt; a
# re-attach by region-attach (cxlnicd's way) counts as a recovery too; the
# modules unload cleanly with reporters present.
. "$(dirname "$0")/../lib/cxlnic.sh"

command -v devlink >/dev/null || fail "devlink (iproute2) not installed"

# reporter NIC: the cxl reporter of NIC $1 as devlink -j health show says.
reporter() {
	devlink -j health show | jq -c --arg d "pci/$(nic_pci "$1")" \
		'.health[$d][]? | select(.reporter == "cxl")'
}
rep_field() { reporter "$1" | jq -r "$2"; }
rep_is() { [ "$(rep_field "$1" .state)" = "$2" ]; }

# The object devlink prints for diagnose or dump show: the one with "mode".
fmsg_obj() { jq -c 'first(.. | objects | select(has("mode")))'; }
diagnose() {
	devlink -j health diagnose "pci/$(nic_pci "$1")" reporter cxl | fmsg_obj
}
dump() {
	devlink -j health dump show "pci/$(nic_pci "$1")" reporter cxl | fmsg_obj
}
recover() { devlink health recover "pci/$(nic_pci "$1")" reporter cxl; }

# check WHAT [JQ ARGS...] FILTER: the filter holds on the JSON on stdin.
check() {
	local what=$1 json
	shift
	json=$(cat)
	jq -e "$@" >/dev/null <<<"$json" || {
		log "$json"
		fail "$what"
	}
}

load_cxl
load_cxlnic
devlink -j health show
for nic in 0 1; do
	[ -n "$(reporter $nic)" ] || fail "NIC $nic has no cxl reporter"
	rep_is $nic healthy || fail "NIC $nic reporter not healthy at start"
	[ "$(rep_field $nic .error)" -eq 0 ] || fail "NIC $nic error_count not 0"
done
ok "each NIC has a healthy cxl reporter"

region=$(ensure_region 0)
attach 0 "$region"
tx_start 0
counter_grows 0 cxl_packets || fail "no CXL traffic"
md=$(memdev_of_nic 0)
diagnose 0 | check "diagnose on CXL" --arg r "$region" '
	.mode == "cxl" and .attached == true and .lost == false and
	.region.name == $r and .region.base > 0 and .region.size > 0 and
	.stats.cxl_packets > 0 and .stats.fallbacks == 0 and
	.stats.reattaches == 0 and
	any(.pieces[]; .kind == "memdev" and .state == "bound" and
	    .serial == 4096) and
	any(.pieces[]; .kind == "region" and .name == $r)'
rep_is 0 healthy || fail "reporter not healthy on CXL"
ok "diagnose on CXL: mode, region $region, pieces, counters"

log "unbinding $md from cxl_mem"
echo "$md" >/sys/bus/cxl/drivers/cxl_mem/unbind
expect_mode 0 pci
wait_until 20 rep_is 0 error || fail "reporter not in error after the loss"
[ "$(rep_field 0 .error)" -eq 1 ] || fail "error_count $(rep_field 0 .error), expected 1"
[ "$(rep_field 0 .recover)" -eq 0 ] || fail "recovery_count moved on a loss"
devlink health show "pci/$(nic_pci 0)" reporter cxl
devlink -j health dump show "pci/$(nic_pci 0)" reporter cxl
diagnose 0 | check "diagnose after the loss" '
	.mode == "pci" and .attached == false and .lost == true and
	.loss_reason == "piece-unbound" and .loss_piece.kind == "memdev" and
	.stats.fallbacks == 1 and
	any(.pieces[]; .kind == "memdev" and .state != "bound")'
dump 0 | check "dump of the loss" --arg r "$region" --arg m "$md" '
	.mode == "pci" and .lost == true and .loss_reason == "piece-unbound" and
	.loss_piece.kind == "memdev" and .loss_piece.name == $m and
	.region.name == $r and .region.base > 0 and .region.size > 0 and
	.stats.fallbacks == 1 and .stats.cxl_packets > 0 and
	any(.pieces[]; .kind == "memdev" and .name == $m and
	    .state == "present")'
ok "loss: error, error_count 1, diagnose and dump name the memdev"

if recover 0 2>/tmp/recover.err; then
	fail "recover succeeded while the memdev is gone"
fi
cat /tmp/recover.err >&2
grep -q "CXL memdev missing" /tmp/recover.err ||
	fail "recover's error does not name the memdev"
rep_is 0 error || fail "reporter left error after a failed recover"
ok "recover while the memdev is gone fails and names it"

rebind_memdev "$md"
# NIC 1's memdev takes a region too.  The memdev comes back under another
# name after the reset and the region names are the CXL core's choice:
# recover takes a region only if it stands on the memdev with NIC 0's serial.
old_region=$region
other=$(ensure_region 1)
region=$(ensure_region 0)
log "chain rebuilt: memdev $(memdev_of_nic 0) $region (was $old_region), NIC 1's memdev $other"
recover 0 || fail "recover failed after the memdev returned"
rep_is 0 healthy || fail "reporter not healthy after recover"
[ "$(rep_field 0 .recover)" -eq 1 ] || fail "recovery_count $(rep_field 0 .recover), expected 1"
expect_mode 0 cxl
counter_grows 0 cxl_packets || fail "no CXL traffic after recover"
diagnose 0 | check "diagnose after recover" --arg r "$region" '
	.mode == "cxl" and .region.name == $r and .stats.reattaches == 1 and
	any(.pieces[]; .kind == "memdev" and .serial == 4096 and
	    .state == "bound")'
ok "recover re-attached $region: healthy, recovery_count 1, CXL traffic"

# A re-attach from outside the reporter (cxlnicd's region-attach) counts
# as a recovery as well.
cxl disable-region "$region"
expect_mode 0 pci
wait_until 20 rep_is 0 error || fail "reporter not in error after region loss"
[ "$(rep_field 0 .error)" -eq 2 ] || fail "error_count $(rep_field 0 .error), expected 2"
if recover 0 2>/tmp/recover.err; then
	fail "recover succeeded while the region is disabled"
fi
grep -q "CXL region missing" /tmp/recover.err ||
	fail "recover's error does not name the region: $(cat /tmp/recover.err)"
cxl enable-region "$region" >/dev/null
attach 0 "$region"
expect_mode 0 cxl
wait_until 20 rep_is 0 healthy || fail "reporter not healthy after region-attach"
[ "$(rep_field 0 .recover)" -eq 2 ] || fail "recovery_count $(rep_field 0 .recover), expected 2"
ok "region-attach after a loss: healthy, recovery_count 2"

rep_is 1 healthy || fail "NIC 1 reporter disturbed"

# cxlnicd keeps the reporter's pace: a NIC lost again within the grace
# period of its last recovery goes back only when the period ends (the
# region is back long before), and each of its returns counts as the
# reporter's recovery.
devlink health set "pci/$(nic_pci 0)" reporter cxl grace_period 20000
[ "$(rep_field 0 .grace_period)" -eq 20000 ] || fail "grace_period not set"
write_daemon_conf /tmp/cxlnicd.conf "on_loss = fallback"
daemon_start /tmp/cxlnicd.conf -v
# lose_region_recovered_at_once WHEN: NIC 0's region pulled, the loss
# counted by the reporter, and cxlnicd has the NIC back with no wait for
# the grace period.  cxlnicd may have it back before a look at the mode:
# the reporter's error count shows the loss.
lose_region_recovered_at_once() {
	local seq errors
	seq=$(history_seq) errors=$(rep_field 0 .error)
	pull_piece region 0
	wait_until 20 eval '[ "$(rep_field 0 .error)" -gt "$errors" ]' ||
		fail "the reporter did not count the loss"
	wait_until 60 on_cxl 0 || fail "cxlnicd did not bring NIC 0 back $1"
	"$CTL" history "$(nic_pci 0)" --json | jq -e --argjson s "$seq" \
		'any(.[]; .seq > $s and .what == "grace-period") | not' >/dev/null ||
		fail "waited for the grace period $1"
}

recovered=$(rep_field 0 .recover)
lose_region_recovered_at_once "after the first loss"
wait_until 20 rep_is 0 healthy || fail "reporter not healthy after cxlnicd's recovery"
[ "$(rep_field 0 .recover)" -eq $((recovered + 1)) ] ||
	fail "cxlnicd's recovery not counted by the reporter"
ok "first loss: cxlnicd recovered at once; recovery_count $((recovered + 1))"

# The next loss must come within the reporter's grace period (20 s, its
# default) of that recovery, early enough for the wait to be seen.  On
# the debug kernel the steps from that recovery to the loss took 76 s
# (seen: with 20 s cxlnicd rightly recovered at once; with 80 s it waited
# 4 s, too short a window to check): there, twice the waits' stretch.
grace_ms=20000
if [ "${VMRUN_SLOWDOWN:-1}" -gt 1 ]; then
	grace_ms=$(($(stretched 40) * 1000))
	devlink health set "pci/$(nic_pci 0)" reporter cxl grace_period "$grace_ms"
fi
seq=$(history_seq)
pull_piece region 0
expect_mode 0 pci
wait_until 30 eval '[ "$("$CTL" status "$(nic_pci 0)" --json | jq -r .waiting_for)" = grace-period ]' ||
	fail "cxlnicd does not wait for the grace period: $("$CTL" status "$(nic_pci 0)" --json)"
"$CTL" history "$(nic_pci 0)" --json | jq -e --argjson s "$seq" --arg ms "$grace_ms" \
	'any(.[]; .seq > $s and .what == "grace-period" and
	     (.message | test("grace period of \($ms) ms")))' >/dev/null ||
	fail "no grace-period entry in the history"
[ "$(nic_field 0 .mode)" = pci ] || fail "NIC 0 went back within the grace period"
history_since "$seq" "$(nic_pci 0)" | grep -qx 'enable-region:true' ||
	fail "the region was not enabled again meanwhile: $(history_since "$seq" "$(nic_pci 0)")"
wait_until 60 on_cxl 0 || fail "NIC 0 not back after the grace period"
[ "$(rep_field 0 .recover)" -eq $((recovered + 2)) ] ||
	fail "the second recovery not counted by the reporter"
ok "lost again within $((grace_ms / 1000)) s: cxlnicd waited for the grace period, then recovered"

devlink health set "pci/$(nic_pci 0)" reporter cxl grace_period 0
[ "$(rep_field 0 .grace_period)" -eq 0 ] || fail "grace_period not set to 0"
lose_region_recovered_at_once "with grace_period 0"
ok "grace_period 0: cxlnicd recovered at once"
daemon_stop

rmmod cxlnic_sim
[ -z "$(devlink -j health show | jq -r '.health[]?[]? | select(.reporter == "cxl")')" ] ||
	fail "cxl reporters left after rmmod cxlnic_sim"
rmmod cxlnic
ok "modules unloaded with reporters present"
