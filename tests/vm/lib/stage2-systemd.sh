#!/bin/sh
# Stage 2 of the bench's guest under `vmrun --systemd`: PID 1 on the host's
# root (read-only 9p), it makes what systemd must write writable, installs
# cxlnic's units (into an overlay of /lib/systemd/system), udev rules and
# tmpfiles from the build and source trees (into /run, the guest's runtime
# configuration: the root is the host's and read-only), and then becomes
# systemd.  The test command runs as the unit
# cxlnic-vmtest.service (lib/systemd-test.sh), which records its status and
# the kernel log in the scratch share and powers off, as stage2.sh does.
scratch=$1
lib=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$lib/../../.." && pwd)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
say() { echo "stage2-systemd: $*" >/dev/ttyS0; }
# The test's environment (CXLNIC_BUILD among it), written by vmrun.
. "$scratch/guest-env"

# /etc writable (cxlnicd.conf, machine-id, systemd's own files): an overlay
# of the host's /etc under a tmpfs.  overlayfs takes 9p as a lower layer.
mkdir -p /run/vmrun
mount -t tmpfs -o mode=0755 tmpfs /run/vmrun
mkdir -p /run/vmrun/etc/upper /run/vmrun/etc/work
mount -t overlay overlay \
	-o lowerdir=/etc,upperdir=/run/vmrun/etc/upper,workdir=/run/vmrun/etc/work /etc ||
	say "no overlay on /etc: it stays read-only"
# The host's own services, enabled in its /etc (the kernel command line's
# systemd.mask= does not reach instances such as postgresql@15-main).
for u in postgresql.service postgresql@.service ndctl-monitor.service \
	e2scrub_reap.service; do
	ln -sf /dev/null "/etc/systemd/system/$u" 2>/dev/null
done
# systemd's and dbus's state under /var/lib (init.sh gave /var/log, /var/tmp
# and /var/lib/udev their tmpfs already).
for d in /var/lib/systemd /var/lib/dbus /var/cache; do
	[ -d "$d" ] && mount -t tmpfs -o mode=0755 tmpfs "$d"
done

units=/run/systemd/system
mkdir -p "$units/multi-user.target.wants" "$units/sysinit.target.wants" \
	/run/udev/rules.d /run/tmpfiles.d

# The command itself, started once the boot is done.
cat >"$units/cxlnic-vmtest.service" <<UNIT
# vmrun --systemd: the test command; writes its status and the kernel log
# to the scratch share, then powers the machine off.
[Unit]
Description=vmrun test command
After=multi-user.target

[Service]
Type=simple
ExecStart=/bin/sh $lib/systemd-test.sh $scratch
StandardInput=null
StandardOutput=journal+console
UNIT
ln -sf ../cxlnic-vmtest.service "$units/multi-user.target.wants/"

B=${CXLNIC_BUILD:-}
if [ -n "$B" ] && [ -f "$B/systemd/cxlnicd.service" ]; then
	# The unit as meson configured it (what `meson install` installs),
	# enabled, with its Exec lines (start, reload's check) running the
	# build tree's daemon.  The unit's PrivateTmp= hides a build tree
	# under /tmp or /var/tmp (a checkout there is common): run a copy of
	# the daemon from /run, and its libcxl worker next to it, where a
	# daemon outside its installed place looks first.
	cp "$B/daemon/cxlnicd" "$B/daemon/cxlnicd-cxl" /run/vmrun/
	# The units go where `meson install` puts them, /lib/systemd/system
	# (an overlay, as /etc is), so that an operator's files in /run
	# (systemctl mask --runtime, cxlnicd(8) MAINTENANCE) take precedence
	# over them as on an installed system.
	sysunits=/usr/lib/systemd/system
	ov=/run/vmrun/units
	mkdir -p $ov/upper $ov/work
	if mount -t overlay overlay \
		-o lowerdir=$sysunits,upperdir=$ov/upper,workdir=$ov/work $sysunits; then
		ours=$sysunits
	else
		say "no overlay on $sysunits: cxlnic's units go to $units"
		ours=$units
	fi
	sed -E 's#^(Exec[A-Za-z]+=)[^ ]*/cxlnicd( |$)#\1/run/vmrun/cxlnicd\2#' \
		"$B/systemd/cxlnicd.service" >"$ours/cxlnicd.service"
	cp "$src/systemd/cxlnicd.socket" "$ours/"
	ln -sf "$ours/cxlnicd.service" "$units/multi-user.target.wants/"
	cp "$src/udev/60-cxlnic.rules" /run/udev/rules.d/
	cp "$src/systemd/cxlnic-tmpfiles.conf" /run/tmpfiles.d/cxlnic.conf
	# Stand-in for modules-load.d: the modules are in the build tree, not
	# in /lib/modules.  cxlnic.ko needs cxl_core (MODULE_IMPORT_NS(CXL))
	# and insmod does not resolve dependencies.
	km=$B/kernel
	[ -d "$km/kernel-$(uname -r)" ] && km=$km/kernel-$(uname -r)
	cat >"$units/cxlnic-vm-modules.service" <<UNIT
# vmrun --systemd: load cxlnic.ko and cxlnic_sim.ko from the build tree at
# boot, where modules-load.d would load installed ones.
[Unit]
Description=vmrun: cxlnic modules from the build tree
DefaultDependencies=no
After=systemd-modules-load.service
Before=sysinit.target cxlnicd.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/sbin/modprobe cxl_core
ExecStart=/sbin/insmod $km/cxlnic.ko
ExecStart=/sbin/insmod $km/cxlnic_sim.ko
UNIT
	ln -sf ../cxlnic-vm-modules.service "$units/sysinit.target.wants/"
fi

exec /lib/systemd/systemd
