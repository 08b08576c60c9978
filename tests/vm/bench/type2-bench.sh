#!/bin/bash
# The Type 2 benchmark (vmrun --kernel 7.3 --type2); prints figures,
# asserts nothing.  Per kind of loss (the memdev's cxl_mem unbound, its
# endpoint port's cxl_port unbound, cxl_acpi unloaded and loaded again 2 s
# later), in one run:
#   (a) the stock NIC with upstream alone: the CXL core releases its driver
#       and nothing binds it again; its downtime lasts until an
#       administrator's bind, and it is never back on CXL by itself;
#   (b) the stock NIC with cxlnicd (on_loss = fallback): downtime from the
#       core's release to its new netdev up (sending again), and the time
#       from the loss (from the root's return, for cxl_acpi) back on CXL;
#   (c) a cooperating NIC (cxlnic_sim on a Type 3 region, its TX engine
#       running) with cxlnicd's fallback: the longest stretch in which its
#       packet counter did not grow, and the time back on CXL;
#   (d) the stock NIC's driver with its quiesce op (cxlnic_sim_t2_coop, as
#       sfc with kernel/patches/0002) with cxlnicd, measured as (b): it
#       sends on its plain window from the quiesce to the core's release.
# Polls with bash builtins at 20 ms, so figures are good to a few tens of
# milliseconds on this machine.
. "$(dirname "$0")/../lib/cxlnic.sh"
. "$(dirname "$0")/../lib/type2.sh"
set +e

WAIT_A=${WAIT_A:-10}	# seconds to watch upstream leave the NIC unbound
KINDS="memdev port acpi"

