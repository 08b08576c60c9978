#!/bin/bash
# The main job: boot the emulated CXL machine, load the modules, show the
# NICs, pull a CXL piece away with traffic running, and show the recovery.
# Safe to run again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/setup.sh"
if [ -d build ]; then
	meson setup --reconfigure build >/dev/null
else
	meson setup build
fi
ninja -C build
CXLNIC_BUILD=$top/build exec tests/vm/vmrun --timeout 900 \
	--env CXLNIC_BUILD -- "$top/tests/vm/demo.sh"
