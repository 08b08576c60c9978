#!/bin/bash
# A dump shows every emulated NIC; after cxl create-region and
# region-attach, CTPIO is on CXL and its counters grow.
. "$(dirname "$0")/../lib/cxlnic.sh"
. "$(dirname "$0")/../lib/ynl.sh"

load_cxl
load_cxlnic
"$CTL" list
n=$("$CTL" list --json | jq 'length')
[ "$n" -eq 2 ] || fail "dump shows $n NICs, expected 2"
for nic in 0 1; do
	expect_mode $nic pci
	[ "$(nic_field $nic .driver)" = cxlnic_sim ] || fail "driver name"
done
ok "dump shows both NICs on PCI"

for nic in 0 1; do
	region=$(ensure_region $nic)
	log "NIC $nic: memdev $(memdev_of_nic $nic), $region"
	gen=$(nic_field $nic .generation)
	attach $nic "$region"
	expect_mode $nic cxl
	[ "$(nic_field $nic .region.name)" = "$region" ] || fail "region name"
	[ "$(nic_field $nic .region.size)" -gt 0 ] || fail "region size"
	[ "$(nic_field $nic .generation)" -gt "$gen" ] || fail "generation did not grow"
	[ "$(nic_field $nic .decoder_mode)" = host-only ] ||
		fail "decoder mode $(nic_field $nic .decoder_mode), expected host-only"
	for kind in root port endpoint memdev decoder region; do
		nic_json $nic | jq -e --arg k $kind \
			'any(.pieces[]; .kind == $k)' >/dev/null ||
			fail "NIC $nic has no $kind piece"
	done
	tx_start $nic
	counter_grows $nic cxl_packets || fail "NIC $nic: CXL counters do not grow"
	ok "NIC $nic on CXL via $region, counters grow"
done
"$CTL" list -v

# Attaching the same region again changes nothing; another NIC's region is
# refused while attached.
attach 0 "$(nic_field 0 .region.name)"
expect_mode 0 cxl
if attach 0 "$(nic_field 1 .region.name)" 2>/dev/null; then
	fail "attach to a second region while attached was accepted"
fi
ok "re-attach is idempotent, a second region is refused"

# The kernel's own YNL tool, from the spec alone, sees what cxlnicctl sees
# and drives the family: dump, do, dev-set's policy as the spec has it,
# dev-set, and the monitor group's notifications decoded.
ynl_ready
h=$(nic_field 0 .handle)
ynl --dump dev-get >/tmp/ynl-dump || fail "ynl --dump dev-get: $(cat /tmp/ynl-dump)"
[ "$(jq length /tmp/ynl-dump)" = "$("$CTL" list --json | jq length)" ] ||
	fail "ynl's dump has $(jq length /tmp/ynl-dump) NICs, cxlnicctl's another count"
jq -e --argjson h "$h" --arg pci "$(nic_pci 0)" --arg r "$(nic_field 0 .region.name)" \
	'any(.[]; .handle == $h and .["pci-addr"] == $pci and .mode == "cxl" and
		.region == $r and .kind == "cooperating")' /tmp/ynl-dump >/dev/null ||
	fail "ynl's dump does not show NIC 0 on $(nic_field 0 .region.name): $(cat /tmp/ynl-dump)"
ynl --do dev-get --json "{\"handle\": $h}" >/tmp/ynl-do || fail "ynl --do dev-get: $(cat /tmp/ynl-do)"
jq -e --argjson p "$(nic_field 0 .pieces)" '.stats["cxl-packets"] > 0 and .pieces == $p' \
	/tmp/ynl-do >/dev/null ||
	fail "ynl's dev-get of NIC 0: not cxlnicctl's pieces, or no CXL packets: $(cat /tmp/ynl-do)"
