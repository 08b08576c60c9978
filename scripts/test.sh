#!/bin/bash
# The test command: install what is needed, build, run the unit, lint and
# vm suites; then, in a second build with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, the unit suite again and each fuzz target for
# a short fixed time.  Safe to run again.  Extra arguments go to the first
# `meson test`.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/build.sh"
cd "$top"
meson test -C build --print-errorlogs --suite unit --suite lint --suite vm "$@"

# The sanitizer and fuzz build (clang): the unit suite, each fuzz target
# for fuzz_seconds, and the vm tests that drive cxlnicd and cxlnicctl hard,
# with both binaries built with ASan and UBSan (the guest gets the options
# through vmrun).  Any report, or a leak at a clean exit, fails the test.
if [ -d build-san ]; then
	meson setup --reconfigure build-san >/dev/null
else
	CC=clang meson setup build-san -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false
fi
ninja -C build-san
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
meson test -C build-san --print-errorlogs --suite unit --suite fuzz
meson test -C build-san --print-errorlogs --suite vm daemon-recovery \
	daemon-control cli metrics faults dax
