#!/bin/bash
# cxlnicd's control socket through cxlnicctl and raw: status, list, show,
# history, policy read and change at run time (kept in the state file and
# in force), recover, unbind and bind on request, monitor with cxlnicd's
# actions, malformed calls answered with an error while the daemon goes
# on, systemd 257's varlinkctl introspecting and calling it (from the
# Debian 13 root), SO_PEERCRED permissions, admission at accept (a
# non-reader refused at once, the per-user cap, busy, the idle timeout),
# and a broken reload that keeps the old configuration.
. "$(dirname "$0")/../lib/cxlnic.sh"

conf=/tmp/cxlnicd.conf
state=/run/cxlnicd/state.json
sock=/run/cxlnicd/control
# Varlink messages, each NUL-ended; the replies one per line.
raw() { printf '%s\0' "$@" | socat -t 5 - "UNIX-CONNECT:$sock" | tr '\0' '\n'; }
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=scripts/debian13.sh
. "$SRC/scripts/debian13.sh"
CONNS=$SRC/tests/vm/tools/ctl-conns.py
# The control socket's limits, as cxlnicd has them.
limit() { sed -n "s/^#define $1[[:space:]]*//p" "$SRC/daemon/control_proto.h"; }

load_cxl
load_cxlnic
pci0=$(nic_pci 0)
write_daemon_conf $conf

expect_exit 5 "cxlnicd is not running" "$CTL" status
expect_exit 5 "cxlnicd is not running" "$CTL" history
ok "without cxlnicd: one clear line, exit 5"

daemon_start $conf
daemon=$DAEMON_PID
# A second cxlnicd on the same state directory refuses to start and leaves
# the first one's socket and state alone.
rc=0
"$B/daemon/cxlnicd" -c $conf 2>/tmp/second.log || rc=$?
cat /tmp/second.log >&2
[ $rc -eq 1 ] || fail "a second cxlnicd: exit $rc, expected 1"
grep -q "another cxlnicd (pid $daemon) holds /run/cxlnicd/cxlnicd.lock" /tmp/second.log ||
	fail "the second cxlnicd does not name the first"
[ -S $sock ] && "$CTL" status >/dev/null || fail "the first cxlnicd lost its socket"
ok "a second cxlnicd refuses to start, naming the first; the first still answers"
"$CTL" status
"$CTL" status --json | jq -e '.nics == 2 and .on_cxl == 2 and .pid > 0' \
	>/dev/null || fail "status JSON"
"$CTL" history
"$CTL" history --json | jq -e --arg p "$pci0" 'any(.[]; .kind == "action" and
	.what == "attach" and .ok and .nic == $p and .duration_ms >= 0)' \
	>/dev/null || fail "history has no attach of NIC 0"
"$CTL" history "$pci0" --count 2 --json | jq -e --arg p "$pci0" \
	'length == 2 and all(.[]; .nic == $p)' >/dev/null ||
	fail "history NIC --count 2"
ok "status and history answer"

# systemd 257's varlinkctl, as a Debian 13 system has it: cxlnicd is a
# varlink service it can introspect and call.
vl=/tmp/vl
d13_varlinkctl info $sock | tee $vl.info
grep -q "Product: cxlnicd" $vl.info || fail "varlinkctl info: no product"
d13_varlinkctl list-interfaces $sock >$vl.ifaces
[ "$(sort $vl.ifaces | tr '\n' ' ')" = "io.cxlnic.Daemon org.varlink.service " ] ||
	fail "varlinkctl list-interfaces: $(cat $vl.ifaces)"
d13_varlinkctl introspect $sock io.cxlnic.Daemon >$vl.idl ||
	fail "varlinkctl introspect"
grep -q "method SetPolicy(" $vl.idl || fail "introspect: no SetPolicy"
d13_varlinkctl call $sock io.cxlnic.Daemon.Status '{}' |
	jq -e '.daemon.nics == 2 and .daemon.on_cxl == 2' >/dev/null ||
	fail "varlinkctl call Status"
d13_varlinkctl call --json=short $sock io.cxlnic.Daemon.Show "{\"nic\":\"$pci0\"}" |
	jq -e --arg p "$pci0" '.nic.pci_addr == $p and .nic.state == "on-cxl"' \
	>/dev/null || fail "varlinkctl call Show"
rc=0
d13_varlinkctl call $sock io.cxlnic.Daemon.Show '{"nic":"0000:99:00.0"}' \
	>/dev/null 2>$vl.err || rc=$?
