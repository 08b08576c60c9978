#!/bin/bash
# The family's YNL spec (kernel/Documentation/netlink/specs/cxlnic.yaml)
# against the kernel's own YNL tool, tools/net/ynl of Debian's
# linux-source-7.3 (unpacked by scripts/setup.sh):
#  - cli.py validates it against the genetlink-c schema;
#  - the UAPI header that ynl_gen_c.py makes from it names every enum,
#    entry and define of include/uapi/linux/cxlnic.h, with the same value.
# The vm suite drives the family with cli.py (tests/vm/lib/ynl.sh).
#   ynl-spec-test.sh
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/debian13.sh
. "$src/scripts/debian13.sh"
# shellcheck source=scripts/lint-skip.sh
. "$(dirname "$0")/lint-skip.sh"
fail() { echo "FAIL: $*"; exit 1; }
py=$D13_YNL_PYTHON
ynl=$D13_YNL
[ -f "$D13_SRC/.cxlnic-unpacked" ] || skip "no linux-source-7.3 under $D13_SRC (scripts/setup.sh)"
"$py" -c 'import yaml, jsonschema' 2>/dev/null ||
	skip "no python3-yaml or python3-jsonschema (scripts/setup.sh)"

# The generator finds the kernel's root by its MAINTAINERS and both tools
# find the schema by the spec's place under Documentation/netlink/: give
# them that layout around a copy of the spec.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/Documentation/netlink/specs"
: >"$tmp/MAINTAINERS"
ln -s "$D13_YNL_SCHEMA" "$tmp/Documentation/netlink/"
spec=$tmp/Documentation/netlink/specs/cxlnic.yaml
cp "$src/kernel/Documentation/netlink/specs/cxlnic.yaml" "$spec"
grep -q '^protocol: genetlink-c$' "$spec" || fail "the spec is not genetlink-c"

echo "== cli.py --validate ($(cat "$D13_SRC/.cxlnic-unpacked"))"
"$py" "$ynl/cli.py" --spec "$spec" --validate || fail "the spec does not validate"

echo "== ynl_gen_c.py --mode uapi --header"
"$py" "$ynl/ynl_gen_c.py" --mode uapi --header --spec "$spec" -o "$tmp/gen.h" ||
	fail "the generator refuses the spec"

# A program that prints each name the generated header defines, with its
# value; built once on each header, the two outputs must be the same.  A
# name missing from ours fails its build.
{
	echo '#include <stdio.h>'
	echo '#include HEADER'
	echo 'int main(void)'
	echo '{'
	sed -n 's/^enum \([a-z0-9_]*\) {$/\tprintf("enum %s\\n", "\1"); (void)sizeof(enum \1);/p' "$tmp/gen.h"
	sed -n 's/^\t\([A-Z_][A-Z0-9_]*\)\( = .*\)\{0,1\},\{0,1\}$/\tprintf("%s=%lld\\n", "\1", (long long)\1);/p' "$tmp/gen.h"
	sed -n 's/^#define \([A-Z_][A-Z0-9_]*\)\t".*"$/\tprintf("%s=%s\\n", "\1", \1);/p' "$tmp/gen.h"
	sed -n 's/^#define \([A-Z_][A-Z0-9_]*\)\t[0-9].*$/\tprintf("%s=%lld\\n", "\1", (long long)\1);/p' "$tmp/gen.h"
	echo '	return 0;'
	echo '}'
} >"$tmp/names.c"
n=$(grep -c printf "$tmp/names.c")
[ "$n" -gt 50 ] || fail "only $n names read from the generated header"
built() { # HEADER OUT
	cc -std=c11 -Wall -Werror -DHEADER="\"$1\"" -o "$tmp/names" "$tmp/names.c" ||
		fail "$1 lacks a name of the generated header"
	"$tmp/names" >"$2"
}
built "$tmp/gen.h" "$tmp/gen.out"
built "$src/include/uapi/linux/cxlnic.h" "$tmp/uapi.out"
diff -u "$tmp/gen.out" "$tmp/uapi.out" ||
	fail "include/uapi/linux/cxlnic.h and the header generated from the spec differ (above)"
echo "the spec validates, and the $n names generated from it are those of the UAPI header"
