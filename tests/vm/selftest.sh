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

# The same with systemd as the guest's init (vmrun --systemd): the command
# runs as a unit there, and the kernel log must still be checked.
rc=0
"$here/vmrun" --timeout 300 --systemd -- sh -c 'echo "WARNING: vmrun self-test" >/dev/kmsg' || rc=$?
if [ "$rc" -ne 99 ]; then
	echo "FAIL: vmrun --systemd exit $rc on a kernel WARNING, expected 99"
	exit 1
fi
echo "ok: vmrun --systemd fails a run whose guest kernel warned"
