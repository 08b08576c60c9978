#!/bin/bash
# cxlnicd under systemd (vmrun --systemd): the unit as meson installs it,
# hardened, enabled, with cxlnic's udev rules.  After boot the service is
# active and answers; a configuration and a reload put both NICs on CXL; a
# SIGKILL and a stuck event loop (watchdog) make systemd restart it with its
# state kept; a stopped daemon is started by udev when a CXL piece returns,
# but not while paused or masked;
# libndctl's namespace scan works within the sandbox; the socket unit
# activates it.  The journal has its fields, and MESSAGE_IDs as cxlnicd(8)
# lists them.
. "$(dirname "$0")/../lib/cxlnic.sh"

[ "${VMRUN_SYSTEMD:-}" = 1 ] || fail "run this through vmrun --systemd"
[ "$(cat /proc/1/comm)" = systemd ] || fail "PID 1 is not systemd"

prop() { systemctl show -p "$1" --value cxlnicd; }
active() { [ "$(systemctl is-active "${1:-cxlnicd}")" = active ]; }
both_on_cxl() { on_cxl 0 && on_cxl 1; }
on_pci() { [ "$(nic_mode "$1" 2>/dev/null)" = pci ]; }
restarted() { [ "$(prop NRestarts)" -gt "$1" ] && active && [ "$(prop MainPID)" != "$2" ]; }
trap 'journalctl -u cxlnicd -u cxlnicd.socket --no-pager -o short-monotonic | tail -n 60' EXIT

state=$(timeout 300 systemctl is-system-running --wait || true)
log "boot done: $state"
systemctl --failed --no-pager --plain --no-legend >&2 || true
wait_until 60 active || fail "cxlnicd.service is $(systemctl is-active cxlnicd) after boot"
[ "$(prop Type)" = notify ] || fail "Type is not notify"
[ "$(prop WatchdogUSec)" = 30s ] || fail "WatchdogSec is $(prop WatchdogUSec)"
[ "$(prop CapabilityBoundingSet)" = cap_net_admin ] ||
	fail "bounding set: $(prop CapabilityBoundingSet)"
"$CTL" status >&2 || fail "cxlnicctl status: no answer from the service"
ok "after boot cxlnicd.service is active (hardened) and answers cxlnicctl status"
log "exposure: $(systemd-analyze security cxlnicd.service --no-pager | tail -n 1)"

load_cxl
wait_until 60 nics_ready || fail "emulated NICs did not register"
mkdir -p /etc/cxlnic
write_daemon_conf /etc/cxlnic/cxlnicd.conf
systemctl reload cxlnicd || fail "systemctl reload failed"
active || fail "cxlnicd not active after a reload"
journalctl -u cxlnicd --no-pager | grep -q 'Reloaded cxlnicd.service\|reload' ||
	fail "no reload in the journal"
wait_until 180 both_on_cxl || fail "NICs not on CXL after the configuration and a reload"
ok "systemctl reload took the configuration in: both NICs on CXL"
cp /etc/cxlnic/cxlnicd.conf /tmp/good.conf
printf 'on_loss = sometimes\n' >>/etc/cxlnic/cxlnicd.conf
systemctl reload cxlnicd 2>/dev/null && fail "systemctl reload of a broken configuration succeeded"
active || fail "cxlnicd not active after a refused reload"
journalctl -u cxlnicd --no-pager | grep -q 'cxlnicd.conf:[0-9]*: on_loss' ||
	fail "the refused reload's line is not in the journal"
cp /tmp/good.conf /etc/cxlnic/cxlnicd.conf
ok "systemctl reload of a broken configuration fails, with its line in the journal"
"$CTL" list --json | jq -c '.[] | {pci_addr, mode}' >&2

