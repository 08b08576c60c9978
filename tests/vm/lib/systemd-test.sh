#!/bin/sh
# The body of cxlnic-vmtest.service under `vmrun --systemd`: what stage2.sh
# does as PID 1 in the plain mode.  Runs the command vmrun wrote, records
# its status, the kernel log and the journal in the scratch share, and
# powers off at once (the scratch share is written through: nothing to
# flush but what sync does).
scratch=$1
# shellcheck source=tests/vm/lib/kmemleak.sh
. "$(dirname "$0")/kmemleak.sh"
kmemleak_begin "$scratch"
/bin/sh "$scratch/guest-run" </dev/null >/dev/ttyS1 2>&1
rc=$?
kmemleak_end "$scratch"
echo $rc >"$scratch/rc"
dmesg >"$scratch/dmesg" 2>&1
journalctl -b --no-pager -o short-monotonic >"$scratch/journal" 2>&1
sync
systemctl poweroff --force --force
# reboot(2) refused?  busybox's poweroff -f is the call itself too.
exec /bin/busybox poweroff -f
