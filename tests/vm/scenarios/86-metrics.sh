#!/bin/bash
# Metrics for the fleet: cxlnicd writes Prometheus text format into a
# node_exporter textfile directory; after a loss and a recovery the file
# parses (prometheus_client's parser) and matches `cxlnicctl list --json`
# and, for cxlnicd's state of each NIC, its status,
# and counts the recovery with its duration.
. "$(dirname "$0")/../lib/cxlnic.sh"

SRC=$(cd "$(dirname "$0")/../../.." && pwd)
conf=/tmp/cxlnicd.conf
dir=/run/node-exporter
prom=$dir/cxlnic.prom

load_cxl
load_cxlnic
pci0=$(nic_pci 0)
mkdir -p $dir
write_daemon_conf $conf
printf '\n[metrics]\ntextfile_dir = %s\ninterval_s = 1\n' $dir >>$conf
daemon_start $conf
tx_start 0
pull_piece memdev 0
wait_until 20 counter_above 0 fallbacks 0 || fail "NIC 0 did not fall back"
wait_until 120 on_cxl 0 || fail "NIC 0 not back on CXL"
counter_grows 0 cxl_packets || fail "no CXL traffic"
tx_stop 0
sleep 3		# a metrics refresh after the counters stood still
"$CTL" list --json >/tmp/list.json
for p in $(jq -r '.[].pci_addr' /tmp/list.json); do
	"$CTL" status "$p" --json
done | jq -s . >/tmp/status.json
cat $prom
python3 "$SRC/tests/vm/tools/check-metrics.py" $prom /tmp/list.json /tmp/status.json ||
	fail "metrics do not parse or do not match cxlnicctl list --json"
grep -q "^cxlnic_recoveries_total{nic=\"$pci0\"} 1$" $prom ||
	fail "the recovery of NIC 0 is not counted"
awk -v p="$pci0" '$1 == "cxlnic_recovery_seconds_total{nic=\"" p "\"}" && $2 > 0 { f = 1 }
	END { exit !f }' $prom || fail "no recovery duration"
[ ! -e $prom.tmp ] || fail "temporary file left behind"
ok "metrics parse, match cxlnicctl list --json, count the recovery"
daemon_stop
