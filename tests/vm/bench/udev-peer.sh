#!/bin/bash
# The usual way without cxlnicd, the benchmark's peer: a udev rule runs this
# on every CXL add or bind event.  It does what an administrator's script
# would: for each NIC not on CXL, bring its memdev back (cxl_mem bind, or a
# reset of its PCI function when 6.1 refuses), clear stale regions, create
# one with cxl-cli and attach it with cxlnicctl.  One instance at a time.
#   udev-peer.sh BUILD_DIR
export CXLNIC_BUILD=$1
. "$(dirname "$0")/../lib/cxlnic.sh"
set +e

exec 9>/run/cxlnic-peer.lock 2>>/run/cxlnic-peer.log
flock 9
for nic in 0 1; do
	on_cxl $nic && continue
	memdevs_ready || exit 0
	region=$(ensure_region $nic) || continue
	attach $nic "$region" && log "peer: NIC $nic on CXL via $region"
done