cat $vl.err >&2
[ $rc -ne 0 ] && grep -q "io.cxlnic.Daemon.NoSuchNic" $vl.err ||
	fail "varlinkctl: no NoSuchNic for an unknown NIC (exit $rc)"
# Monitor streams: "ready", then the entry of a change made meanwhile.
# (stdbuf: each reply is in the file as it comes, not at the timeout's kill.)
(timeout "$(stretched 8)" stdbuf -oL bash -c ". $SRC/scripts/debian13.sh; d13_varlinkctl \
	call --more --json=short $sock io.cxlnic.Daemon.Monitor '{}'" \
	>$vl.mon 2>$vl.mon.err || true) &
vlmon=$!
wait_until 5 grep -q ready $vl.mon || fail "varlinkctl Monitor: no ready: $(cat $vl.mon.err)"
"$CTL" policy "$pci0" grace_ms 7 >/dev/null
wait_until 5 grep -q set-policy $vl.mon ||
	fail "varlinkctl Monitor: no entry for the change: $(cat $vl.mon $vl.mon.err)"
wait $vlmon || true
"$CTL" policy "$pci0" grace_ms default >/dev/null
head -n 2 $vl.mon | jq -e -s '.[0].ready and (.[1].entry.what == "set-policy")' \
	>/dev/null || fail "varlinkctl Monitor: $(cat $vl.mon)"
ok "varlinkctl (systemd 257): info, list-interfaces, introspect, call, errors, Monitor with --more"

"$CTL" policy "$pci0"
"$CTL" policy "$pci0" --json | jq -e '.policy.on_loss == "fallback" and
	.policy.memdev_serial == 4096 and .policy_changes == {}' >/dev/null ||
	fail "policy JSON"
expect_exit 2 "fallback, unbind, none" "$CTL" policy "$pci0" on_loss sometimes
expect_exit 2 "unknown policy key 'colour'" "$CTL" policy "$pci0" colour red
expect_exit 3 "no NIC '0000:99:00.0'" "$CTL" policy 0000:99:00.0
expect_exit 2 "usage" "$CTL" policy "$pci0" on_loss
"$CTL" policy "$pci0" recovery manual
"$CTL" policy "$pci0" --json | jq -e '.policy.recovery == "manual" and
	.policy_changes.recovery == "manual"' >/dev/null || fail "change not shown"
jq -e --arg p "$pci0" '.nics[] | select(.pci_addr == $p) |
	.policy.recovery == "manual"' $state >/dev/null ||
	fail "change not in $state"
# Who asked, as the log and history say it: uid, pid and command.
"$CTL" history "$pci0" --json | jq -e 'any(.[]; .what == "set-policy" and
	(.message | test("recovery = manual \\(by uid 0, pid [0-9]+ cxlnicctl\\)$")))' >/dev/null ||
	fail "the change's history entry: $("$CTL" history "$pci0" --json | jq -c '.[] | select(.what == "set-policy")')"
ok "policy read, bad keys and values refused, a change kept in $state, said with who asked"

# The change is in force: with recovery manual NIC 0 stays on PCI ...
tx_start 0
cxl disable-region "$(nic_field 0 .region.name)" >/dev/null
wait_until 10 counter_above 0 fallbacks 0 || fail "NIC 0 did not fall back"
sleep 3
expect_mode 0 pci
counter_grows 0 pci_packets || fail "TX stopped"
# ... until recover is asked for.
"$CTL" recover "$pci0" || fail "recover exit $?"
expect_mode 0 cxl
counter_grows 0 cxl_packets || fail "no CXL traffic after recover"
"$CTL" policy "$pci0" recovery default
"$CTL" policy "$pci0" --json | jq -e '.policy.recovery == "auto" and
	.policy_changes == {}' >/dev/null || fail "default did not drop the change"
ok "recovery=manual honoured; 'recover' brought NIC 0 back on CXL"

# decoder_mode: QEMU's memdevs decode host-only, and cxlnicd cannot make a
# device-coherent region, so with that mode NIC 0 waits on PCI, and says
# why once; host-only takes the same region back.
seq=$(history_seq)
"$CTL" policy "$pci0" decoder_mode device-coherent >/dev/null
cxl disable-region "$(nic_field 0 .region.name)" >/dev/null
wait_until 20 eval '[ "$("$CTL" status "$pci0" --json | jq -r .waiting_for)" = decoder-mode ]' ||
	fail "not waiting for the decoder mode: $("$CTL" status "$pci0" --json)"
