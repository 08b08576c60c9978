#!/bin/bash
# run-fuzz.sh FUZZER SEED_DIR SECONDS: run one libFuzzer target for a fixed
# time on a copy of its seeds (new inputs go to a scratch corpus, never
# into the source tree).  A crash, leak or sanitizer report fails the test;
# the reproducer is kept in the build directory.
set -euo pipefail
fuzzer=$(realpath "$1") seeds=$2 seconds=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cd "$(dirname "$fuzzer")"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 \
	-artifact_prefix="$PWD/$(basename "$fuzzer")-" -print_final_stats=1 \
	"$work/corpus" "$seeds" 2>&1 | tail -n 40
