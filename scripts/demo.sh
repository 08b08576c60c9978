#!/bin/bash
# The main job: boot the emulated CXL machine, load the modules, start
# cxlnicd, show the NICs, pull a CXL piece away with traffic running, and
# show the recovery.  Safe to run again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh"
cd "$top"
CXLNIC_BUILD=$top/build exec tests/vm/vmrun --timeout 900 \
	--env CXLNIC_BUILD -- "$top/tests/vm/demo.sh"
