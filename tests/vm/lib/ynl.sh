# shellcheck shell=bash
# The kernel's own YNL tool (tools/net/ynl/pyynl/cli.py of Debian's
# linux-source-7.3, unpacked by scripts/setup.sh), driving the family from
# its spec alone: a peer of cxlnicctl that shares none of its code.
# Sourced by a scenario after lib/cxlnic.sh.

# shellcheck source=scripts/debian13.sh
. "${BASH_SOURCE[0]%/*}/../../../scripts/debian13.sh"
YNL_SPEC=$(cd "${BASH_SOURCE[0]%/*}/../../.." && pwd)/kernel/Documentation/netlink/specs/cxlnic.yaml

ynl_ready() {
	[ -f "$D13_SRC/.cxlnic-unpacked" ] ||
		fail "no linux-source-7.3 under $D13_SRC for its YNL tool (scripts/setup.sh)"
}

# ynl ARGS...: cli.py on the spec, validated against the genetlink-c
# schema, with JSON output, unbuffered (a monitor is read while it runs).
ynl() {
	PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 "$D13_YNL_PYTHON" \
		"$D13_YNL/cli.py" --spec "$YNL_SPEC" --schema "$D13_YNL_SCHEMA" \
		--output-json "$@"
}

# ynl_spec_checks SET ATTR: the spec's checks of an attribute, as JSON.
ynl_spec_checks() {
	"$D13_YNL_PYTHON" - "$YNL_SPEC" "$1" "$2" <<-'EOF'
		import json, sys, yaml
		spec = yaml.safe_load(open(sys.argv[1]))
		aset = next(s for s in spec['attribute-sets'] if s['name'] == sys.argv[2])
		attr = next(a for a in aset['attributes'] if a['name'] == sys.argv[3])
		print(json.dumps(attr.get('checks', {})))
	EOF
}
