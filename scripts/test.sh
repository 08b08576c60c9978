#!/bin/bash
# The test command: install what is needed, build, run the unit, lint and
# vm suites; then, in a second build with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, the unit suite again and each fuzz target for
# a short fixed time.  Safe to run again.  Extra arguments go to the
# `meson test` of the unit and lint suites.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# How long each phase took, said as it ends and again at the end.
phases=()
phase_start=$SECONDS
phase_end() {
	phases+=("$1: $((SECONDS - phase_start)) s")
	echo "test.sh: phase ${phases[-1]}"
	phase_start=$SECONDS
}
# What the test command does not run, said at the end as well: never a
# silent skip.
not_run="the suite vm-debug (every 7.3 scenario and debug-selftest on the debug kernel, 7.3 with lockdep, KASAN, KFENCE and kmemleak): building that kernel takes 34 min on two cores and its scenarios 3 to 30 min each, past this command's hour (docs/reliability.md, The debug kernel); run it with: scripts/build-debug-kernel.sh; meson test -C build --suite vm-debug"
trap 'printf "test.sh: %s\n" "${phases[@]}" "not run: $not_run"' EXIT
"$top/scripts/build.sh"
phase_end "setup and build"
cd "$top"
meson test -C build --print-errorlogs --suite unit --suite lint "$@"
phase_end "unit and lint"
# The vm tests that drive cxlnicd and cxlnicctl hardest run on 7.3 once,
# with both binaries built with ASan and UBSan (below), not twice.
san_vm=(daemon-recovery daemon-control cli metrics faults dax)
# The vm suite, one kernel after the other (meson prints a line per test:
# NAME@KERNEL, result, seconds).
# A failure on one kernel does not stop the others; the run fails at the end.
vm_tests_on() {
	meson test -C build --list --suite vm 2>/dev/null |
		sed -n "s|^cxlnic:vm / \(.*@$1\)\$|\1|p" |
		grep -vxF -f <([ "$1" = 7.3 ] && printf '%s@7.3\n' "${san_vm[@]}" || true)
}
failed=()
for k in 7.3 6.12 6.1; do
	# shellcheck disable=SC2046
	meson test -C build --print-errorlogs $(vm_tests_on "$k") ||
		failed+=("vm suite on $k")
	phase_end "vm suite on $k"
done
meson test -C build --print-errorlogs vmrun-selftest vm-matrix ||
	failed+=("vmrun self-test")
phase_end "vmrun self-test"

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
phase_end "sanitizer build, unit and fuzz"
# shellcheck disable=SC2046
meson test -C build-san --print-errorlogs $(printf '%s@7.3 ' "${san_vm[@]}") ||
	failed+=("sanitizer vm tests on 7.3")
phase_end "sanitizer vm tests on 7.3"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'test.sh: FAILED: %s\n' "${failed[@]}"
	exit 1
fi
