#!/bin/busybox sh
# /init of the bench's initramfs (busybox).  Mounts the host's root read-only
# over virtio-9p, gives it writable tmpfs where tools need to write, and runs
# stage 2 (tests/vm/lib/stage2.sh) as PID 1 of that root; stage 2 runs the
# command vmrun put in the scratch share, as root.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

for m in $(cat /modules.order); do
	insmod "/lib/modules/$m" || echo "init: insmod $m failed"
done

arg() { sed -n "s/.*\bvmrun\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
scratch=$(arg scratch)

R=/newroot
mkdir -p $R
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot $R ||
	{ echo "init: cannot mount host root"; poweroff -f; }
for d in /tmp /run /var/tmp /var/lib/udev /root /var/log /var/cache/cxlnic-vm; do
	[ -d $R$d ] && mount -t tmpfs -o mode=1777 tmpfs $R$d
done
# A kernel other than the host's own (vmrun --kernel): its modules, unpacked
# on the host next to the Debian 13 root, take the place of /lib/modules.
modules=$(arg modules)
if [ -n "$modules" ] && [ "$modules" != /lib/modules ]; then
	mount -o bind "$R$modules" $R/lib/modules ||
		{ echo "init: cannot bind $modules over /lib/modules"; poweroff -f; }
fi
mount -t proc proc $R/proc
mount -t sysfs sys $R/sys
mount -t devtmpfs dev $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
work=$(arg work)
mkdir -p $R$work 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose work $R$work ||
	{ echo "init: cannot mount the work tree"; poweroff -f; }
mkdir -p $R$scratch 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 scratch $R$scratch ||
	{ echo "init: cannot mount scratch"; poweroff -f; }

echo 30 >/proc/sys/kernel/hung_task_timeout_secs
# vmrun waits for this line to know the boot got this far (see there).
echo "vmrun: init: root mounted, starting stage 2" >/dev/console
# switch_root, not chroot: systemd's tools (udevadm) refuse to act from a
# chroot.  Stage 2 runs as PID 1 of the host's root.
exec switch_root $R /bin/sh "$(arg stage2)" "$scratch"
