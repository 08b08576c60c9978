#!/bin/bash
# Make the Debian 13 root (scripts/debian13.sh) once and cache it under
# /var/cache/cxlnic: debootstrap, then gcc-14, make, libelf, sparse, the
# headers of 6.12 (Debian 13) and 7.3 (Debian 13 backports) and QEMU 11.1
# (backports); fetch the two kernels' images and modules and unpack them
# with dpkg-deb -x next to the root, not into the host's dpkg.  Run as
# root; safe to run again (each step is skipped once done).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/debian13.sh
. "$here/debian13.sh"

# What the root holds.  A change here rebuilds it (the stamp below).
# systemd: its varlinkctl (systemd 257) calls cxlnicd's control socket.
root_packages=(gcc-14 make libelf-dev sparse kmod xz-utils zstd
	ca-certificates python3 python3-yaml python3-jsonschema systemd)
bpo_packages=(qemu-system-x86)
stamp="debian13 v1: ${root_packages[*]} / ${bpo_packages[*]}"

say() { echo "setup-debian13: $*"; }

make_root() {
	local mirror security
	mirror=$(d13_mirror "")
	security=$(d13_mirror -security)
	[ -n "$mirror" ] || { say "no Debian mirror in the host's apt sources"; exit 1; }
	rm -rf "$D13_ROOT.new"
	mkdir -p "$(dirname "$D13_ROOT")"
	say "debootstrap trixie (a few minutes, once)"
	debootstrap --variant=minbase --include=apt,ca-certificates trixie \
		"$D13_ROOT.new" "$mirror" >"$D13_ROOT.log" 2>&1 ||
		{ tail -n 30 "$D13_ROOT.log"; exit 1; }
	{
		printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates trixie-backports\n' "$mirror"
		printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		if [ -n "$security" ]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: trixie-security\n' "$security"
			printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		fi
	} >"$D13_ROOT.new/etc/apt/sources.list.d/debian.sources"
	rm -f "$D13_ROOT.new/etc/apt/sources.list"
	# Nothing starts services in the root; docs only fill the cache.
	printf '#!/bin/sh\nexit 101\n' >"$D13_ROOT.new/usr/sbin/policy-rc.d"
	chmod +x "$D13_ROOT.new/usr/sbin/policy-rc.d"
	printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\n' \
		>"$D13_ROOT.new/etc/dpkg/dpkg.cfg.d/01-nodoc"
	rm -rf "$D13_ROOT"
	mv "$D13_ROOT.new" "$D13_ROOT"
}

install_packages() {
	local h612 h73
	say "apt in the root: ${root_packages[*]}, headers, ${bpo_packages[*]}"
	d13_run apt-get update -q >/dev/null
	h612=$(headers_of trixie)
	h73=$(headers_of trixie-backports)
	[ -n "$h612" ] && [ -n "$h73" ] || { say "no kernel headers in trixie or its backports"; exit 1; }
	d13_run apt-get install -y -q --no-install-recommends \
		"${root_packages[@]}" "$h612/trixie" "$h73/trixie-backports" \
		>"$D13_ROOT.log" 2>&1 || { tail -n 30 "$D13_ROOT.log"; exit 1; }
	# Backports with what they depend on from backports too.
	d13_run apt-get install -y -q --no-install-recommends -t trixie-backports \
		"${bpo_packages[@]}" >>"$D13_ROOT.log" 2>&1 ||
		{ tail -n 30 "$D13_ROOT.log"; exit 1; }
	d13_run apt-get clean
}

# headers_of SUITE: the versioned headers package that suite's
# linux-headers-amd64 points at (linux-headers-7.3.4+deb13-amd64, ...).
headers_of() {
	d13_run apt-cache show "linux-headers-amd64/$1" 2>/dev/null |
		grep -m 1 '^Depends:' | grep -o 'linux-headers-[0-9][^ ,]*' || true
}