[ -s /run/cxlnicd/state.json ] || fail "no state file in /run/cxlnicd"
restarts=$(prop NRestarts) pid=$(prop MainPID)
kill -9 "$pid"
wait_until 60 restarted "$restarts" "$pid" || fail "systemd did not restart cxlnicd after SIGKILL"
[ -s /run/cxlnicd/state.json ] || fail "the state file did not survive the restart"
wait_until 60 both_on_cxl || fail "NICs not on CXL after the restart"
"$CTL" status >&2 || fail "cxlnicctl status after the restart"
ok "kill -9: systemd restarted cxlnicd (NRestarts $restarts -> $(prop NRestarts)), state kept, NICs on CXL"

# A daemon whose event loop stops (SIGSTOP: no more watchdog pings).
restarts=$(prop NRestarts) pid=$(prop MainPID)
kill -STOP "$pid"
wait_until 120 restarted "$restarts" "$pid" || fail "the watchdog did not restart a stuck cxlnicd"
journalctl -u cxlnicd --no-pager | grep -q 'Watchdog timeout' || fail "no watchdog timeout in the journal"
wait_until 60 both_on_cxl || fail "NICs not on CXL after the watchdog restart"
ok "a stuck cxlnicd: the watchdog (WatchdogSec=30s) had systemd restart it, NICs on CXL"

# Stop means stop (cxlnicd(8), MAINTENANCE): with the pause flag, or the
# unit masked for this boot, the add events that start a stopped daemon
# (below, without either) leave it stopped.
cxl_events() {
	udevadm trigger --action=add --subsystem-match=cxl
	udevadm settle -t 60 || true
	sleep 3		# a start udev asked for is a queued job by now
}
stays_stopped() {
	cxl_events
	! active || fail "$1: udev started cxlnicd"
	[ "$(systemctl list-jobs --no-legend cxlnicd.service | wc -l)" = 0 ] ||
		fail "$1: a start of cxlnicd is queued"
}
touch /run/cxlnicd/paused
systemctl stop cxlnicd
stays_stopped "paused"
rm /run/cxlnicd/paused
systemctl mask --runtime cxlnicd.service || fail "systemctl mask --runtime"
stays_stopped "masked --runtime"
systemctl unmask --runtime cxlnicd.service || fail "systemctl unmask --runtime"
ok "stopped with /run/cxlnicd/paused, or masked for this boot: udev's add events leave cxlnicd stopped"
cxl_events
wait_until 60 active || fail "without the flag, udev's add events did not start cxlnicd"
ok "the flag removed and the unit unmasked, the same events start it"

systemctl stop cxlnicd
[ "$(prop Result)" = success ] || fail "stop: Result=$(prop Result)"
[ -d /run/cxlnicd ] || fail "/run/cxlnicd removed on stop (RuntimeDirectoryPreserve)"
rmmod cxl_acpi
wait_until 30 on_pci 0 || fail "NIC 0 did not fall back to PCI"
wait_until 30 on_pci 1 || fail "NIC 1 did not fall back to PCI"
udevadm settle -t 60 || true
active && fail "cxlnicd started while the CXL root was gone"
ok "stopped cxlnicd, cxl_acpi removed: the kernel put both NICs on PCI"
modprobe cxl_acpi
wait_until 90 active || fail "udev did not start cxlnicd when CXL returned"
wait_until 240 both_on_cxl || fail "NICs not back on CXL after cxl_acpi returned"
ok "cxl_acpi back: udev started cxlnicd (SYSTEMD_WANTS), both NICs on CXL"

# The journal's fields: each recovery has the MESSAGE_ID cxlnicd(8) lists,
# its NIC and its duration; no entry of cxlnicd has an empty CXLNIC_*
# field or a duration of -1.
man8=$(cd "$(dirname "$0")/../../.." && pwd)/man/cxlnicd.8
id=$(sed -n '/^\.B recovered$/{n;s/^MESSAGE_ID=//p}' "$man8")
[ -n "$id" ] || fail "cxlnicd(8) lists no MESSAGE_ID for recovered"
journalctl -u cxlnicd -o json --no-pager "MESSAGE_ID=$id" |
	jq -s -e --arg p "$(nic_pci 0)" 'any(.[]; .CXLNIC_NIC == $p and
		.CXLNIC_STEP == "recovered" and
		(.CXLNIC_DURATION_MS | tonumber) >= 0)' >/dev/null ||
	fail "no journal entry MESSAGE_ID=$id for NIC 0's recovery: $(journalctl -u cxlnicd -o json --no-pager | grep -c CXLNIC_STEP) entries with a step"