want=$(ynl_spec_checks dev mode)
pol=$(ynl --policy --do dev-set) || fail "ynl --policy --do dev-set: $pol"
jq -e --argjson w "$want" '.mode["min-value"] == $w.min and .mode["max-value"] == $w.max' \
	<<<"$pol" >/dev/null ||
	fail "dev-set's policy in the kernel ($pol) is not the spec's checks ($want)"
ok "ynl: dump and do show NIC 0 on CXL; dev-set's policy is the spec's ($want)"

ynl --subscribe monitor --duration 120 >/tmp/ynl-ntf 2>&1 &
mon=$!
saw_user_change() {
	jq -se --argjson h "$h" 'any(.[]; .name == "dev-change-ntf" and
		.msg.handle == $h and .msg.mode == "pci" and
		.msg["prev-mode"] == "cxl" and .msg.reason == "user")' \
		/tmp/ynl-ntf >/dev/null 2>&1
}
# Until the monitor has joined the group (python starts slowly under TCG),
# a change goes unseen: make it again.
for _ in 1 2 3 4 5; do
	ynl --do dev-set --json "{\"handle\": $h, \"mode\": \"pci\"}" >/dev/null ||
		fail "ynl dev-set mode pci refused"
	expect_mode 0 pci
	ynl --do dev-set --json "{\"handle\": $h, \"mode\": \"cxl\"}" >/dev/null ||
		fail "ynl dev-set mode cxl refused"
	expect_mode 0 cxl
	wait_until 5 saw_user_change && break
done
kill "$mon" 2>/dev/null || true
wait "$mon" 2>/dev/null || true
saw_user_change || fail "ynl's monitor decoded no dev-change-ntf to pci by user: $(cat /tmp/ynl-ntf)"
if out=$(ynl --do dev-set --json "{\"handle\": $h, \"mode\": \"off\"}" 2>&1); then
	fail "ynl dev-set mode off was accepted"
fi
grep -q "bad-attr.*\.mode" <<<"$out" || fail "dev-set mode off not blamed on mode: $out"
expect_mode 0 cxl
ok "ynl: dev-set moves NIC 0 and back, its monitor decodes the change, mode off is refused: ${out%% \{*}"

# dev-set moves CTPIO between windows without touching the region.
"$CTL" mode "$(nic_pci 0)" pci
expect_mode 0 pci
counter_grows 0 pci_packets || fail "PCI counters do not grow after mode pci"
"$CTL" mode "$(nic_pci 0)" cxl
expect_mode 0 cxl
counter_grows 0 cxl_packets || fail "CXL counters do not grow after mode cxl"
"$CTL" detach "$(nic_pci 0)"
expect_mode 0 pci
[ "$(nic_field 0 '.region // empty')" = "" ] || fail "region kept after detach"
if "$CTL" mode "$(nic_pci 0)" cxl 2>/dev/null; then
	fail "mode cxl without a region was accepted"
fi
ok "mode and detach behave"

# A detach of a NIC with nothing attached changes nothing, so says nothing:
# the generation (one step per message) stays.
gen=$(nic_field 0 .generation)
"$CTL" detach "$(nic_pci 0)"
[ "$(nic_field 0 .generation)" = "$gen" ] ||
	fail "generation $gen -> $(nic_field 0 .generation) on a detach that changed nothing"
ok "a detach that changes nothing keeps generation $gen"

# A wrong memdev, endpoint or decoder name is blamed on its own attribute.
"$B/tests/vm/tools/nlprobe" --region "$(ensure_region 0)" ||
	fail "nlprobe --region: a wrong name was not blamed on its attribute"
ok "a wrong name in region-attach is blamed on its attribute"

# Two NICs writing into one range would corrupt each other's frames: the
# region NIC 1 is on is refused to NIC 0, with the reason.
rc=0
"$CTL" attach "$(nic_pci 0)" "$(nic_field 1 .region.name)" \
	--memdev "$(memdev_of_nic 1)" 2>/tmp/err || rc=$?
