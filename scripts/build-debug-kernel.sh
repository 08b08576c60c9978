#!/bin/bash
# Build the bench's debug kernel (tests/vm/vmrun --kernel 7.3-debug):
# Debian's own linux-source-7.3 with Debian's config of 7.3, plus lockdep,
# KASAN, KFENCE, kmemleak and the object and list debugging, minus what
# two cores cannot afford (debug info, module signing, Rust, every module
# the bench's guest does not load).  Built inside the Debian 13 root
# (gcc-14; 7.x's objtool needs /proc, which d13_run mounts), at low
# priority (nice 19, idle I/O class, make -j2): the machine's VMs come
# first.
#
#   scripts/build-debug-kernel.sh [-jN]
#
# Leaves, like scripts/setup-debian13.sh does for Debian's own kernels:
#   /var/cache/cxlnic/kernels/7.3-debug/{vmlinuz,release,lib/modules/KVER}
#   /var/cache/cxlnic/kernels/7.3-debug/{config,build.log,build-seconds}
# and the build tree, which out-of-tree modules build against (the
# project's, scripts/build-kernels.sh BUILD 7.3-debug), inside the root at
# /usr/src/linux-headers-KVER, where d13_kdir looks for a kernel's headers.
# KVER is 7.3.N-cxlnic-debug.  The PID of the build (the leader of its
# process group) is in /tmp/debug-kernel-build.pid while it runs: stop the
# whole build with kill -STOP -- -PID, resume it with kill -CONT -- -PID.
#
# Run as root.  Safe to run again: the source is copied once, the build is
# make's (incremental), and nothing is redone when the cached kernel was
# built from the same source and the same config.  What each config
# change is for, and what the build cost, is in docs/reliability.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/debian13.sh
. "$here/debian13.sh"

