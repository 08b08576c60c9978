#!/bin/bash
# An unprivileged user can dump but gets EPERM on every mutating op;
# malformed requests are refused with EINVAL, ERANGE or ENODEV and an extack message.
. "$(dirname "$0")/../lib/cxlnic.sh"

NLPROBE=$B/tests/vm/tools/nlprobe

load_cxl
load_cxlnic
attach 0 "$(ensure_region 0)"

"$NLPROBE" || fail "malformed requests were not all refused properly"
ok "malformed requests refused with extack messages"

as_nobody "$NLPROBE" --expect-eperm || fail "unprivileged mutation not refused"
as_nobody "$CTL" list --json | jq -e 'length == 2' >/dev/null ||
	fail "unprivileged dump failed"
rc=0
as_nobody "$CTL" mode "$(nic_pci 0)" pci 2>/tmp/err || rc=$?
cat /tmp/err
[ $rc -eq 4 ] || fail "unprivileged mode change exit $rc, expected 4"
expect_mode 0 cxl
ok "unprivileged user reads, cannot change"
