#!/bin/bash
# Install what is needed (scripts/setup.sh), configure and build into
# build/.  Safe to run again.  Used by test.sh and demo.sh.
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