jobs=-j2
[ $# -gt 0 ] && jobs=$1
name=7.3-debug
out=$D13_KERNELS/$name
pidfile=/tmp/debug-kernel-build.pid

say() { echo "build-debug-kernel: $*"; }
die() { say "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (the build runs in a chroot)"
[ -d "$D13_ROOT/usr" ] || die "no Debian 13 root (scripts/setup.sh)"
[ -f "$D13_SRC/.cxlnic-unpacked" ] || die "no linux-source-7.3 in $D13_SRC (scripts/setup.sh)"
base_kver=$(d13_kver 7.3)
[ -n "$base_kver" ] || die "kernel 7.3 not fetched (scripts/setup.sh)"
# Debian's own config of the 7.3 it ships, from the headers in the root.
debian_config=$D13_ROOT/usr/src/linux-headers-$base_kver/.config
[ -f "$debian_config" ] || die "no $debian_config (scripts/setup.sh)"

# What the kernel's build needs beyond what setup-debian13.sh puts in the
# root for module builds.  Installed here, into the root only, so that the
# root's stamp (and with it everybody's root) stays as it is.
build_packages=(flex bison bc libssl-dev perl cpio rsync python3)
if ! d13_run dpkg-query -W "${build_packages[@]}" >/dev/null 2>&1; then
	say "apt in the root: ${build_packages[*]}"
	d13_run apt-get update -q >/dev/null
	d13_run apt-get install -y -q --no-install-recommends "${build_packages[@]}" \
		>>"$D13_ROOT.log" 2>&1 || { tail -n 20 "$D13_ROOT.log"; exit 1; }
	d13_run apt-get clean
fi

localversion=-cxlnic-debug
version=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p; s/^SUBLEVEL = //p' "$D13_SRC/Makefile" | paste -sd.)
kver=$version$localversion
tree=/usr/src/linux-headers-$kver	# inside the root
host_tree=$D13_ROOT$tree

# The modules the bench's guest loads (tests/vm/vmrun, lib/init.sh,
# lib/cxlnic.sh, the scenarios; and lsmod in a 7.3 guest after the CXL
# stack came up, with --type2 --switch), as lsmod would list them: make
# localmodconfig keeps these and what they need, and turns every other
# module of Debian's config off.  Built-in code stays as Debian has it.
#   9p, 9pnet, 9pnet_virtio, netfs  the guest's root, tree and scratch
#   cxl_*                           the CXL stack (cxl_core and cxl_port
#                                   are built in, as in Debian's config)
#   libnvdimm, nd_*, dax_*, device_dax, kmem   pmem and dax regions (dax)
#   autofs4                         systemd as PID 1 (--systemd) mounts it
#   overlay                         --systemd's writable /etc and unit
#                                   directory (lib/stage2-systemd.sh)
#   qemu_fw_cfg                     what udev loads for QEMU's fw_cfg
guest_modules=(9p 9pnet 9pnet_virtio netfs
	cxl_acpi cxl_pci cxl_mem cxl_pmem
	libnvdimm nd_pmem nd_btt dax_pmem device_dax dax_cxl dax_hmem kmem
	autofs4 overlay qemu_fw_cfg)

# Config changes over Debian's, applied with scripts/config after
# localmodconfig; make olddefconfig then fills in what they select
# (PROVE_LOCKING selects PROVE_RCU, DEBUG_LOCK_ALLOC, DEBUG_MUTEXES,
# DEBUG_SPINLOCK, DEBUG_RWSEMS, TRACE_IRQFLAGS).  Checked afterwards:
# the build stops when one did not take.
config_changes=(
	# The release names itself: 7.3.N-cxlnic-debug.
	--set-str LOCALVERSION "$localversion" --disable LOCALVERSION_AUTO
	--set-str BUILD_SALT "$kver"
	# Cut: debug info (DWARF for every object, then BTF with pahole) is
	# most of a Debian build's time and space.  Traces still name
	# functions (KALLSYMS stays); no line numbers.
	--disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT --disable DEBUG_INFO_DWARF4
	--disable DEBUG_INFO_DWARF5 --enable DEBUG_INFO_NONE
	--disable DEBUG_INFO_BTF --disable DEBUG_INFO_BTF_MODULES
	# Cut: module signing (Debian signs with a key it does not ship) and
	# compression: the bench loads its own unsigned modules anyway.
	# MODULE_SIG itself stays, selected by the lockdown LSM: signatures
	# are checked when present, not required (no MODULE_SIG_FORCE).
	--disable MODULE_SIG_ALL --set-str MODULE_SIG_KEY ""
	--disable MODULE_COMPRESS --disable MODULE_COMPRESS_XZ
	--enable MODULE_COMPRESS_NONE
	--set-str SYSTEM_TRUSTED_KEYS ""
	# Cut: Rust (no rustc or bindgen in the root; no Rust code on the
	# bench's path).
	--disable RUST
	# Added: netdevsim, a module nothing loads, because it selects
	# NET_DEVLINK (promptless: only drivers select it; in Debian's
	# config sfc, mlx5 and others, all cut above), which cxlnic.ko's
	# devlink health reporters need.
	--module NETDEVSIM
	# Lockdep: lock order, irq-safety, RCU usage, sleeping in atomic.
	# (Not PROVE_RCU_LIST: it needs RCU_EXPERT, which Debian leaves off
	# and which would let other RCU options drift from Debian's.)
	--enable PROVE_LOCKING --enable PROVE_RCU
	--enable DEBUG_ATOMIC_SLEEP
	# KASAN, generic (shadow memory; inline checks: faster at run time
	# under TCG than a call per access).
	--enable KASAN --enable KASAN_GENERIC --enable KASAN_INLINE
	# KFENCE is in Debian's config but sampling is off (interval 0):
	# 100 ms, upstream's default.
	--enable KFENCE --set-val KFENCE_SAMPLE_INTERVAL 100
	# kmemleak on from boot (not DEFAULT_OFF: the bench never passes
	# kmemleak=on), no scan thread: vmrun scans once at the end of a run,
	# so that a leak is tied to the run and no scan costs CPU meanwhile.
	--enable DEBUG_KMEMLEAK --disable DEBUG_KMEMLEAK_DEFAULT_OFF
	--disable DEBUG_KMEMLEAK_AUTO_SCAN --set-val DEBUG_KMEMLEAK_MEM_POOL_SIZE 16000
	# Object lifetimes: work items, timers, RCU heads, freed objects.
	--enable DEBUG_OBJECTS --enable DEBUG_OBJECTS_FREE --enable DEBUG_OBJECTS_WORK
	--enable DEBUG_OBJECTS_TIMERS --enable DEBUG_OBJECTS_RCU_HEAD
	--set-val DEBUG_OBJECTS_ENABLE_DEFAULT 1
	# List corruption (already on in Debian's config; kept on).
	--enable DEBUG_LIST
)
# What must be on (built in, or a module) after olddefconfig.
want=(PROVE_LOCKING PROVE_RCU DEBUG_ATOMIC_SLEEP KASAN KASAN_GENERIC KFENCE
	DEBUG_KMEMLEAK DEBUG_OBJECTS DEBUG_OBJECTS_WORK DEBUG_OBJECTS_TIMERS
	DEBUG_OBJECTS_RCU_HEAD DEBUG_LIST DEBUG_INFO_NONE CXL_BUS CXL_PORT
	CXL_REGION NET_DEVLINK VIRTIO_PCI OVERLAY_FS)
unwanted=(MODULE_SIG_ALL MODULE_SIG_FORCE RUST DEBUG_INFO_BTF DEBUG_KMEMLEAK_DEFAULT_OFF)

# The source, copied once into the root (the build writes next to it, and
# out-of-tree module builds need the tree at a path the root sees).
src_id=$(cat "$D13_SRC/.cxlnic-unpacked")
if [ "$(cat "$host_tree/.cxlnic-src" 2>/dev/null)" != "$src_id" ]; then
	say "copying $src_id into the root ($tree)"
	rm -rf "$host_tree"
	mkdir -p "$host_tree"
	cp -a "$D13_SRC/." "$host_tree/"
	rm -f "$host_tree/.cxlnic-unpacked"
	echo "$src_id" >"$host_tree/.cxlnic-src"
fi

mk() {
	d13_run nice -n 19 ionice -c 3 make -C "$tree" CC=gcc-14 HOSTCC=gcc-14 "$@"
}

# The config: Debian's, cut to the guest's modules, plus the changes.
# Made anew each time (cheap) and compared with the one last built.
{ echo "Module Size Used by"; printf '%s 0 0\n' "${guest_modules[@]}"; } >"$host_tree/cxlnic-lsmod"
cp "$debian_config" "$host_tree/.config"
# localmodconfig asks about options Debian's config does not answer: the
# defaults (none expected: the config is of this very source).
{ yes '' || true; } | mk LSMOD="$tree/cxlnic-lsmod" localmodconfig >"$host_tree/cxlnic-config.log" 2>&1 ||
	{ tail -n 20 "$host_tree/cxlnic-config.log"; die "localmodconfig failed"; }
"$host_tree/scripts/config" --file "$host_tree/.config" "${config_changes[@]}"
mk olddefconfig >>"$host_tree/cxlnic-config.log" 2>&1 ||
	{ tail -n 20 "$host_tree/cxlnic-config.log"; die "olddefconfig failed"; }
for o in "${want[@]}"; do
	grep -q "^CONFIG_$o=[ym]$" "$host_tree/.config" || die "CONFIG_$o did not end up on"
done
for o in "${unwanted[@]}"; do
	! grep -q "^CONFIG_$o=y$" "$host_tree/.config" || die "CONFIG_$o is still on"
done
say "config: $(grep -c '=m$' "$host_tree/.config") modules, $(grep -c '=y$' "$host_tree/.config") built-in options"

if [ "$(cat "$out/release" 2>/dev/null)" = "$kver" ] && [ -f "$out/vmlinuz" ] &&
	cmp -s "$out/config" "$host_tree/.config" &&
	[ -f "$out/lib/modules/$kver/modules.dep" ]; then
	say "$name ($kver) is built and current: $out"
	exit 0
fi

# The build, in its own process group whose leader's PID is in $pidfile.
say "building $kver ($jobs, nice 19, idle I/O; log in $out/build.log)"
mkdir -p "$out"
rm -f "$out/release"
start=$SECONDS
setsid -w bash -c 'echo $$ >"$1"; shift; exec "$@"' build "$pidfile" \
	unshare -m --propagation private sh -euc '
		mount -t proc proc "$1/proc"
		mount --rbind /dev "$1/dev"
		exec chroot "$1" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 nice -n 19 ionice -c 3 \
			make -C "$2" CC=gcc-14 HOSTCC=gcc-14 "$3" bzImage modules
	' build "$D13_ROOT" "$tree" "$jobs" >"$out/build.log" 2>&1 &
build_pid=$!
wait $build_pid || { rm -f "$pidfile"; tail -n 30 "$out/build.log"; die "the build failed (log: $out/build.log)"; }
rm -f "$pidfile"
secs=$((SECONDS - start))

# Laid out as setup-debian13.sh lays out Debian's kernels.
rm -rf "${out:?}/lib" "$D13_ROOT/tmp/debug-modules"
mk INSTALL_MOD_PATH=/tmp/debug-modules modules_install >>"$out/build.log" 2>&1
mkdir -p "$out/lib"
mv "$D13_ROOT/tmp/debug-modules/lib/modules" "$out/lib/modules"
rm -rf "$D13_ROOT/tmp/debug-modules"
cp "$host_tree/arch/x86/boot/bzImage" "$out/vmlinuz"
cp "$host_tree/.config" "$out/config"
depmod -b "$out" "$kver"
echo "$secs" >"$out/build-seconds"
echo "$kver" >"$out/release"
say "$name ($kver) built in ${secs}s: $out"
say "cxlnic's modules for it come with meson's build; a build directory configured before now needs: meson setup --reconfigure BUILD-DIR"