sleep 2
expect_mode 0 pci
"$CTL" history "$pci0" --json | jq -e --argjson s "$seq" '[.[] |
	select(.seq > $s and .what == "decoder-mode" and
	       (.message | test("no committed device-coherent region")))] |
	length == 1' >/dev/null || fail "no single decoder-mode entry in the history"
"$CTL" policy "$pci0" decoder_mode host-only >/dev/null
wait_until 60 on_cxl 0 || fail "NIC 0 not back on CXL with decoder_mode host-only"
[ "$(nic_field 0 .decoder_mode)" = host-only ] || fail "region not host-only"
"$CTL" policy "$pci0" decoder_mode default >/dev/null
"$CTL" policy "$pci0" --json | jq -e '.policy.decoder_mode == "any"' >/dev/null ||
	fail "decoder_mode default is not any"
ok "decoder_mode device-coherent waits (said once); host-only uses the region"

# An unbind on request is a step like the policy's: recorded before it is
# taken, timed, in the history, with its crash point.  Killed right after
# it, cxlnicd finds the NIC held at its restart (the step taken again finds
# it done).
daemon_stop
CXLNICD_CRASH_AFTER=hold-nic "$B/daemon/cxlnicd" -c $conf >/tmp/crash.log 2>&1 &
crashed=$!
wait_until 20 eval '"$CTL" status >/dev/null 2>&1' || fail "cxlnicd did not start again"
"$CTL" unbind "$pci0" >/dev/null 2>&1 && fail "an unbind answered by a cxlnicd killed in it"
rc=0
wait $crashed || rc=$?
[ $rc -eq 137 ] || { cat /tmp/crash.log >&2; fail "hold-nic: exit $rc, expected 137"; }
"$B/daemon/cxlnicd" -c $conf >/tmp/cxlnicd.log 2>&1 &
daemon=$! DAEMON_PID=$!
trap 'kill $DAEMON_PID 2>/dev/null; cat /tmp/cxlnicd.log' EXIT
wait_until 20 eval '[ "$(daemon_state "$pci0")" = held ]' ||
	fail "NIC 0 not held after a crash in hold-nic"
"$CTL" show "$pci0" >/dev/null 2>&1 && fail "NIC 0 still registered after unbind"
history_since 0 "$pci0" | grep -qx hold-nic:true ||
	fail "no hold-nic step in the history: $(history_since 0 "$pci0" | tr '\n' ' ')"
ok "unbind on request: a hold-nic step; killed after it, held at the restart"
sleep 2
"$CTL" show "$pci0" >/dev/null 2>&1 && fail "cxlnicd bound NIC 0 again by itself"
jq -e --arg p "$pci0" '.nics[] | select(.pci_addr == $p) | .held' $state \
	>/dev/null || fail "held not in $state"
# The hold sticks: no probe binds the function, not even its own driver's.
override=/sys/bus/pci/devices/$pci0/driver_override
[ "$(cat "$override")" = cxlnicd-held ] || fail "driver_override of a held NIC: $(cat "$override")"
echo "$pci0" >/sys/bus/pci/drivers_probe 2>/dev/null || true
echo "$pci0" >/sys/bus/pci/drivers/cxlnic_sim/bind 2>/dev/null &&
	fail "an operator's bind of a held NIC went through"
"$CTL" show "$pci0" >/dev/null 2>&1 && fail "a probe bound the held NIC 0"
expect_exit 1 "bind' it first" "$CTL" recover "$pci0"
seq=$(history_seq)
"$CTL" bind "$pci0"
wait_until 60 on_cxl 0 || fail "NIC 0 not on CXL after bind"
[ "$(cat "$override")" = "(null)" ] || fail "driver_override after bind: $(cat "$override")"
steps=$(history_since "$seq" "$pci0" | tr '\n' ' ')
[[ $steps == "release-hold:true bind-nic:true "* ]] ||
	fail "bind's steps: '$steps', not release-hold then bind-nic"
ok "unbind holds the NIC unbound (driver_override, through a probe); bind brings it back to CXL"

