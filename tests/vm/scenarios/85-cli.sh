#!/bin/bash
# cxlnicctl against the emulated machine: every command with and without
# cxlnicd, every --json output checked against its documented shape
# (tests/vm/lib/shapes.jq, from docs/json.md), bad input answered with one
# line and the documented exit code, unprivileged reads, and every example
# of the manual pages run as printed.
. "$(dirname "$0")/../lib/cxlnic.sh"

DAEMON=$B/daemon/cxlnicd
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
conf=/tmp/cxlnicd.conf

# Without the module: said plainly.
expect_exit 6 "cxlnic kernel module is not loaded" "$CTL" list
expect_exit 6 "not loaded" "$CTL" show 00:06.0
load_cxl
load_cxlnic
pci0=$(nic_pci 0)
region=$(ensure_region 0)
attach 0 "$region"

# Bad input: one line, the right code, nothing changed.
gen=$(nic_field 0 .generation)
expect_exit 2 "unknown command 'lsit'; valid commands: list show" "$CTL" lsit
expect_exit 2 "unknown option '--jsn'; valid options: -j/--json -v/--verbose" "$CTL" list --jsn
# No command at all is a usage error like the others: on stderr, exit 2;
# asked for, the usage goes to stdout with 0.
rc=0
"$CTL" >/tmp/out 2>/tmp/err || rc=$?
[ $rc -eq 2 ] && [ ! -s /tmp/out ] && grep -q '^usage: cxlnicctl COMMAND' /tmp/err ||
	fail "cxlnicctl with no command: exit $rc, usage not (only) on stderr"
"$CTL" --help 2>/tmp/err | grep -q '^usage: cxlnicctl COMMAND' && [ ! -s /tmp/err ] ||
	fail "cxlnicctl --help: usage not on stdout"
expect_exit 2 "mode 'fast' is not one of: cxl, pci" "$CTL" mode "$pci0" fast
expect_exit 3 "no NIC '0000:99:00.0'" "$CTL" show 0000:99:00.0
expect_exit 3 "no NIC 'eth9'" "$CTL" mode eth9 pci
expect_exit 2 "'x' is not a number" "$CTL" monitor --count x
[ "$(nic_field 0 .generation)" = "$gen" ] || fail "bad input changed the NIC"
ok "bad input: one line naming the problem and the choices, exit 2 or 3"

# Without the daemon: kernel reads work, daemon commands say it is needed.
"$CTL" list
"$CTL" list -v
"$CTL" list --json | shape 'length == 2 and all(.[]; nic)' || fail "list shape"
"$CTL" show "$pci0" --json | shape 'nic and .mode == "cxl"' || fail "show shape"
"$CTL" show 1 --json | shape 'nic and .handle == 1' || fail "show by handle"
# -j, as ip and devlink have it: the same document as --json.
[ "$("$CTL" show "$pci0" -j | jq -S 'del(.stats)')" = "$("$CTL" show "$pci0" --json | jq -S 'del(.stats)')" ] ||
	fail "show -j is not show --json"
for cmd in status "policy $pci0" "recover $pci0" "unbind $pci0" "bind $pci0" history; do
	# shellcheck disable=SC2086
	expect_exit 5 "cxlnicd is not running" "$CTL" $cmd
done
ok "without cxlnicd: reads from the kernel; daemon commands exit 5"

# monitor --json lines are events of the documented shape.
"$CTL" monitor --json --count 2 --timeout 30 >/tmp/mon &
mon=$!
sleep 1
"$CTL" mode "$pci0" pci
"$CTL" mode "$pci0" cxl
wait $mon || fail "monitor exit $?"
[ "$(wc -l </tmp/mon)" -eq 2 ] || fail "monitor --count 2 printed $(wc -l </tmp/mon) lines"
shape -s 'all(.[]; event)' </tmp/mon || fail "event shape"
"$CTL" monitor --timeout 1 || fail "monitor --timeout exit $?"
ok "list, show, monitor: JSON of the documented shape"

write_daemon_conf $conf
"$DAEMON" -c $conf >/tmp/cxlnicd.log 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null; cat /tmp/cxlnicd.log' EXIT
wait_until 90 on_cxl 1 || fail "cxlnicd did not put NIC 1 on CXL"
"$CTL" status --json | shape daemon_status || fail "status shape"
"$CTL" status "$pci0" --json | shape 'daemon_nic and .state == "on-cxl"' ||
	fail "status NIC shape"
"$CTL" policy "$pci0" --json | shape '(.policy | policy) and .policy_changes == {}' ||
	fail "policy shape"
"$CTL" history --json | shape 'length > 0 and all(.[]; history_entry)' ||
	fail "history shape"
"$CTL" recover "$pci0" --json | shape 'daemon_nic' || fail "recover shape"
"$CTL" monitor --json --count 1 --timeout 30 >/tmp/mon &
mon=$!
sleep 1
"$CTL" policy "$pci0" grace_ms 150 >/dev/null
wait $mon || true
shape 'history_entry and .source == "cxlnicd" and .kind == "control"' </tmp/mon ||
	fail "monitor daemon line shape: $(cat /tmp/mon)"
"$CTL" policy "$pci0" grace_ms default >/dev/null
ok "status, policy, history, recover, monitor: JSON of the documented shape"

# Unprivileged: reads from the kernel work, changes exit 4.
as_nobody "$CTL" list --json | shape 'length == 2' || fail "unprivileged list"
as_nobody "$CTL" show "$pci0" >/dev/null || fail "unprivileged show"
expect_exit 4 "needs root or CAP_NET_ADMIN" as_nobody "$CTL" mode "$pci0" pci
expect_exit 4 "needs root or CAP_NET_ADMIN" as_nobody "$CTL" detach "$pci0"
expect_exit 4 "needs root" as_nobody "$CTL" policy "$pci0" on_loss none
expect_exit 4 "needs root" as_nobody "$CTL" status
expect_mode 0 cxl
ok "unprivileged: reads work, changes exit 4"

# The manual pages' examples, as printed (monitor runs until stopped).
for page in "$SRC"/man/*.[578]; do
	sed -n '/^\.SH EXAMPLES/,/^\.SH/p' "$page" |
		sed -n 's/^\.B \(cxlnic.*\)/\1/p' | sed 's/\\-/-/g'
done >/tmp/examples
[ "$(wc -l </tmp/examples)" -ge 8 ] || fail "examples not found"
while read -r example; do
	log "example: $example"
	rc=0
	timeout 5 bash -c "PATH=$B/cli:$B/daemon:\$PATH; $example" </dev/null || rc=$?
	if [ $rc -eq 124 ] && [[ $example == "cxlnicctl monitor"* ]]; then
		continue
	fi
	[ $rc -eq 0 ] || fail "example '$example': exit $rc"
done </tmp/examples
sed -n '/^\.SH EXAMPLES/,/^\.SH/p' "$SRC/man/cxlnicd.conf.5" |
	sed -n '/^\.EX/,/^\.EE/p' | sed '1d;$d' >/tmp/example.conf
"$DAEMON" --check-config -c /tmp/example.conf || fail "cxlnicd.conf(5) example refused"
ok "$(wc -l </tmp/examples) manual page examples and the example configuration work as printed"
for page in "$SRC"/man/*.[578]; do
	man -l "$page" >/dev/null 2>/tmp/err || fail "man -l $page"
	[ ! -s /tmp/err ] || fail "man -l $page warns: $(cat /tmp/err)"
done
ok "man -l renders every page without a warning"
kill -TERM $daemon
wait $daemon || fail "cxlnicd exit $?"
trap - EXIT
