// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of how cxlnicd reads devlink's HEALTH_REPORTER_GET reply,
 * on replies built in memory: a good one is read, one with an attribute
 * of the wrong size is refused whole, and the warning names it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/devlink.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "devlink.h"

#define SOME_FAMILY	0x20	/* any: the parser does not look */
#define DEV_NAME	"0000:00:05.0"

static const uint64_t grace_ms = 1500;

/* A reply's variable part: the grace period's and the device name's bytes. */
struct reply_spec {
	const void *grace;
	int grace_len;
	const char *dev_name;
	int dev_name_len;	/* strlen + 1 when terminated */
	uint8_t state_len;	/* of DEVLINK_ATTR_HEALTH_REPORTER_STATE */
};

static const struct reply_spec good_reply = {
	.grace = &grace_ms, .grace_len = sizeof(grace_ms),
	.dev_name = DEV_NAME, .dev_name_len = sizeof(DEV_NAME),
	.state_len = sizeof(uint8_t),
};

/* The reply the kernel sends (devlink_nl_health_reporter_fill()), in part. */
static struct nl_msg *build_reply(const struct reply_spec *spec)
{
	static const uint32_t state;	/* 0: healthy, in a u8 or a u32 */
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *nest;

	assert_non_null(msg);
	assert_non_null(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, SOME_FAMILY,
				    0, 0, DEVLINK_CMD_HEALTH_REPORTER_GET,
				    DEVLINK_GENL_VERSION));
	assert_int_equal(nla_put_string(msg, DEVLINK_ATTR_BUS_NAME, "pci"), 0);
	assert_int_equal(nla_put(msg, DEVLINK_ATTR_DEV_NAME, spec->dev_name_len,
				 spec->dev_name), 0);
	nest = nla_nest_start(msg, DEVLINK_ATTR_HEALTH_REPORTER);
	assert_non_null(nest);
	assert_int_equal(nla_put_string(msg, DEVLINK_ATTR_HEALTH_REPORTER_NAME,
					"cxl"), 0);
	assert_int_equal(nla_put(msg, DEVLINK_ATTR_HEALTH_REPORTER_STATE,
				 spec->state_len, &state), 0);
	assert_int_equal(nla_put(msg,
				 DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD,
				 spec->grace_len, spec->grace), 0);
	nla_nest_end(msg, nest);
	return msg;
}

static int parse(const struct reply_spec *spec, struct devlink_reporter *r)
{
	struct nl_msg *msg = build_reply(spec);
	int rc = devlink_reporter_parse(nlmsg_hdr(msg), r);

	nlmsg_free(msg);
	return rc;
}

/* What the warning says of @spec's reply; it is refused, so there is one. */
static void assert_flaw(const struct reply_spec *spec, int in_nest, int type,
			int len)
{
	struct nl_msg *msg = build_reply(spec);
	char flaw[96], want[96];

	snprintf(want, sizeof(want), "%sattribute %d has %d bytes",
		 in_nest ? "reporter " : "", type, len);
	assert_int_equal(devlink_reply_flaw(nlmsg_hdr(msg), flaw,
					    sizeof(flaw)), 0);
	assert_string_equal(flaw, want);
	nlmsg_free(msg);
}

static void test_good_reply_read(void **state)
{
	struct devlink_reporter r;
	struct nl_msg *msg;
	char flaw[96];

	(void)state;
	assert_int_equal(parse(&good_reply, &r), 0);
	assert_int_equal(r.grace_ms, grace_ms);
	/* Nothing to tell of a good reply. */
	msg = build_reply(&good_reply);
	assert_int_equal(devlink_reply_flaw(nlmsg_hdr(msg), flaw, sizeof(flaw)),
			 -ENOENT);
	nlmsg_free(msg);
}

static void test_no_reporter(void **state)
{
	struct devlink_reporter r;
	struct nl_msg *msg = nlmsg_alloc();

	(void)state;
	assert_non_null(genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, SOME_FAMILY,
				    0, 0, DEVLINK_CMD_HEALTH_REPORTER_GET,
				    DEVLINK_GENL_VERSION));
	assert_int_equal(devlink_reporter_parse(nlmsg_hdr(msg), &r), -ENODEV);
	nlmsg_free(msg);
}

static void test_short_grace_refused(void **state)
{
	static const uint32_t short_grace = 1500;
	struct reply_spec spec = good_reply;
	struct devlink_reporter r;

	(void)state;
	spec.grace = &short_grace;
	spec.grace_len = sizeof(short_grace);
	assert_int_equal(parse(&spec, &r), -EBADMSG);
	assert_int_equal(r.grace_ms, 0);
	assert_flaw(&spec, 1, DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD, 4);
}

/* The old policy checked a minimum length only: this was read in part. */
static void test_long_grace_refused(void **state)
{
	static const uint64_t long_grace[2] = { 1500, 1500 };
	struct reply_spec spec = good_reply;
	struct devlink_reporter r;

	(void)state;
	spec.grace = long_grace;
	spec.grace_len = sizeof(long_grace);
	assert_int_equal(parse(&spec, &r), -EBADMSG);
	assert_int_equal(r.grace_ms, 0);
	assert_flaw(&spec, 1, DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD, 16);
}

/* The old policy had no entry for the device name. */
static void test_unterminated_dev_name_refused(void **state)
{
	struct reply_spec spec = good_reply;
	struct devlink_reporter r;

	(void)state;
	spec.dev_name_len = strlen(DEV_NAME);
	assert_int_equal(parse(&spec, &r), -EBADMSG);
	assert_int_equal(r.grace_ms, 0);
	assert_flaw(&spec, 0, DEVLINK_ATTR_DEV_NAME, (int)strlen(DEV_NAME));
}

/* Nor for the reporter's state, which cxlnicd does not read. */
static void test_wide_state_refused(void **state)
{
	struct reply_spec spec = good_reply;
	struct devlink_reporter r;

	(void)state;
	spec.state_len = sizeof(uint32_t);
	assert_int_equal(parse(&spec, &r), -EBADMSG);
	assert_flaw(&spec, 1, DEVLINK_ATTR_HEALTH_REPORTER_STATE, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_reply_read),
		cmocka_unit_test(test_no_reporter),
		cmocka_unit_test(test_short_grace_refused),
		cmocka_unit_test(test_long_grace_refused),
		cmocka_unit_test(test_unterminated_dev_name_refused),
		cmocka_unit_test(test_wide_state_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
