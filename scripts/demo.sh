#!/bin/bash
# The main job: boot the emulated CXL machine, load the modules, start
# cxlnicd, show the NICs, pull a CXL piece away with traffic running, and
# show the recovery.  Safe to run again.
#   demo.sh [--kernel 6.1|6.12|7.3]   (default 7.3, the kernel with sfc CXL)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh"
cd "$top"
kernel=7.3
[ "${1:-}" = --kernel ] && kernel=${2:?--kernel 6.1, 6.12 or 7.3}
CXLNIC_BUILD=$top/build exec tests/vm/vmrun --kernel "$kernel" --timeout 900 \
	--env CXLNIC_BUILD -- "$top/tests/vm/demo.sh"
