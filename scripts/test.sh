#!/bin/bash
# The test command: install what is needed, build, run the unit, lint and
# vm suites.  Safe to run again.  Extra arguments go to `meson test`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh"
cd "$top"
exec meson test -C build --print-errorlogs --suite unit --suite lint \
	--suite vm "$@"
