#!/bin/bash
# Install every Debian 12 package cxlnic needs to build, test and run, and
# extract checkpatch.pl from Debian's kernel source.  Run as root; safe to
# run again (it does nothing when everything is there).
set -euo pipefail

packages=(
	# build
	gcc make meson ninja-build pkg-config clang libclang-rt-14-dev
	libnl-3-dev libnl-genl-3-dev libjson-c-dev libudev-dev libsystemd-dev
	libcxl-dev libndctl-dev libdaxctl-dev libcmocka-dev
	# kernel modules and their checks
	linux-image-amd64 linux-headers-amd64 linux-source sparse xz-utils
	# the Debian 13 root (6.12 and 7.3 modules, QEMU 11.1)
	debootstrap
	# the emulated machine and what runs in it
	qemu-system-x86 busybox-static cpio gzip kmod udev systemd ndctl
	libnl-utils jq util-linux iproute2 procps socat python3-prometheus-client
	# the kernel's YNL tool (tools/net/ynl of linux-source-7.3), host and guest
	python3-yaml python3-jsonschema
	man-db
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: run as root to install: ${missing[*]}" >&2
		exit 1
	fi
	echo "setup: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The kernel the bench boots and the headers the modules build against
# must be the same version.
kver=$(ls /boot/vmlinuz-*-amd64 | sort -V | tail -n 1 | sed 's|/boot/vmlinuz-||')
if [ ! -f "/lib/modules/$kver/build/Makefile" ]; then
	echo "setup: no headers for $kver; installing linux-headers-$kver"
	apt-get install -y -q --no-install-recommends "linux-headers-$kver"
fi
# Debian installs vmlinuz root-only; the bench reads it as any user.
chmod a+r "/boot/vmlinuz-$kver"

# checkpatch.pl and the data files it reads, from Debian's kernel source.
cp_dir=/var/cache/cxlnic/checkpatch
if [ ! -f "$cp_dir/scripts/checkpatch.pl" ]; then
	src=$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -n 1)
	top=$(basename "$src" .tar.xz)
	mkdir -p "$cp_dir"
	tar -C "$cp_dir" --strip-components=1 -xf "$src" \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch"
fi
# The Debian 13 root, its kernels (6.12, 7.3) and QEMU 11.1.
"$(dirname "$0")/setup-debian13.sh"
echo "setup: ready (kernel $kver)"
