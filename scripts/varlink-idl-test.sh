#!/bin/bash
# The interface descriptions cxlnicd serves on its control socket
# (io.cxlnic.Daemon and org.varlink.service), checked by systemd 257's
# own parser: `varlinkctl validate-idl`, from the Debian 13 root (Debian
# 12's systemd has no varlinkctl).  The daemon-control vm test then
# introspects and calls cxlnicd with the same varlinkctl.
#   varlink-idl-test.sh VARLINK-DESCRIBE
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/debian13.sh
. "$src/scripts/debian13.sh"
# shellcheck source=scripts/lint-skip.sh
. "$(dirname "$0")/lint-skip.sh"
[ -x "$D13_ROOT/usr/bin/varlinkctl" ] ||
	skip "no varlinkctl in $D13_ROOT (scripts/setup.sh)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$1" "$tmp" >"$tmp/list"
[ "$(wc -l <"$tmp/list")" -eq 2 ] ||
	{ echo "FAIL: not two interfaces: $(cat "$tmp/list")"; exit 1; }
while read -r f; do
	echo "== varlinkctl validate-idl $(basename "$f")"
	d13_varlinkctl validate-idl "$f" >/dev/null ||
		{ cat -n "$f"; echo "FAIL: $(basename "$f")"; exit 1; }
done <"$tmp/list"
echo "OK: $(d13_varlinkctl --version | head -n 1) takes both"
