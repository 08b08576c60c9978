# shellcheck shell=bash
# The Debian 13 root: where the modules for 6.12 and 7.3 are built (their
# headers need gcc-14 and glibc 2.38 tools) and where QEMU 11.1 comes from.
# Sourced by scripts/setup-debian13.sh, scripts/build-kernels.sh and
# tests/vm/vmrun.  Nothing here touches the host's dpkg.
#
# The matrix: a name the bench and the README use, the suite its kernel
# comes from.  6.1 is the host's own kernel (Debian 12) and not built here.
D13_ROOT=${CXLNIC_D13_ROOT:-/var/cache/cxlnic/debian13}
D13_KERNELS=/var/cache/cxlnic/kernels
declare -A D13_KERNEL_SUITE=([6.12]=trixie [7.3]=trixie-backports)
# sparse for the Debian 13 kernels, inside the root (see setup-debian13.sh).
D13_SPARSE=/opt/sparse-sid/sparse
# Debian 13's linux-source-7.3, unpacked (see setup-debian13.sh).
D13_SRC=/var/cache/cxlnic/linux-source-7.3
# Its YNL tool, the schema of the family's spec, and the python3 they run
# on: Debian's (python3-yaml, python3-jsonschema), not the first in PATH.
D13_YNL=$D13_SRC/tools/net/ynl/pyynl
D13_YNL_SCHEMA=$D13_SRC/Documentation/netlink/genetlink-c.yaml
D13_YNL_PYTHON=/usr/bin/python3

# d13_mirror SUITE-SUFFIX: the URI the host's own apt configuration gives
# for Debian 12's main suite ("") or its security suite ("-security").
# Only the suite changes for Debian 13: no host name is written anywhere.
d13_mirror() {
	local want="bookworm$1" f
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk -v want="$want" '
				function flush() { if (ok && uri != "") print uri
						   ok = 0; uri = "" }
				/^[[:space:]]*$/ { flush(); next }
				tolower($1) == "uris:" { uri = $2 }
				tolower($1) == "suites:" {
					for (i = 2; i <= NF; i++) if ($i == want) ok = 1 }
				END { flush() }' "$f"
		done
		cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			awk -v want="$want" '$1 == "deb" && $0 !~ /\[/ && $3 == want { print $2 }' || true
	} | awk 'NR == 1'
}

# d13_run CMD...: run CMD in the root as root, with /proc, /dev and the
# directory named by $D13_BIND (the source tree, at the same path) mounted
# in a private mount namespace, so nothing stays mounted afterwards.
d13_run() {
	unshare -m --propagation private sh -euc '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		if [ -n "${D13_BIND:-}" ]; then
			mkdir -p "$r$D13_BIND"
			mount --bind "$D13_BIND" "$r$D13_BIND"
		fi
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' d13_run "$D13_ROOT" "$@"
}

# d13_kver NAME: the release of kernel NAME (6.12, 7.3) fetched by setup.
d13_kver() {
	cat "$D13_KERNELS/$1/release" 2>/dev/null
}

# The host-side paths of kernel NAME, as setup-debian13.sh leaves them.
d13_vmlinuz() { echo "$D13_KERNELS/$1/vmlinuz"; }
d13_kdir() { echo "/usr/src/linux-headers-$(d13_kver "$1")"; }

# d13_qemu ARGS...: QEMU 11.1 from the root, run on the host through the
# root's own loader and libraries, so that it sees the host's paths (the
# 9p shares, the scratch directory).  Its firmware and modules come from
# the root too: QEMU refuses modules of another build.
d13_qemu() {
	local r=$D13_ROOT lib=$D13_ROOT/usr/lib/x86_64-linux-gnu
	QEMU_MODULE_DIR=$lib/qemu exec "$r/usr/lib64/ld-linux-x86-64.so.2" \
		--library-path "$lib:$r/lib/x86_64-linux-gnu" \
		"$r/usr/bin/qemu-system-x86_64" \
		-L "$r/usr/share/qemu" -L "$r/usr/share/seabios" "$@"
}

# d13_varlinkctl ARGS...: systemd 257's varlinkctl from the root, run the
# same way (Debian 12's systemd 252 has none): it checks cxlnicd's
# interface descriptions and calls it as any varlink client would.
d13_varlinkctl() {
	local r=$D13_ROOT lib=$D13_ROOT/usr/lib/x86_64-linux-gnu
	"$r/usr/lib64/ld-linux-x86-64.so.2" --library-path "$lib/systemd:$lib" \
		"$r/usr/bin/varlinkctl" "$@"
}
