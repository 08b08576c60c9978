#!/bin/bash
# A generic netlink tool sees the family, its ops and its multicast group.
. "$(dirname "$0")/../lib/cxlnic.sh"

load_cxl
load_cxlnic
out=$(genl-ctrl-list -d)
# genl-ctrl-list -d: "0x0020 cxlnic version 1" then indented op and grp lines.
fam=$(printf '%s\n' "$out" | awk '/^0x[0-9a-f]+ cxlnic version 1$/ {on = 1; print; next}
	/^0x/ {on = 0} on')
printf '%s\n' "$fam"
[ -n "$fam" ] || fail "family cxlnic not listed"
for op in 0x01 0x02 0x03 0x04; do
	printf '%s\n' "$fam" | grep -Eq "^ +op .*\($op\) <.*has_doit" ||
		fail "op $op missing"
done
for op in 0x02 0x03 0x04; do
	printf '%s\n' "$fam" | grep -Eq "^ +op .*\($op\) <admin_perm" ||
		fail "op $op is not admin_perm"
done
printf '%s\n' "$fam" | grep -Eq "^ +op .*\(0x01\) <.*has_dump" ||
	fail "dev-get has no dump"
printf '%s\n' "$fam" | grep -Eq "^ +grp monitor " ||
	fail "multicast group monitor missing"
ok "genl-ctrl-list shows cxlnic with its ops and the monitor group"
