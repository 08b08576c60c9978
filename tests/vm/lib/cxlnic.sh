# shellcheck shell=bash
# Helpers for the vm scenarios: sourced inside the guest, run as root.
# Everything here drives real parts: modprobe, cxl-cli, sysfs bind/unbind,
# and cxlnicctl talking to the kernel family over netlink.

set -euo pipefail

B=${CXLNIC_BUILD:?CXLNIC_BUILD must point at the meson build directory}
CTL=$B/cli/cxlnicctl
# The modules built for the running kernel: build/kernel for the host's,
# build/kernel/kernel-KVER for the Debian 13 kernels (scripts/build-kernels.sh).
KMOD=$B/kernel
if [ -d "$KMOD/kernel-$(uname -r)" ]; then
	KMOD=$KMOD/kernel-$(uname -r)
elif [ "$(modinfo -F vermagic "$KMOD/cxlnic.ko" 2>/dev/null | cut -d' ' -f1)" != "$(uname -r)" ]; then
	# Not the host's kernel either: say so, not "Invalid module format".
	echo "no cxlnic modules built for $(uname -r) in $B/kernel" \
		"(a kernel built after meson's configure: meson setup --reconfigure $B)" >&2
	exit 1
fi
# Serial numbers the bench gives the two cxl-type3 memdevs; NIC n pairs
# with memdev n.
MEMDEV_SERIALS=(4096 4097)

# shape [-s] FILTER: stdin (slurped with -s) matches the documented shape
# (shapes.jq, from docs/json.md).
shape() {
	local slurp=()
	[ "$1" = -s ] && { slurp=(-s); shift; }
	jq -e "${slurp[@]}" -L "${BASH_SOURCE[0]%/*}" "include \"shapes\"; $1" >/dev/null
}

log() { printf '[%(%T)T] %s\n' -1 "$*" >&2; }
fail() { log "FAIL: $*"; exit 1; }
ok() { log "ok: $*"; }

# stretched SECONDS: a time the guest takes to do something, in this
# guest.  The debug kernel (vmrun --kernel 7.3-debug sets VMRUN_SLOWDOWN)
# takes that many times longer to do anything.
stretched() { echo $(($1 * ${VMRUN_SLOWDOWN:-1})); }

# wait_until TIMEOUT_S CMD...: poll a condition the kernel reaches on its
# own, within a stretched TIMEOUT_S.
wait_until() {
	local deadline=$((SECONDS + $(stretched "$1")))
	shift
	until "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.2
	done
}

load_cxl() {
	local m
	for m in cxl_acpi cxl_pci cxl_port cxl_mem cxl_pmem; do
		modprobe "$m"
	done
	udevadm settle || true
	wait_until 60 memdevs_ready || fail "CXL memdevs did not come up"
}

