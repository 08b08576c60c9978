#!/bin/bash
# The cooperating Type 2 NIC on a region whose decoders firmware committed
# but did not lock (vmrun --kernel 7.3 --type2-unlocked): the CXL core may
# reset such decoders as it tears a region down, and the NIC's last write
# into the window must come before any reset.  With frames flowing,
# cxl_mem is unbound under the memdev, the function tracer on the quiesce
# op and on the core's cxl_decoder_reset(): the op ran, no frame entered
# the CXL window after it, and no decoder reset came before it.  7.3 in
# fact resets none: a region whose memdev has an attach method (every one
# of devm_cxl_probe_mem(), sfc's) is locked by the core (CXL_REGION_F_LOCK,
# "the attach provider is responsible"), so the decoders stay committed,
# unlocked, and cxlnicd's bind finds the same region again.
. "$(dirname "$0")/../lib/cxlnic.sh"
SIM_T2=cxlnic_sim_t2_coop
. "$(dirname "$0")/../lib/type2.sh"

[ "$(jq -r '"\(.committed) \(.locked)"' "$FW")" = "true false" ] ||
	fail "needs vmrun --type2-unlocked"
load_cxl
load_cxlnic
insmod "$KMOD/$SIM_T2.ko"
echo "$SIM_T2" >"$sysdir/driver_override"
bind_sim "first probe, on unlocked decoders"
check_stock cxl probe

printf '[defaults]\non_loss = fallback\ngrace_ms = 0\nbackoff_ms = 200\n' >/tmp/cxlnicd.conf
"$B/daemon/cxlnicd" -c /tmp/cxlnicd.conf >/tmp/cxlnicd.log 2>&1 &
DAEMON_PID=$!
trap 'kill $DAEMON_PID 2>/dev/null; cat /tmp/cxlnicd.log' EXIT
wait_until 30 eval '[ "$(daemon_state "$pci" 2>/dev/null)" = on-cxl ]' ||
	fail "cxlnicd says $(daemon_state "$pci") of $pci, expected on-cxl"

# The function tracer, on one clock for both CPUs: the quiesce op and the
# core's decoder reset, in the order they ran.
T=/sys/kernel/tracing
[ -e "$T/trace" ] || mount -t tracefs nodev "$T" || fail "no tracefs"
echo 0 >"$T/tracing_on"
echo mono >"$T/trace_clock"
echo 'sim_t2_quiesce cxl_decoder_reset' >"$T/set_ftrace_filter" ||
	fail "the quiesce op or cxl_decoder_reset is not traceable"
echo function >"$T/current_tracer"
: >"$T/trace"
echo 1 >"$T/tracing_on"
seq=$(history_seq)
unbind_memdev() { echo "$MD" >/sys/bus/cxl/drivers/cxl_mem/unbind; }
pull_flowing "unbinding cxl_mem from $MD" unbind_memdev
echo 0 >"$T/tracing_on"
order=$(grep -o 'sim_t2_quiesce\|cxl_decoder_reset' "$T/trace" | uniq | tr '\n' ' ')
echo nop >"$T/current_tracer"
case $order in
"sim_t2_quiesce ") ok "the quiesce op ran after the last frame into the CXL window; no decoder reset" ;;
"sim_t2_quiesce cxl_decoder_reset ") ok "the last frame into the CXL window, the quiesce, then the core's decoder reset" ;;
*) fail "the quiesce op and the decoder reset ran as: ${order:-neither}" ;;
esac

# The region's decoders, as firmware left them, unlocked: cxlnicd's bind
# finds the region again.
wait_until 60 eval 'sim_bound && [ "$(cat "$simdir/ctpio")" = cxl ]' ||
	fail "cxlnicd did not bring $pci back on CXL; its steps: $(actions_since "$seq")"
[ "$(actions_since "$seq")" = "bind-nic:true link-up:true " ] ||
	fail "cxlnicd's steps: $(actions_since "$seq"), expected bind-nic:true link-up:true"
bind_sim "bound again by cxlnicd, on the same unlocked decoders"
check_stock cxl probe
ok "cxlnicd bound $pci again on the region firmware left unlocked"

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID" || fail "cxlnicd exit $? on SIGTERM"
trap - EXIT
echo "type2 unlocked: ok"