[ $rc -ne 0 ] && grep -q "another NIC's CTPIO is on that region" /tmp/err ||
	fail "NIC 0 on NIC 1's region: exit $rc, $(cat /tmp/err)"
expect_mode 0 pci
expect_mode 1 cxl
ok "another NIC's region is refused: $(cat /tmp/err)"

# What a NIC may write into (claim.c).  A paired NIC's request must name
# its memdev.
rc=0
"$CTL" attach "$(nic_pci 0)" "$(ensure_region 0)" 2>/tmp/err || rc=$?
[ $rc -ne 0 ] && grep -q "name it (memdev attribute)" /tmp/err ||
	fail "attach without the paired memdev: exit $rc, $(cat /tmp/err)"
expect_mode 0 pci
ok "attach without naming the paired memdev is refused: $(cat /tmp/err)"

# While NIC 1 is on its region, the range is claimed in the iomem tree:
# a namespace cannot start on it.
pci1=$(nic_pci 1)
claim=$(grep -F "cxlnic $pci1" /proc/iomem) ||
	fail "no iomem claim for NIC 1: $(grep -A3 'CXL Window' /proc/iomem)"
log "claim: $claim"
nd=$(nd_region_of_nic 1)
if ndctl create-namespace -m fsdax -r "$nd" >/tmp/ns 2>&1; then
	fail "an fsdax namespace started on NIC 1's region: $(cat /tmp/ns)"
fi
grep -q namespace /proc/iomem && fail "a namespace holds iomem: $(grep namespace /proc/iomem)"
ok "a namespace cannot start on an attached NIC's range"

# Off CXL, the claim is gone; a namespace then starts, and while it holds
# the range the NIC is refused it.
"$CTL" detach "$pci1"
grep -qF "cxlnic $pci1" /proc/iomem && fail "claim kept after detach"
ndctl destroy-namespace -f all -r "$nd" >/dev/null 2>&1 || true
ndctl create-namespace -m fsdax -r "$nd" >/tmp/ns 2>&1 ||
	fail "fsdax namespace on a free region: $(cat /tmp/ns)"
rc=0
attach 1 "$(ensure_region 1)" 2>/tmp/err || rc=$?
[ $rc -ne 0 ] && grep -q "range is in use" /tmp/err ||
	fail "attach over an fsdax namespace: exit $rc, $(cat /tmp/err)"
expect_mode 1 pci
ok "a region a namespace holds is refused: $(cat /tmp/err)"
ndctl destroy-namespace -f all -r "$nd" >/dev/null
attach 1 "$(ensure_region 1)"
expect_mode 1 cxl
ok "once the namespace is gone, NIC 1 is on CXL again"

# A driver op that unbinds a piece of its own NIC's chain, as a Type 2
# driver tearing its region down when it leaves CXL does, re-enters
# cxlnic's bus notifier from inside the op.  When ops ran under the lock
# every bus event takes, this region-detach deadlocked on itself; now the
# notifier leaves the NIC alone (it is leaving CXL already), and the
# region's unbind is not taken for a loss.
region=$(nic_field 1 .region.name)
fallbacks=$(nic_field 1 .stats.fallbacks)
echo "$region" >"$(nic_sysfs 1)/detach_releases"
timeout 120 "$CTL" detach "$pci1" ||
	fail "region-detach whose op unbinds its region: exit $?"
[ -e "/sys/bus/cxl/devices/$region/driver" ] &&
	fail "the op did not release the driver of $region"
expect_mode 1 pci
[ "$(nic_field 1 .last_reason)" = detach ] ||
	fail "reason $(nic_field 1 .last_reason) after region-detach, expected detach"
[ "$(nic_field 1 .stats.fallbacks)" = "$fallbacks" ] ||
	fail "the op's own unbind of $region counted as a loss"
cxl enable-region "$region" >/dev/null
attach 1 "$region"
expect_mode 1 cxl
ok "an op that unbinds its own region neither deadlocks nor counts as a loss"
