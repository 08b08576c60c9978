#!/bin/bash
# A generic netlink tool sees the family, its ops and its multicast group.
. "$(dirname "$0")/../lib/cxlnic.sh"

load_cxl
load_cxlnic
out=$(genl-ctrl-list -d)
fam=$(printf '%s\n' "$out" | sed -n '/^cxlnic /,/^[^ \t]/p')
printf '%s\n' "$fam"
[ -n "$fam" ] || fail "family cxlnic not listed"
for op in 0x1 0x2 0x3 0x4; do
	printf '%s\n' "$fam" | grep -q "op .*<$op>\|$op" || fail "op $op missing"
done
printf '%s\n' "$fam" | grep -q "monitor" || fail "multicast group monitor missing"
ok "genl-ctrl-list shows cxlnic with its ops and the monitor group"
