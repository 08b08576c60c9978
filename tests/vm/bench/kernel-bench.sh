#!/bin/bash
# Kernel-half benchmark; prints figures, asserts nothing.
#  1. Quiesce latency: from the start of a CXL teardown (region unbind) to
#     the NIC's last write through the CXL window, against the cost of the
#     "unload the driver" answer (unbind and re-probe of the NIC's driver),
#     measured in the same run.
#  2. TX throughput with the switchable (RCU) window against the same engine
#     built with a fixed window (cxlnic_sim_fixed.ko).
. "$(dirname "$0")/../lib/cxlnic.sh"
set +e

ROUNDS=${ROUNDS:-10}
now_ns() { local t=$EPOCHREALTIME; echo $((${t/./} * 1000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

load_cxl
load_cxlnic
region=$(ensure_region 0)
pci=$(nic_pci 0)
sysd=$(nic_sysfs 0)
drv=/sys/bus/pci/drivers/cxlnic_sim
: >/tmp/quiesce /tmp/detach /tmp/reprobe

for i in $(seq 1 "$ROUNDS"); do
	attach 0 "$region"
	tx_start 0 0
	counter_grows 0 cxl_packets
	# The teardown starts with the unbind write itself (a shell builtin,
	# no process start in between).
	t0=$(now_ns)
	echo "$region" >/sys/bus/cxl/drivers/cxl_region/unbind
	last=$(cat "$sysd/last_cxl_write_ns")
	det=$(cat "$sysd/cxl_detached_ns")
	echo $(((last - t0) / 1000)) >>/tmp/quiesce
	echo $(((det - t0) / 1000)) >>/tmp/detach
	echo "$region" >/sys/bus/cxl/drivers/cxl_region/bind

	# The "unload the driver" answer: release the NIC's PCI driver and
	# probe it again; the NIC sends nothing in between.
	t0=$(now_ns)
	echo "$pci" >$drv/unbind
	echo "$pci" >$drv/bind
	t1=$(now_ns)
	echo $(((t1 - t0) / 1000)) >>/tmp/reprobe
	wait_until 20 nics_ready
done
q=$(median </tmp/quiesce)
d=$(median </tmp/detach)
r=$(median </tmp/reprobe)
echo "quiesce: last CXL write after teardown start: median ${q} us (of $ROUNDS)"
echo "quiesce: CXL window unmapped after teardown start: median ${d} us"
echo "unload-the-driver: unbind + re-probe of the NIC driver: median ${r} us (NIC sends nothing meanwhile)"
awk -v q="$q" -v d="$d" -v r="$r" 'BEGIN {
	printf "ratio: re-probe / quiesce(window unmapped) = %.2f\n", r / (d > 0 ? d : 1) }'

# Throughput on the PCI window, unthrottled, switchable vs fixed build.
tx_rate_run() {
	local s=$1 a b
	echo 0 >"$s/tx_rate"
	echo 1 >"$s/tx_enable"
	sleep 1
	a=$(cat "$s/tx_packets")
	sleep 3
	b=$(cat "$s/tx_packets")
	echo 0 >"$s/tx_enable"
	echo $(((b - a) / 3))
}
: >/tmp/sw
: >/tmp/fixed
"$CTL" detach "$pci" >/dev/null
for i in 1 2 3 4 5; do
	tx_rate_run "$sysd" >>/tmp/sw
	rmmod cxlnic_sim
	insmod "$KMOD/cxlnic_sim_fixed.ko"
	tx_rate_run "$(nic_sysfs 0)" >>/tmp/fixed
	rmmod cxlnic_sim_fixed
	insmod "$KMOD/cxlnic_sim.ko"
	wait_until 20 nics_ready
done
sw=$(median </tmp/sw)
fx=$(median </tmp/fixed)
echo "tx: switchable window ${sw} pkt/s, fixed window ${fx} pkt/s (median of 5)"
awk -v s="$sw" -v f="$fx" 'BEGIN {
	printf "ratio: switchable / fixed = %.3f\n", s / (f > 0 ? f : 1) }'