memdevs_ready() {
	local n
	n=$(find /sys/bus/cxl/devices/ -maxdepth 1 -name 'mem*' | wc -l)
	[ "$n" -ge ${#MEMDEV_SERIALS[@]} ] &&
		compgen -G '/sys/bus/cxl/devices/root*' >/dev/null
}

load_cxlnic() {
	insmod "$KMOD/cxlnic.ko"
	insmod "$KMOD/cxlnic_sim.ko"
	wait_until 20 nics_ready || fail "emulated NICs did not register"
}

nics_ready() { [ "$("$CTL" list --json | jq 'length')" -ge 2 ]; }

# PCI address of emulated NIC number $1 (0-based, in PCI order).
nic_pci() {
	local i=0 d
	for d in /sys/bus/pci/devices/*; do
		[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1b36:0x0005 ] || continue
		if [ $i -eq "$1" ]; then
			basename "$d"
			return 0
		fi
		i=$((i + 1))
	done
	return 1
}

nic_sysfs() { echo "/sys/bus/pci/devices/$(nic_pci "$1")/cxlnic_sim"; }

# cxl list nests its output once disabled memdevs appear ("anon memdevs").
memdev_of_nic() {
	cxl list -M -i | jq -r --argjson s "${MEMDEV_SERIALS[$1]}" \
		'[.. | objects | select(.serial? == $s) | .memdev][0] // empty'
}

memdev_enabled() {
	local md
	md=$(memdev_of_nic "$1")
	[ -n "$md" ] && endpoint_of_memdev "$md" >/dev/null
}

endpoint_of_memdev() {
	local e
	for e in /sys/bus/cxl/devices/endpoint*; do
		[ -e "$e/uport" ] || continue
		if [ "$(basename "$(readlink -f "$e/uport")")" = "$1" ]; then
			basename "$e"
			return 0
		fi
	done
	return 1
}

# The switch port above endpoint $1: its parent port when that is not the
# host bridge's (a child of a root).
switch_port_of_endpoint() {
	local up
	up=$(dirname "$(readlink -f "/sys/bus/cxl/devices/$1")")
	case $(basename "$(dirname "$up")") in
	root*) return 1 ;;
	esac
	basename "$up"
}

# qmp JSON: one command to QEMU's monitor, through vmrun on the host (see
# serve_qmp there); prints QEMU's replies, fails on an error reply.
qmp() {
	local d=${VMRUN_SCRATCH:?not in a vmrun guest}
	rm -f "$d/qmp.reply"
	echo "$1" >"$d/qmp.request.tmp"
	mv "$d/qmp.request.tmp" "$d/qmp.request"
	wait_until 30 test -f "$d/qmp.reply" || fail "no QMP reply to $1"
	cat "$d/qmp.reply"
	! grep -q '"error"' "$d/qmp.reply"
}

# The memdev behind endpoint decoder $1.
memdev_of_decoder() {
	local ep
	ep=$(dirname "$(readlink -f "/sys/bus/cxl/devices/$1")")
	basename "$(readlink -f "$ep/uport")"
}

# Regions with memdev $1 among their targets.
regions_of_memdev() {
	local r t d
	for r in /sys/bus/cxl/devices/region*; do
		[ -e "$r" ] || continue
		for t in "$r"/target*; do
			d=$(cat "$t" 2>/dev/null) || continue
			[ -n "$d" ] || continue
			if [ "$(memdev_of_decoder "$d")" = "$1" ]; then
				basename "$r"
				break
			fi
		done
	done
}

# A fresh x1 pmem region on memdev $1, in whichever CXL window reaches it.
create_region() {
	local d out
	for d in $(cxl list -D -d root | jq -r '.[] | select(.pmem_capable) | .decoder'); do
		if out=$(cxl create-region -m -d "$d" -w 1 -t pmem "$1" 2>/dev/null) &&
			[ -n "$out" ]; then
			jq -r '.region' <<<"$out"
			return 0
		fi
	done
	fail "no root decoder could make a region on $1"
}

nic_json() { "$CTL" show "$(nic_pci "$1")" --json; }
nic_field() { nic_json "$1" | jq -r "$2"; }
nic_mode() { nic_field "$1" .mode; }

# Attach NIC $1 to region $2 of its paired memdev.
attach() {
	"$CTL" attach "$(nic_pci "$1")" "$2" --memdev "$(memdev_of_nic "$1")"
}

tx_start() {
	echo "${2:-2000}" >"$(nic_sysfs "$1")/tx_rate"
	echo 1 >"$(nic_sysfs "$1")/tx_enable"
}

tx_stop() { echo 0 >"$(nic_sysfs "$1")/tx_enable"; }

# Wait until a counter of NIC $1 grows past its current value.
counter_grows() {
	local nic=$1 key=$2 before
	before=$(nic_field "$nic" ".stats.$key")
	wait_until 20 counter_above "$nic" "$key" "$before"
}

counter_above() { [ "$(nic_field "$1" ".stats.$2")" -gt "$3" ]; }

expect_mode() {
	local got
	got=$(nic_mode "$1")
	[ "$got" = "$2" ] || fail "NIC $1 mode is $got, expected $2"
}

# Make memdev $1 usable again after an unbind.  On 6.1 cxl_mem often
# refuses to bind again (the device's HDM decoder stays committed with zero
# size): then reset its PCI function under a fresh cxl_pci probe.
rebind_memdev() {
	local md=$1 host
	destroy_stale_regions
	echo "$md" >/sys/bus/cxl/drivers/cxl_mem/bind 2>/dev/null && return 0
	host=$(basename "$(readlink -f "/sys/bus/cxl/devices/$md/..")")
	log "cxl_mem bind of $md refused; resetting PCI function $host"
	echo "$host" >/sys/bus/pci/drivers/cxl_pci/unbind
	echo 1 >"/sys/bus/pci/devices/$host/reset"
	echo "$host" >/sys/bus/pci/drivers/cxl_pci/bind
}

# Regions left decommitted by a teardown hold HPA space and the host
# bridge's decoder: give them back.  cxl destroy-region refuses a region
# whose target decoder is gone; the root decoder's delete_region does not.
destroy_stale_regions() {
	local r rd
	for r in /sys/bus/cxl/devices/region*; do
		[ -e "$r" ] || continue
		[ "$(cat "$r/commit")" = 1 ] && continue
		r=$(basename "$r")
		log "destroying stale $r"
		cxl disable-region "$r" >/dev/null 2>&1 || true
		cxl destroy-region -f "$r" >/dev/null 2>&1 && continue
		rd=$(basename "$(dirname "$(readlink -f "/sys/bus/cxl/devices/$r")")")
		echo "$r" >"/sys/bus/cxl/devices/$rd/delete_region"
	done
}

# A committed, enabled region for NIC $1's memdev, made fresh if needed.
ensure_region() {
	local md r
	wait_until 60 memdevs_ready || fail "memdevs not back"
	destroy_stale_regions
	md=$(memdev_of_nic "$1")
	[ -n "$md" ] || fail "no memdev with serial ${MEMDEV_SERIALS[$1]}"
	if ! wait_until 10 endpoint_of_memdev "$md" >/dev/null; then
		rebind_memdev "$md"
		wait_until 30 memdev_enabled "$1" || fail "memdev of NIC $1 not back"
		md=$(memdev_of_nic "$1")
	fi
	for r in $(regions_of_memdev "$md"); do
		if [ "$(cat "/sys/bus/cxl/devices/$r/commit")" = 1 ]; then
			cxl enable-region "$r" >/dev/null 2>&1 || true
			echo "$r"
			return 0
		fi
		cxl disable-region "$r" >/dev/null 2>&1 || true
		cxl destroy-region -f "$r" >/dev/null 2>&1 || true
	done
	create_region "$md"
}

# Run `cxlnicctl monitor --json` in the background into $MON_LOG and return
# only once it provably receives events: it saw a mode flip we caused on
# attached NIC $1.
monitor_start() {
	MON_LOG=$(mktemp /tmp/monitor.XXXXXX)
	"$CTL" monitor --json >"$MON_LOG" 2>"$MON_LOG.err" &
	MON_PID=$!
	wait_until 20 monitor_live "$(nic_pci "$1")" ||
		fail "monitor never saw an event"
}

# Flip attached NIC $1 to PCI and back: two events we know must arrive.
monitor_live() {
	"$CTL" mode "$1" pci >/dev/null
	"$CTL" mode "$1" cxl >/dev/null
	sleep 0.2
	grep -q '"dev-change"' "$MON_LOG"
}

monitor_stop() {
	kill "$MON_PID" 2>/dev/null || true
	wait "$MON_PID" 2>/dev/null || true
}

# monitor_has JQ_FILTER: some event line matches.
monitor_has() {
	jq -c "select($1)" <"$MON_LOG" 2>/dev/null | grep -q .
}

# Counter $2 of NIC $1 stays put over a second: nothing writes there.
counter_still() {
	local a b
	a=$(nic_field "$1" ".stats.$2")
	sleep 1
	b=$(nic_field "$1" ".stats.$2")
	[ "$a" = "$b" ]
}

on_cxl() { [ "$(nic_mode "$1" 2>/dev/null)" = cxl ]; }

# A cxlnicd.conf at $1 pairing each NIC with its memdev by serial; further
# arguments are extra lines for [defaults].
write_daemon_conf() {
	local file=$1 nic
	shift
	{
		printf '[defaults]\ngrace_ms = 100\nbackoff_ms = 200\n'
		[ $# -eq 0 ] || printf '%s\n' "$@"
		for nic in 0 1; do
			printf '\n[nic %s]\nmemdev_serial = %s\n' \
				"$(nic_pci $nic)" "${MEMDEV_SERIALS[$nic]}"
		done
	} >"$file"
}

# pull_piece KIND NIC: take one piece of NIC's CXL chain away, the way an
# administrator or a failing device would.  Sets PIECE to the kind of
# piece the kernel must name as lost.
pull_piece() {
	local md ep region
	md=$(memdev_of_nic "$2")
	case $1 in
	memdev)
		echo "$md" >/sys/bus/cxl/drivers/cxl_mem/unbind
		PIECE=memdev ;;
	region)
		region=$(nic_field "$2" .region.name)
		cxl disable-region "$region" >/dev/null
		PIECE=region ;;
	port)
		ep=$(endpoint_of_memdev "$md")
		echo "$ep" >/sys/bus/cxl/drivers/cxl_port/unbind
		PIECE=endpoint ;;
	acpi)
		rmmod cxl_acpi
		PIECE=root ;;
	*)
		fail "unknown piece kind $1" ;;
	esac
}

# The newest cxlnicd history sequence number, to look at what came after.
history_seq() { "$CTL" history --count 1 --json | jq '.[0].seq // 0'; }

# history_since SEQ NIC: cxlnicd's actions on NIC after SEQ, as "what:ok".
history_since() {
	"$CTL" history "$2" --json | jq -r --argjson s "$1" \
		'.[] | select(.seq > $s and .kind == "action") | "\(.what):\(.ok)"'
}

# cxlnicd's word for where NIC $1 is: on-cxl, waiting, unbound, held, ...
daemon_state() { "$CTL" status "$1" --json | jq -r .state; }

# daemon_start CONF [ARGS...]: run cxlnicd from the build with CONF, its
# log in /tmp/cxlnicd.log (printed if the scenario fails), and wait until it
# has put both NICs on CXL.  Its pid is in $DAEMON_PID.
daemon_start() {
	local conf=$1 nic
	shift
	"$B/daemon/cxlnicd" -c "$conf" "$@" >/tmp/cxlnicd.log 2>&1 &
	DAEMON_PID=$!
	trap 'kill -CONT $DAEMON_PID 2>/dev/null; kill $DAEMON_PID 2>/dev/null; cat /tmp/cxlnicd.log' EXIT
	for nic in 0 1; do
		wait_until 90 on_cxl $nic || fail "cxlnicd did not put NIC $nic on CXL"
	done
}

# The nvdimm region over the CXL region on NIC $1's memdev (there while
# the NIC is off it too): the one at its base address.
nd_region_of_nic() {
	local region base nd
	region=$(regions_of_memdev "$(memdev_of_nic "$1")" | head -n 1)
	[ -n "$region" ] || fail "no CXL region on NIC $1's memdev"
	base=$(cat /sys/bus/cxl/devices/"$region"/resource)
	for nd in /sys/bus/nd/devices/region*; do
		[ "$(cat "$nd/resource")" = "$base" ] || continue
		basename "$nd"
		return
	done
	fail "no nvdimm region at $region's base $base"
}

# The active namespaces on NIC $1's region, as ndctl lists them (it prints
# nothing for none).
namespaces_of_nic() {
	ndctl list -N -r "$(nd_region_of_nic "$1")" | jq -sc 'add // []'
}

# crash_in_recovery STEP CONF: run cxlnicd with CONF set to die like
# kill -9 at STEP (CXLNICD_CRASH_AFTER), pull NIC 0's memdev so that it
# recovers, and wait until it died so.
crash_in_recovery() {
	local step=$1 pid rc=0
	CXLNICD_CRASH_AFTER=$step "$B/daemon/cxlnicd" -c "$2" >/tmp/crash.log 2>&1 &
	pid=$!
	sleep 1
	pull_piece memdev 0
	timeout 120 tail --pid=$pid -f /dev/null || fail "$step: cxlnicd did not crash"
	wait $pid || rc=$?
	[ $rc -eq 137 ] || { cat /tmp/crash.log; fail "$step: exit $rc, expected 137"; }
}

# daemon_stop: SIGTERM, which must end it with status 0.
daemon_stop() {
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "cxlnicd exit $? on SIGTERM"
	trap - EXIT
}

# as_user USER GROUP CMD...: run CMD as USER (a name or any number) in
# GROUP alone, with no capabilities at all.
as_user() {
	local user=$1 group=$2
	shift 2
	setpriv --reuid="$user" --regid="$group" --clear-groups \
		--inh-caps=-all --bounding-set=-all -- "$@"
}

# Run a command as nobody/nogroup with no capabilities at all.
as_nobody() { as_user nobody nogroup "$@"; }

# expect_exit CODE PATTERN CMD...: CMD fails with CODE, says PATTERN in
# one line on stderr, and prints nothing on stdout.
expect_exit() {
	local code=$1 pattern=$2 rc=0
	shift 2
	"$@" >/tmp/out 2>/tmp/err || rc=$?
	cat /tmp/err >&2
	[ $rc -eq "$code" ] || fail "'$*': exit $rc, expected $code"
	[ "$(wc -l </tmp/err)" -eq 1 ] || fail "'$*': not one line on stderr"
	grep -q -- "$pattern" /tmp/err || fail "'$*' does not say '$pattern'"
	[ ! -s /tmp/out ] || fail "'$*' printed on stdout too"
}