MON=/tmp/mon.json
"$CTL" monitor --json >$MON 2>/tmp/mon.err &
mon=$!
sleep 1
cxl disable-region "$(nic_field 1 .region.name)" >/dev/null
wait_until 60 on_cxl 1 || fail "NIC 1 not back on CXL"
sleep 1
kill $mon
jq -e -s 'any(.[]; .source == "cxlnicd" and .kind == "action" and
	.what == "enable-region" and .ok)' $MON >/dev/null ||
	fail "monitor did not show cxlnicd's enable-region"
jq -e -s 'any(.[]; .event == "dev-change" and .mode == "pci")' $MON \
	>/dev/null || fail "monitor did not show the kernel's dev-change"
ok "monitor shows the kernel's events and cxlnicd's actions"

raw 'not json' '{"method":"io.cxlnic.Daemon.Reboot"}' \
	'{"method":"io.cxlnic.Daemon.Show","parameters":{"nic":"x","extra":1}}' \
	'{"command":"status"}' '{"method":"io.cxlnic.Daemon.Status"}' >/tmp/raw
cat /tmp/raw
[ "$(wc -l </tmp/raw)" -eq 5 ] || fail "not one reply per call"
sed -n 1p /tmp/raw | jq -e '.error == "io.cxlnic.Daemon.BadMessage" and
	(.parameters.message | test("not one JSON object"))' >/dev/null || fail "reply 1"
sed -n 2p /tmp/raw | jq -e '.error == "org.varlink.service.MethodNotFound" and
	.parameters.method == "io.cxlnic.Daemon.Reboot"' >/dev/null || fail "reply 2"
sed -n 3p /tmp/raw | jq -e '.error == "org.varlink.service.InvalidParameter" and
	.parameters.parameter == "extra"' >/dev/null || fail "reply 3"
sed -n 4p /tmp/raw | jq -e '.error == "io.cxlnic.Daemon.BadMessage" and
	(.parameters.message | test("needs \"method\""))' >/dev/null ||
	fail "reply 4: the old protocol's request"
sed -n 5p /tmp/raw | jq -e '.parameters.daemon.nics == 2 and (has("error") | not)' \
	>/dev/null || fail "Status after bad calls"
head -c 5000 /dev/zero | tr '\0' x | socat -t 5 - "UNIX-CONNECT:$sock" |
	tr '\0' '\n' >/tmp/raw || true
jq -e '.error == "io.cxlnic.Daemon.BadMessage" and
	(.parameters.message | test("longer than"))' /tmp/raw >/dev/null ||
	fail "an overlong call was not refused"
kill -0 $daemon || fail "cxlnicd died"
ok "malformed calls get an error reply; cxlnicd goes on"

expect_exit 4 "needs root" as_nobody "$CTL" status
as_nobody "$CTL" list --json | jq -e 'length == 2' >/dev/null ||
	fail "unprivileged list (from the kernel) failed"
printf '\n[control]\nread_group = nogroup\n' >>$conf
kill -HUP $daemon
wait_until 10 as_nobody "$CTL" status >/dev/null ||
	fail "read_group did not let nogroup read"
as_nobody "$CTL" history --count 1 >/dev/null || fail "nogroup history"
expect_exit 4 "needs root" as_nobody "$CTL" policy "$pci0" on_loss none
expect_exit 4 "needs root" as_nobody "$CTL" recover "$pci0"
expect_exit 4 "needs root" as_nobody "$CTL" unbind "$pci0"
"$CTL" show "$pci0" >/dev/null || fail "NIC 0 unbound by an unprivileged request"
rc=0
as_nobody bash -c ". $SRC/scripts/debian13.sh; d13_varlinkctl call $sock \
	io.cxlnic.Daemon.Unbind '{\"nic\":\"$pci0\"}'" >/dev/null 2>$vl.err || rc=$?
cat $vl.err >&2
[ $rc -ne 0 ] && grep -q "org.varlink.service.PermissionDenied" $vl.err ||
	fail "varlinkctl as nobody: Unbind not refused with PermissionDenied"
as_nobody bash -c ". $SRC/scripts/debian13.sh; d13_varlinkctl call $sock \
	io.cxlnic.Daemon.Status '{}'" | jq -e '.daemon.nics == 2' >/dev/null ||
	fail "varlinkctl as nobody in read_group: Status"
ok "SO_PEERCRED: read_group reads, only root changes"

