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
expect_exit 5 "cxlnicd is not running" "$CTL" list --state on-cxl
ok "without cxlnicd: reads from the kernel; daemon commands exit 5"

# list's filters, as cxl list has them: each keeps the NICs that match, in
# the table and in --json; an unknown value is exit 2 naming the valid ones.
n_cxl=$("$CTL" list --json | jq '[.[] | select(.mode == "cxl")] | length')
"$CTL" list --mode cxl --json | jq -e --arg p "$pci0" --argjson n "$n_cxl" \
	'length == $n and any(.[]; .pci_addr == $p) and all(.[]; .mode == "cxl")' \
	>/dev/null || fail "list --mode cxl: $("$CTL" list --mode cxl --json | jq -c 'map(.pci_addr)')"
"$CTL" list --mode cxl | grep -q "$pci0" || fail "list --mode cxl: $pci0 not in the table"
[ "$("$CTL" list --mode cxl | wc -l)" -eq $((n_cxl + 1)) ] || fail "list --mode cxl: table of $("$CTL" list --mode cxl | wc -l) lines"
md0=$(memdev_of_nic 0)
[ -n "$md0" ] || fail "no memdev for NIC 0"
"$CTL" list --memdev "$md0" --json | jq -e --arg p "$pci0" \
	'length == 1 and .[0].pci_addr == $p' >/dev/null ||
	fail "list --memdev $md0: $("$CTL" list --memdev "$md0" --json | jq -c 'map(.pci_addr)')"
[ "$("$CTL" list --memdev "${md0#mem}" --json | jq -c 'map(.pci_addr)')" = "[\"$pci0\"]" ] ||
	fail "list --memdev ${md0#mem} (cxl list's short form)"
"$CTL" list --memdev "$md0" --mode pci --json | jq -e 'length == 0' >/dev/null ||
	fail "list --memdev $md0 --mode pci: the filters do not AND"
[ $(("$("$CTL" list --kind cooperating --json | jq length)" +
     "$("$CTL" list --kind stock --json | jq length)")) -eq 2 ] ||
	fail "list --kind cooperating and --kind stock do not part the two NICs"
expect_exit 2 "--mode 'fast' is not one of: off, pci, cxl" "$CTL" list --mode fast
expect_exit 2 "--state 'up' is not one of: on-cxl, on-pci, waiting" "$CTL" list --state up
expect_exit 2 "--kind 'odd' is not one of: cooperating, stock" "$CTL" list --kind odd -j
expect_exit 2 "--memdev 'region0' is not a memdev" "$CTL" list --memdev region0
ok "list --mode, --memdev, --kind keep the NICs that match, together; unknown values exit 2"

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
# Serials in hex for people, as cxl list shows them; JSON keeps integers.
"$CTL" policy "$pci0" | grep -qx "  memdev_serial   $(printf '0x%x' "${MEMDEV_SERIALS[0]}")" ||
	fail "policy: memdev_serial not in hex: $("$CTL" policy "$pci0" | grep memdev_serial)"
"$CTL" list --state on-cxl --json | jq -e --arg p "$pci0" 'any(.[]; .pci_addr == $p)' \
	>/dev/null || fail "list --state on-cxl: $pci0 not in it"
"$CTL" list --state held --json | jq -e 'length == 0' >/dev/null ||
	fail "list --state held: NICs nobody holds"
# reload: a good file is taken in; a broken one is refused with its line,
# exit 1, and the configuration in force stays.
"$CTL" reload >/tmp/out || fail "cxlnicctl reload: exit $?"
grep -q "^cxlnicd reloaded $conf" /tmp/out || fail "cxlnicctl reload says: $(cat /tmp/out)"
"$CTL" reload --json | shape daemon_status || fail "reload --json shape"
cp $conf /tmp/good.conf
printf '[defaults]\ngrace_ms = soon\n' >$conf
expect_exit 1 "reload: $conf:2: grace_ms" "$CTL" reload
cp /tmp/good.conf $conf
"$CTL" policy "$pci0" --json | jq -e '.policy.grace_ms == 100' >/dev/null ||
	fail "a refused reload changed the configuration in force"
"$CTL" history --json | jq -e 'any(.[]; .what == "reload" and .ok == false)' >/dev/null ||
	fail "the refused reload is not in the history"
"$CTL" reload >/dev/null || fail "cxlnicctl reload of the good file again: exit $?"
ok "list --state; reload: a good file taken in, a broken one refused with its line (exit 1)"
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
expect_exit 4 "needs root" as_nobody "$CTL" reload
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
	timeout "$(stretched 5)" bash -c "PATH=$B/cli:$B/daemon:\$PATH; $example" </dev/null || rc=$?
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
