# shellcheck shell=bash
# skip REASON: a lint test whose prerequisite is missing.  Exit 77 (meson's
# "skipped"); under CI (CI=true) a missing prerequisite is a failure: a
# skip is never counted as a pass.  Sourced by the lint scripts.
skip() {
	echo "SKIP: $*"
	[ "${CI:-}" = true ] && exit 1
	exit 77
}