ms_now() {
	local t=$EPOCHREALTIME
	NOW=$((${t/./} / 1000))
}
mkfifo /tmp/tick
exec 9<>/tmp/tick
nap() { read -rt 0.02 -u 9; }
# until_ms LIMIT CMD...: poll CMD until it holds (NOW: when) or LIMIT ms.
until_ms() {
	local limit=$1 start
	shift
	ms_now
	start=$NOW
	until "$@"; do
		ms_now
		((NOW - start > limit)) && return 1
		nap
	done
	ms_now
}
driver_gone() { [ ! -e "$sysdir/driver" ]; }
netdev_up() {
	local f fl
	for f in "$sysdir"/net/*/flags; do
		{ [ -e "$f" ] && read -r fl <"$f" && ((fl & 1)); } 2>/dev/null &&
			return 0
	done
	return 1
}
ctpio_is() {
	local c
	{ [ -e "$sysdir/driver" ] && read -r c <"$simdir/ctpio"; } 2>/dev/null &&
		[ "$c" = "$1" ]
}
# The cooperating NIC 0's TX counter and its last write into the CXL window.
coop=$(nic_sysfs 0)
cxl_written_since() {
	local w
	read -r w <"$coop/last_cxl_write_ns"
	[ "$w" != "$1" ]
}
# gap_watch FILE: in the background, the longest stretch (ms) in which NIC
# 0's TX counter did not grow, written to FILE when it is told to stop.
gap_watch() {
	local out=$1
	(
		read -r last <"$coop/tx_packets"
		ms_now
		grew=$NOW gap=0
		trap 'ms_now; ((NOW - grew > gap)) && gap=$((NOW - grew)); echo $gap >"$out"; exit 0' TERM
		while :; do
			read -r p <"$coop/tx_packets"
			ms_now
			if [ "$p" != "$last" ]; then
				((NOW - grew > gap)) && gap=$((NOW - grew))
				grew=$NOW last=$p
			fi
			nap
		done
	) &
	GAP_PID=$!
}
# pull_stock KIND: take KIND away from the stock NIC's chain.
pull_stock() {
	case $1 in
	memdev) echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind ;;
	port) echo "$(endpoint_of_memdev "$MD")" >/sys/bus/cxl/drivers/cxl_port/unbind ;;
	acpi) rmmod cxl_acpi ;;
	esac
}
# stock_with_cxlnicd X: per kind, the stock NIC's time from the loss to
# the core's release (REL_X), from the release to its new netdev up
# (DOWN_X) and from the loss (the root's return, for cxl_acpi) back on CXL
# (BACK_X), cxlnicd running.
stock_with_cxlnicd() {
	local -n rel_ms=REL_$1 down=DOWN_$1 back=BACK_$1
	local kind t0 rel
	for kind in $KINDS; do
		bind_sim "before $kind" >/dev/null 2>&1
		ms_now
		t0=$NOW
		pull_stock "$kind"
		until_ms 30000 driver_gone
		rel=$NOW
		rel_ms[$kind]=$((rel - t0))
		until_ms 60000 netdev_up
		down[$kind]=$((NOW - rel))
		if [ "$kind" = acpi ]; then
			sleep 2
			ms_now
			t0=$NOW
			modprobe cxl_acpi
		fi
		until_ms 60000 ctpio_is cxl
		back[$kind]=$((NOW - t0))
		wait_until 60 on_cxl 0
		wait_until 60 on_cxl 1
	done
}
declare -A DOWN_A REL_B DOWN_B BACK_B GAP_C BACK_C REL_D DOWN_D BACK_D

load_cxl
insmod "$KMOD/cxlnic_sim_t2.ko"
bind_sim "first probe" >/dev/null 2>&1
load_cxlnic

# (a) upstream alone.
for kind in $KINDS; do
	bind_sim "before $kind" >/dev/null 2>&1
	ms_now
	t0=$NOW
	pull_stock "$kind"
	until_ms 30000 driver_gone
	rel=$NOW
	sleep "$WAIT_A"
	if driver_gone; then
		DOWN_A[$kind]="released $((rel - t0)) ms after the loss, still unbound ${WAIT_A} s later: down until an administrator's bind; CXL never"
	else
		DOWN_A[$kind]="bound again by something else"
	fi
	[ "$kind" = acpi ] && modprobe cxl_acpi && udevadm settle
	# The administrator.
	echo "$pci" >/sys/bus/pci/drivers/cxlnic_sim_t2/bind 2>/dev/null
done
bind_sim "before cxlnicd" >/dev/null 2>&1

# (b) and (c): cxlnicd with both kinds of NIC.
write_daemon_conf /tmp/cxlnicd.conf
daemon_start /tmp/cxlnicd.conf
stock_with_cxlnicd B
tx_start 0 2000
for kind in $KINDS; do
	wait_until 60 on_cxl 0
	gap_watch /tmp/gap
	ms_now
	t0=$NOW
	# The loss quiesces the NIC before the unbind returns: no CXL write
	# after this one until it is back.
	pull_piece "$kind" 0
	read -r w0 <"$coop/last_cxl_write_ns"
	if [ "$kind" = acpi ]; then
		sleep 2
		ms_now
		t0=$NOW
		modprobe cxl_acpi
	fi
	until_ms 60000 cxl_written_since "$w0"
	BACK_C[$kind]=$((NOW - t0))
	kill -TERM "$GAP_PID"
	wait "$GAP_PID"
	GAP_C[$kind]=$(cat /tmp/gap)
	wait_until 60 ctpio_is cxl
done
daemon_stop

# (d): the same NIC, its driver now the one with the quiesce op.  cxlnicd
# starts after the swap: it learns the netdev's state (up) only as it
# reconciles, so a netdev set up since its last reconcile is not set up
# again after a release that comes within its grace period (a known gap,
# README).
echo "$pci" >/sys/bus/pci/drivers/cxlnic_sim_t2/unbind
rmmod cxlnic_sim_t2
SIM_T2=cxlnic_sim_t2_coop simdir=$sysdir/cxlnic_sim_t2_coop
insmod "$KMOD/$SIM_T2.ko"
echo "$SIM_T2" >"$sysdir/driver_override"
bind_sim "the driver with its quiesce op" >/dev/null 2>&1
daemon_start /tmp/cxlnicd.conf
stock_with_cxlnicd D
daemon_stop

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }
for kind in $KINDS; do
	echo "type2 $kind (a) upstream alone: ${DOWN_A[$kind]}"
	echo "type2 $kind (b) stock with cxlnicd: released ${REL_B[$kind]} ms after the loss (writing into the CXL window until then), down: ${DOWN_B[$kind]} ms, back on CXL: ${BACK_B[$kind]} ms"
	echo "type2 $kind (c) cooperating with cxlnicd's fallback: longest TX gap: ${GAP_C[$kind]} ms, back on CXL: ${BACK_C[$kind]} ms"
	echo "type2 $kind (d) stock with its quiesce op, with cxlnicd: released ${REL_D[$kind]} ms after the loss (on the plain window until then), down: ${DOWN_D[$kind]} ms, back on CXL: ${BACK_D[$kind]} ms"
	echo "type2 $kind ratio (b)/(c) back on CXL: $(ratio "${BACK_B[$kind]}" "${BACK_C[$kind]}"), (d)/(c): $(ratio "${BACK_D[$kind]}" "${BACK_C[$kind]}"); (a)/(c): never back"
done