# A caller who may not read is refused at accept and holds no slot: more
# connections at once than the share of all users but root, each answered
# EACCES and closed before it sent anything; readers and root go on.
per_uid=$(limit CONTROL_MAX_PER_UID)
idle=$(limit CONTROL_IDLE_TIMEOUT_S)
unpriv=$(($(limit CONTROL_MAX_CONNS) / 2))
[ "$per_uid" -gt 0 ] && [ "$idle" -gt 0 ] && [ "$unpriv" -gt "$per_uid" ] ||
	fail "limits not read from control_proto.h"
as_user 12346 12346 /usr/bin/python3 "$CONNS" $sock $((unpriv + 8)) /tmp/deny ||
	fail "ctl-conns as a non-reader"
jq -e --argjson n $((unpriv + 8)) 'length == $n and
	all(.[]; .refused == "org.varlink.service.PermissionDenied" and
	.after_s < 1.5)' /tmp/deny.opened \
	>/dev/null || fail "a non-reader not refused at once: $(cat /tmp/deny.opened)"
expect_exit 4 "needs root or group 'nogroup'" as_user 12346 12346 "$CTL" status
as_nobody "$CTL" status >/dev/null || fail "a reader not answered"
ok "a non-reader: PermissionDenied at accept, $((unpriv + 8)) times, no slot taken"

# One reader holds as many connections as one user may, kept busy with
# requests past the idle timeout: the next ones are told busy at accept,
# cxlnicctl as that user says so (exit 7), root and another reader are
# answered.  Another reader's connection that never sends is closed after
# the idle timeout, with ETIMEDOUT.
rm -f /tmp/held.* /tmp/silent.*
touch /tmp/silent.release
as_user 12345 nogroup /usr/bin/python3 "$CONNS" $sock 1 /tmp/silent &
silent=$!
as_nobody /usr/bin/python3 "$CONNS" $sock $((per_uid + 2)) /tmp/held &
held=$!
wait_until 20 test -s /tmp/held.opened || fail "ctl-conns did not connect"
cat /tmp/held.opened >&2
jq -e --argjson n "$per_uid" '(.[:$n] | all(.refused == null)) and
	(.[$n:] | length == 2 and all(.refused == "io.cxlnic.Daemon.Busy" and
	.after_s < 1.5))' \
	/tmp/held.opened >/dev/null || fail "not $per_uid taken and the rest busy"
expect_exit 7 "cxlnicd is busy: too many connections" as_nobody "$CTL" status
expect_exit 7 "cxlnicd is busy: too many connections" as_nobody "$CTL" history
"$CTL" status >/dev/null || fail "root not answered with nobody at its cap"
as_user 12345 nogroup "$CTL" status >/dev/null ||
	fail "another reader not answered with nobody at its cap"
ok "nobody holds $per_uid connections; more are busy (exit 7); root and uid 12345 answered"

wait $silent || fail "ctl-conns (silent): exit $?"
cat /tmp/silent.closed >&2
jq -e --argjson t "$idle" 'length == 1 and all(.[];
	.error == "io.cxlnic.Daemon.IdleTimeout" and
	.idle_s >= $t - 0.5 and .idle_s < $t + 5)' /tmp/silent.closed >/dev/null ||
	fail "a silent connection not closed after ${idle} s"
# Past the idle timeout of their accept, their requests keep them open: a
# request that failed would end ctl-conns with 1.
sleep 2
touch /tmp/held.release
wait $held || fail "ctl-conns (held): exit $?"
cat /tmp/held.closed >&2
jq -e --argjson t "$idle" --argjson n "$per_uid" 'length == $n and
	all(.[]; .error == "io.cxlnic.Daemon.IdleTimeout" and
	.idle_s >= $t - 0.5 and .idle_s < $t + 5)' \
	/tmp/held.closed >/dev/null || fail "idle connections not closed after ${idle} s"
as_nobody "$CTL" status >/dev/null || fail "nobody not answered after the idle close"
ok "idle for ${idle} s, from the connect or the last call: closed (IdleTimeout); calls keep a connection"

cp $conf /tmp/good.conf
printf '[defaults]\ngrace_ms = soon\n' >$conf
kill -HUP $daemon
sleep 2
"$CTL" history --json | jq -e 'any(.[]; .what == "reload" and .ok == false and
	(.message | test("cxlnicd.conf:2: grace_ms")))' >/dev/null ||
	fail "refused reload not in history with its line"
as_nobody "$CTL" status >/dev/null || fail "old read_group not in force"
ok "a broken reload is refused with its line; the old configuration stays"

daemon_stop
[ ! -e $sock ] || fail "control socket left behind"
ok "SIGTERM: exit 0, socket removed"
