#!/bin/sh
# Stage 2 of the bench's guest, PID 1 on the host's root (read-only 9p):
# run the command vmrun wrote into the scratch share, record its exit status
# and the kernel log there, and power off.
scratch=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
/bin/sh "$scratch/guest-run" </dev/null >/dev/ttyS1 2>&1
echo $? >"$scratch/rc"
dmesg >"$scratch/dmesg" 2>&1
sync
# busybox's poweroff -f is the reboot(2) call itself: PID 1 must not exit.
exec /bin/busybox poweroff -f