journalctl -u cxlnicd -o json --no-pager |
	jq -s -e 'all(.[]; .CXLNIC_NIC != "" and .CXLNIC_STEP != "" and
		.CXLNIC_DURATION_MS != "-1")' >/dev/null ||
	fail "journal entries with empty fields: $(journalctl -u cxlnicd -o json --no-pager | jq -c 'select(.CXLNIC_NIC == "" or .CXLNIC_STEP == "" or .CXLNIC_DURATION_MS == "-1") | .MESSAGE' | head -n 3)"
ok "the journal: NIC 0's recovery under MESSAGE_ID=$id with its NIC and duration; no empty field"

# dax = none under the hardened unit (no block device may be opened):
# libndctl's scan sees an operator's namespace on a NIC's region, and the
# NIC waits for it to go.
pci0=$(nic_pci 0)
nd=$(nd_region_of_nic 0)
"$CTL" detach "$pci0"
ndctl create-namespace -m devdax -r "$nd" >/dev/null ||
	fail "no devdax namespace on NIC 0's region once on PCI"
"$CTL" recover "$pci0" >/dev/null 2>&1 || true
waits_for_dax() {
	[ "$("$CTL" status "$pci0" --json | jq -r .waiting_for)" = dax ]
}
wait_until 60 waits_for_dax || fail "NIC 0 not waiting for dax: $("$CTL" status "$pci0" --json)"
ndctl destroy-namespace -f all -r "$nd" >/dev/null
wait_until 60 on_cxl 0 || fail "NIC 0 not back on CXL once the namespace went"
ok "dax = none under the unit: an operator's namespace seen, waited for, NIC 0 back on CXL"

# Metrics under the hardened unit: a textfile directory of one's own takes
# the drop-in cxlnicd.conf(5) describes, then the file parses and matches.
metrics=/run/cxlnic-metrics
mkdir -p $metrics /run/systemd/system/cxlnicd.service.d
printf '[Service]\nReadWritePaths=%s\n' $metrics \
	>/run/systemd/system/cxlnicd.service.d/metrics.conf
printf '\n[metrics]\ntextfile_dir = %s\ninterval_s = 1\n' $metrics \
	>>/etc/cxlnic/cxlnicd.conf
systemctl daemon-reload
systemctl restart cxlnicd || fail "restart with the metrics drop-in"
wait_until 60 both_on_cxl || fail "NICs not on CXL after the restart"
wait_until 30 test -s $metrics/cxlnic.prom || fail "no metrics file under the unit"
sleep 2		# a refresh after the restart's own changes
"$CTL" list --json >/tmp/list.json
python3 "$(cd "$(dirname "$0")/../../.." && pwd)/tests/vm/tools/check-metrics.py" \
	$metrics/cxlnic.prom /tmp/list.json ||
	fail "metrics do not parse or do not match cxlnicctl list --json"
ok "metrics: with the drop-in the hardened unit writes them; they parse and match"

systemctl reload cxlnicd || fail "second reload"
"$CTL" history --count 5 >&2 || true
systemctl stop cxlnicd
systemctl start cxlnicd.socket
active cxlnicd.socket || fail "cxlnicd.socket did not start"
active && fail "cxlnicd running before anyone connected"
"$CTL" status >&2 || fail "cxlnicctl status through the socket unit"
wait_until 30 active || fail "the socket did not activate cxlnicd"
wait_until 60 both_on_cxl || fail "NICs not on CXL under socket activation"
ok "cxlnicd.socket: the first client started the daemon on the passed socket"
systemctl stop cxlnicd.socket cxlnicd
[ "$(prop Result)" = success ] || fail "final stop: Result=$(prop Result)"
trap - EXIT
ok "systemd: all checks passed"
