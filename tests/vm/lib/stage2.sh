#!/bin/sh
# Stage 2 of the bench's guest, PID 1 on the host's root (read-only 9p):
# run the command vmrun wrote into the scratch share, record its exit status
# and the kernel log there, and power off.
scratch=$1
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# Shortly before vmrun's timeout, say where the guest stands: which tasks
# wait where, and the kernel's last words.  A run that times out in CI then
# shows what hung instead of nothing at all.
guest_watchdog() {
	sleep "$1" || return
	{
		echo "vmrun: guest watchdog: the command still runs after $1 s; tasks:"
		ps --ppid 2 -p 2 -N -ww -o pid,ppid,stat,wchan:32,etimes,args 2>/dev/null || busybox ps
		for pid in $(ps -e -o pid=,stat= 2>/dev/null | awk '$2 ~ /^D/ {print $1}'); do
			echo "--- D-state task $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
			cat "/proc/$pid/stack" 2>/dev/null
		done
		echo "vmrun: guest watchdog: last kernel messages:"
		dmesg | tail -n 40
	} >/dev/ttyS1 2>&1
}
watch_after=$(($(cat "$scratch/timeout" 2>/dev/null || echo 600) - 30))
[ "$watch_after" -gt 0 ] && guest_watchdog "$watch_after" &
# shellcheck source=tests/vm/lib/kmemleak.sh
. "$(dirname "$0")/kmemleak.sh"
kmemleak_begin "$scratch"
echo "vmrun: stage 2 up, running the command" >/dev/ttyS0

/bin/sh "$scratch/guest-run" </dev/null >/dev/ttyS1 2>&1
rc=$?
kmemleak_end "$scratch"
echo $rc >"$scratch/rc"
echo "vmrun: command exited $(cat "$scratch/rc")" >/dev/ttyS0
dmesg >"$scratch/dmesg" 2>&1
sync
# busybox's poweroff -f is the reboot(2) call itself: PID 1 must not exit.
exec /bin/busybox poweroff -f