# fetch_kernel NAME: the image of kernel NAME whose headers the root holds,
# unpacked into $D13_KERNELS/NAME: vmlinuz, lib/modules, release.
fetch_kernel() {
	local name=$1 suite=${D13_KERNEL_SUITE[$1]} kver dir deb pkg
	dir=$D13_KERNELS/$name
	kver=$(headers_of "$suite")
	kver=${kver#linux-headers-}
	[ -n "$kver" ] || { say "no kernel in $suite"; exit 1; }
	if [ "$(cat "$dir/release" 2>/dev/null)" = "$kver" ] &&
		[ -f "$dir/vmlinuz" ] && [ -f "$dir/lib/modules/$kver/modules.builtin" ]; then
		return
	fi
	say "fetching linux-image-$kver ($suite)"
	rm -rf "$dir" "$D13_ROOT/tmp/kernel-debs"
	mkdir -p "$D13_ROOT/tmp/kernel-debs" "$dir"
	# 7.x splits the image into linux-binary (vmlinuz) and linux-modules.
	for pkg in linux-image linux-binary linux-modules; do
		d13_run apt-cache show "$pkg-$kver/$suite" >/dev/null 2>&1 || continue
		d13_run sh -c "cd /tmp/kernel-debs && apt-get -o APT::Sandbox::User=root download -q $pkg-$kver/$suite" >/dev/null
	done
	for deb in "$D13_ROOT"/tmp/kernel-debs/*.deb; do
		dpkg-deb -x "$deb" "$dir/unpacked"
	done
	mkdir -p "$dir/lib"
	mv "$dir/unpacked/lib/modules" "$dir/lib/modules" 2>/dev/null ||
		mv "$dir/unpacked/usr/lib/modules" "$dir/lib/modules"
	# /boot/vmlinuz-KVER up to 6.x, /usr/lib/modules/KVER/vmlinuz in 7.x.
	mv "$dir/unpacked/boot/vmlinuz-$kver" "$dir/vmlinuz" 2>/dev/null ||
		mv "$dir/lib/modules/$kver/vmlinuz" "$dir/vmlinuz"
	chmod a+r "$dir/vmlinuz"
	rm -rf "$dir/unpacked" "$D13_ROOT/tmp/kernel-debs"
	# 7.x's image packages leave the list of built-in modules to the headers
	# (which the root holds): without it modprobe of one fails.
	cp -n "$D13_ROOT/usr/lib/modules/$kver"/modules.builtin* "$dir/lib/modules/$kver/" 2>/dev/null || true
	[ -f "$dir/lib/modules/$kver/modules.order" ] || : >"$dir/lib/modules/$kver/modules.order"
	depmod -b "$dir" "$kver"
	echo "$kver" >"$dir/release"
}

# Debian's 7.x headers lack scripts/checker-valid.sh, which their Makefile
# runs for C=1 and C=2 (sparse) and, not finding it, turns sparse off.
# This stands in for it: the checker is valid when it runs.
add_checker_valid() {
	local h
	for h in "$D13_ROOT"/usr/src/linux-headers-*-common; do
		[ -f "$h/scripts/checker-valid.sh" ] && continue
		printf '#!/bin/sh
# Written by cxlnic setup: missing from the headers package.
"$@" -E /dev/null >/dev/null 2>&1 && echo 1
' \
			>"$h/scripts/checker-valid.sh"
		chmod +x "$h/scripts/checker-valid.sh"
	done
}

if [ "$(cat "$D13_ROOT/.cxlnic-stamp" 2>/dev/null)" != "$stamp" ]; then
	[ -d "$D13_ROOT/usr" ] || make_root
	install_packages
	echo "$stamp" >"$D13_ROOT/.cxlnic-stamp"
fi
# sparse 0.6.4 (Debian 13) cannot parse 7.x's headers (__typeof_unqual__);
# sid's 0.6.5 can.  Its binary needs only glibc 2.38, so it is unpacked
# into the root's /opt, fetched by the root's apt with its own source list
# (sid never enters the root's dpkg or its apt sources).
fetch_sid_sparse() {
	local mirror opts
	[ -x "$D13_ROOT$D13_SPARSE" ] && return
	mirror=$(d13_mirror "")
	say "fetching sparse from sid"
	mkdir -p "$D13_ROOT/var/lib/apt/lists-sid/partial" "$D13_ROOT/tmp/sid-debs"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s sid main\n' \
		"$mirror" >"$D13_ROOT/etc/apt/sid-only.list"
	opts="-o Dir::Etc::SourceList=/etc/apt/sid-only.list -o Dir::Etc::SourceParts=/nonexistent"
	# The mirror's sid may lag behind its Valid-Until: signed still, only old.
	opts="$opts -o Dir::State::Lists=/var/lib/apt/lists-sid -o Acquire::Check-Valid-Until=false"
	d13_run sh -c "apt-get $opts update -q && cd /tmp/sid-debs && apt-get $opts -o APT::Sandbox::User=root download -q sparse/sid" \
		>>"$D13_ROOT.log" 2>&1 || { tail -n 20 "$D13_ROOT.log"; exit 1; }
	rm -rf "$D13_ROOT/tmp/sid-sparse"
	dpkg-deb -x "$D13_ROOT"/tmp/sid-debs/sparse_*.deb "$D13_ROOT/tmp/sid-sparse"
	mkdir -p "$(dirname "$D13_ROOT$D13_SPARSE")"
	cp "$D13_ROOT/tmp/sid-sparse/usr/bin/sparse" "$D13_ROOT$D13_SPARSE"
	rm -rf "$D13_ROOT/tmp/sid-sparse" "$D13_ROOT/tmp/sid-debs" "$D13_ROOT/var/lib/apt/lists-sid" \
		"$D13_ROOT/etc/apt/sid-only.list"
}

# The 7.3 source tree, unpacked once under /var/cache/cxlnic: the kernel's
# YNL tool (tools/net/ynl) and its netlink specs' schemas come from it, and
# the CXL core patch under kernel/patches/ is applied to a copy of its
# drivers/cxl and compile-tested against it.
fetch_linux_source() {
	local kver=7.3 pkg
	[ -f "$D13_SRC/.cxlnic-unpacked" ] && return
	say "fetching linux-source-$kver (trixie-backports)"
	rm -rf "$D13_ROOT/tmp/src-debs" "$D13_SRC.new"
	mkdir -p "$D13_ROOT/tmp/src-debs" "$D13_SRC.new"
	d13_run sh -c "cd /tmp/src-debs && apt-get -o APT::Sandbox::User=root download -q linux-source-$kver/trixie-backports" \
		>>"$D13_ROOT.log" 2>&1 || { tail -n 20 "$D13_ROOT.log"; exit 1; }
	pkg=$(ls "$D13_ROOT"/tmp/src-debs/linux-source-"$kver"_*.deb)
	dpkg-deb --fsys-tarfile "$pkg" |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$D13_SRC.new" --strip-components=1
	rm -rf "$D13_ROOT/tmp/src-debs" "$D13_SRC"
	basename "$pkg" .deb >"$D13_SRC.new/.cxlnic-unpacked"
	mv "$D13_SRC.new" "$D13_SRC"
}

add_checker_valid
fetch_sid_sparse
fetch_linux_source
for k in "${!D13_KERNEL_SUITE[@]}"; do
	fetch_kernel "$k"
done
say "ready: $(for k in "${!D13_KERNEL_SUITE[@]}"; do printf '%s=%s ' "$k" "$(d13_kver "$k")"; done)"
