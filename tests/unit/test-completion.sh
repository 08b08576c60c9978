#!/bin/bash
# The bash completion: commands, options per command, NICs from
# `cxlnicctl list` (a stand-in prints the table), policy keys and values
# (generated from cxlnicd's table: $1 is the built completion).
set -euo pipefail
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/cxlnicctl" <<'FAKE'
#!/bin/sh
printf 'ID  NIC          DRIVER      MODE REGION     SIZE   CXL-PKTS   PCI-PKTS  LOSS\n'
printf '1   0000:00:06.0 cxlnic_sim  cxl  region0    256M        10          0     0\n'
printf '2   0000:00:07.0 cxlnic_sim  pci  -             -         0          5     1\n'
FAKE
chmod +x "$dir/cxlnicctl"
PATH=$dir:$PATH
. "$1"

complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_cxlnicctl
	echo "${COMPREPLY[*]}"
}
expect() {
	local want=$1 got
	shift
	got=$(complete_words "$@")
	[ "$got" = "$want" ] || { echo "FAIL: '$*' -> '$got', expected '$want'"; exit 1; }
}
expect "history help" cxlnicctl h
expect "0000:00:06.0 0000:00:07.0" cxlnicctl show ""
expect "cxl" cxlnicctl mode 0000:00:06.0 c
expect "--json --count --timeout" cxlnicctl monitor -
expect "--json --timeout" cxlnicctl status -
expect "--json" cxlnicctl show -
expect "on_loss" cxlnicctl policy 0000:00:06.0 on
expect "fallback unbind none default" cxlnicctl policy 0000:00:06.0 on_loss ""
expect "auto manual default" cxlnicctl policy 0000:00:06.0 recovery ""
expect "none any default" cxlnicctl policy 0000:00:06.0 dax ""
expect "any host-only device-coherent default" cxlnicctl policy 0000:00:06.0 decoder_mode ""
expect "max_attempts memdev_serial" cxlnicctl policy 0000:00:06.0 m
expect "default" cxlnicctl policy 0000:00:06.0 grace_ms ""
expect "" cxlnicctl list x
expect "recover reload" cxlnicctl re
expect "--json --timeout" cxlnicctl reload -
expect "--memdev --mode" cxlnicctl list --m
expect "off pci cxl" cxlnicctl list --mode ""
expect "cooperating" cxlnicctl list --kind c
expect "on-cxl on-pci" cxlnicctl list -v --state on
echo "completion: all cases pass"
