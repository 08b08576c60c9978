#!/bin/bash
# The bench's own check: a guest kernel that prints a WARNING must fail the
# run (exit 99) even when the command succeeds, or no vm test means much.
here=$(dirname "$0")
rc=0
"$here/vmrun" --timeout 300 -- sh -c 'echo "WARNING: vmrun self-test" >/dev/kmsg' || rc=$?
if [ "$rc" -ne 99 ]; then
	echo "FAIL: vmrun exit $rc on a kernel WARNING, expected 99"
	exit 1
fi
echo "ok: vmrun fails a run whose guest kernel warned"

# The same on the Debian 13 kernels, booted on the Debian 13 root's QEMU.
for k in 6.12 7.3; do
	rc=0
	"$here/vmrun" --kernel "$k" --timeout 300 -- sh -c \
		'[ "$(uname -r)" = "$1" ] && echo "WARNING: vmrun self-test" >/dev/kmsg' \
		sh "$(. "$here/../../scripts/debian13.sh" && d13_kver "$k")" || rc=$?
	if [ "$rc" -ne 99 ]; then
		echo "FAIL: vmrun --kernel $k exit $rc on a kernel WARNING, expected 99"
		exit 1
	fi
	echo "ok: vmrun --kernel $k boots that kernel and fails a run whose kernel warned"
done

# The same with systemd as the guest's init (vmrun --systemd): the command
# runs as a unit there, and the kernel log must still be checked.
rc=0
"$here/vmrun" --timeout 300 --systemd -- sh -c 'echo "WARNING: vmrun self-test" >/dev/kmsg' || rc=$?
if [ "$rc" -ne 99 ]; then
	echo "FAIL: vmrun --systemd exit $rc on a kernel WARNING, expected 99"
	exit 1
fi
echo "ok: vmrun --systemd fails a run whose guest kernel warned"

# A command that hangs: vmrun stops at its timeout with 124, and the guest's
# watchdog has said what was running before that.
rc=0
err=$("$here/vmrun" --timeout 60 -- sleep 1000 2>&1 >/dev/null) || rc=$?
if [ "$rc" -ne 124 ]; then
	echo "FAIL: vmrun exit $rc on a hung command, expected 124"
	exit 1
fi
if ! grep -q 'guest watchdog' <<<"$err" || ! grep -q 'sleep 1000' <<<"$err"; then
	echo "FAIL: no guest watchdog report naming the hung command:"
	echo "$err"
	exit 1
fi
echo "ok: a hung command times out (124) with the guest's task report"

# A guest that never gets through its boot: vmrun boots it once more, says
# so, and a second hang ends like any timeout (124).  A boot deadline of 1 s
# is one no guest meets.
rc=0
err=$(VMRUN_BOOT_TIMEOUT=1 "$here/vmrun" --timeout 60 -- true 2>&1 >/dev/null) || rc=$?
if [ "$rc" -ne 124 ] || ! grep -q 'booting it once more' <<<"$err"; then
	echo "FAIL: vmrun exit $rc on a boot that never ends, expected 124 after a retry:"
	echo "$err"
	exit 1
fi
echo "ok: a hung boot is retried once, then times out (124)"
