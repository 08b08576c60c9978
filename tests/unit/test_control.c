// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of cxlnicd's control protocol (request parsing, replies), of
 * how its read_group is looked up, and of its history ring.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control.h"
#include "control_proto.h"
#include "cxlnic_names.h"
#include "history.h"

static int parse(const char *text, struct control_request *req, char *err)
{
	return control_parse_request(text, strlen(text), req, err, 256);
}

static void test_good_requests(void **state)
{
	struct control_request req;
	char err[256];

	(void)state;
	assert_int_equal(parse("{\"command\":\"status\"}", &req, err), 0);
	assert_int_equal(req.cmd, CTL_STATUS);
	assert_false(control_cmd_writes(req.cmd));

	assert_int_equal(parse(" {\"command\": \"set-policy\", \"nic\": \"0000:0d:00.0\","
			       " \"key\": \"on_loss\", \"value\": \"unbind\"} ",
			       &req, err), 0);
	assert_int_equal(req.cmd, CTL_SET_POLICY);
	assert_true(control_cmd_writes(req.cmd));
	assert_string_equal(req.nic, "0000:0d:00.0");
	assert_string_equal(req.key, "on_loss");
	assert_string_equal(req.value, "unbind");

	assert_int_equal(parse("{\"command\":\"history\",\"limit\":5}", &req, err), 0);
	assert_int_equal(req.limit, 5);
	assert_int_equal(parse("{\"command\":\"history\",\"nic\":\"1\"}", &req, err), 0);
	assert_string_equal(req.nic, "1");
	assert_int_equal(parse("{\"command\":\"recover\",\"nic\":\"00:04.0\"}", &req, err), 0);
	assert_int_equal(req.cmd, CTL_RECOVER);
	assert_true(control_cmd_writes(CTL_UNBIND));
	assert_true(control_cmd_writes(CTL_BIND));
	assert_true(control_cmd_writes(CTL_RELOAD));
	assert_false(control_cmd_writes(CTL_MONITOR));
}

struct bad_request {
	const char *text;
	const char *says;
};

static void test_bad_requests(void **state)
{
	static const struct bad_request cases[] = {
		{ "", "not one JSON object" },
		{ "{", "not one JSON object" },
		{ "[1,2]", "a request is a JSON object" },
		{ "\"status\"", "a request is a JSON object" },
		{ "{}", "needs \"command\"" },
		{ "{\"command\":7}", "needs \"command\"" },
		{ "{\"command\":\"reboot\"}", "unknown command 'reboot'" },
		{ "{\"command\":\"status\",\"force\":true}", "unknown field 'force'" },
		{ "{\"command\":\"show\"}", "'show' needs 'nic'" },
		{ "{\"command\":\"status\",\"nic\":\"x\"}", "'status' takes no 'nic'" },
		{ "{\"command\":\"show\",\"nic\":5}", "'nic' must be a string" },
		{ "{\"command\":\"show\",\"nic\":\"\"}", "'nic' is empty" },
		{ "{\"command\":\"set-policy\",\"nic\":\"a\",\"key\":\"on_loss\"}",
		  "'set-policy' needs 'value'" },
		{ "{\"command\":\"history\",\"limit\":-1}", "'limit' must be from" },
		{ "{\"command\":\"history\",\"limit\":\"5\"}", "'limit' must be an integer" },
		{ "{\"command\":\"status\"} {\"command\":\"list\"}", "trailing data" },
		{ "{\"command\":\"show\",\"nic\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
		  "too long" },
		{ "{\"command\":\"show\",\"nic\":\"a\\u0000b\"}", "holds a NUL" },
	};
	struct control_request req;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(cases[i].text, &req, err), -EINVAL);
		if (!strstr(err, cases[i].says))
			fail_msg("'%s': '%s' does not say '%s'", cases[i].text,
				 err, cases[i].says);
	}
}

static void test_oversized_and_nul(void **state)
{
	char big[CONTROL_MAX_LINE + 2], err[256];
	struct control_request req;

	(void)state;
	memset(big, ' ', sizeof(big));
	assert_int_equal(control_parse_request(big, sizeof(big), &req, err,
					       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "longer than"));
	assert_int_equal(control_parse_request("{\"command\":\"status\"}\0x", 22,
					       &req, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "NUL"));
}

static void test_replies(void **state)
{
	struct json_object *o, *v;
	char *text;

	(void)state;
	text = control_reply_ok(json_object_new_int(3));
	assert_string_equal(text, "{\"ok\":true,\"result\":3}\n");
	free(text);
	text = control_reply_error(-ENODEV, "no NIC '%s'", "x");
	o = json_tokener_parse(text);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "ok", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "error", &v));
	assert_string_equal(json_object_get_string(v), "no NIC 'x'");
	assert_true(json_object_object_get_ex(o, "code", &v));
	assert_string_equal(json_object_get_string(v), "ENODEV");
	assert_int_equal(text[strlen(text) - 1], '\n');
	json_object_put(o);
	free(text);
}

/*
 * cxlnicd names an error in the reply's "code" as cxlnicctl reads it
 * back: control_proto.c's switch and lib/cxlnic_names.c's table agree,
 * errno for errno (until the daemon uses the table itself).
 */
static void test_reply_codes_read_back(void **state)
{
	struct json_object *o, *v;
	char *text;
	int err;

	(void)state;
	for (err = 1; err < 134; err++) {
		text = control_reply_error(-err, "x");
		o = json_tokener_parse(text);
		assert_non_null(o);
		assert_true(json_object_object_get_ex(o, "code", &v));
		assert_string_equal(json_object_get_string(v),
				    cxlnic_errno_name(err));
		json_object_put(o);
		free(text);
	}
}

/* The one lookup of read_group, for --check-config and the socket alike. */
static void test_read_group_lookup(void **state)
{
	gid_t gid = 4242;

	(void)state;
	assert_int_equal(control_resolve_group("", &gid), 0);
	assert_int_equal(gid, 4242);
	assert_int_equal(control_resolve_group(NULL, &gid), 0);
	assert_int_equal(gid, 4242);
	assert_int_equal(control_resolve_group("root", &gid), 0);
	assert_int_equal(gid, 0);
	assert_int_equal(control_resolve_group("cxlnic-no-such-group", &gid),
			 -ENOENT);
}

static void test_history_ring(void **state)
{
	const struct history_entry *e;
	struct json_object *arr;
	struct history h;
	int i;

	(void)state;
	assert_int_equal(history_init(&h, 4), 0);
	assert_null(history_at(&h, 0));
	for (i = 1; i <= 6; i++)
		history_add(&h, i % 2 ? HISTORY_ACTION : HISTORY_EVENT,
			    i % 2 ? "nicA" : "nicB", "step", 0, i, "entry %d", i);
	/* Four kept, the two oldest made room. */
	assert_int_equal(h.len, 4);
	e = history_at(&h, 0);
	assert_int_equal(e->seq, 3);
	assert_string_equal(e->message, "entry 3");
	assert_int_equal(history_at(&h, 3)->seq, 6);
	assert_null(history_at(&h, 4));

	arr = history_to_json(&h, NULL, 0);
	assert_int_equal(json_object_array_length(arr), 4);
	json_object_put(arr);
	arr = history_to_json(&h, "nicA", 0);	/* entries 3 and 5 */
	assert_int_equal(json_object_array_length(arr), 2);
	assert_string_equal(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(arr, 1), "message")), "entry 5");
	json_object_put(arr);
	arr = history_to_json(&h, NULL, 1);	/* only the newest */
	assert_int_equal(json_object_array_length(arr), 1);
	assert_int_equal(json_object_get_int(json_object_object_get(
		json_object_array_get_idx(arr, 0), "seq")), 6);
	json_object_put(arr);
	history_free(&h);
}

static void test_history_entry_json(void **state)
{
	const struct history_entry *e;
	struct json_object *o, *v;
	struct history h;

	(void)state;
	assert_int_equal(history_init(&h, 2), 0);
	e = history_add(&h, HISTORY_ACTION, "0000:0d:00.0", "bind-memdev",
			-ENXIO, 12, "bind-memdev: %s", strerror(ENXIO));
	o = history_entry_to_json(e);
	assert_true(json_object_object_get_ex(o, "kind", &v));
	assert_string_equal(json_object_get_string(v), "action");
	assert_true(json_object_object_get_ex(o, "ok", &v));
	assert_false(json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "error", &v));
	assert_string_equal(json_object_get_string(v), strerror(ENXIO));
	assert_true(json_object_object_get_ex(o, "duration_ms", &v));
	assert_int_equal(json_object_get_int(v), 12);
	json_object_put(o);
	/* No NIC, not timed: those keys are left out. */
	e = history_add(&h, HISTORY_DAEMON, NULL, "start", 0, -1, "started");
	o = history_entry_to_json(e);
	assert_false(json_object_object_get_ex(o, "nic", &v));
	assert_false(json_object_object_get_ex(o, "duration_ms", &v));
	assert_false(json_object_object_get_ex(o, "error", &v));
	json_object_put(o);
	history_free(&h);
}

static enum control_admit admit(bool root, bool may_read, unsigned int all,
			       unsigned int unpriv, unsigned int of_uid)
{
	struct control_peers open = { all, unpriv, of_uid };

	return control_admit(root, may_read, &open);
}

static void test_admission(void **state)
{
	(void)state;
	/* A caller who may not read is refused before anything is counted. */
	assert_int_equal(admit(false, false, 0, 0, 0), CONTROL_NO_ACCESS);
	assert_int_equal(admit(false, false, CONTROL_MAX_CONNS,
			       CONTROL_MAX_UNPRIV, 9), CONTROL_NO_ACCESS);
	assert_int_equal(admit(false, true, 0, 0, 0), CONTROL_ADMIT);
	assert_int_equal(admit(true, false, 0, 0, 0), CONTROL_ADMIT);
	/* One user gets CONTROL_MAX_PER_UID, the next is busy ... */
	assert_int_equal(admit(false, true, CONTROL_MAX_PER_UID - 1,
			       CONTROL_MAX_PER_UID - 1,
			       CONTROL_MAX_PER_UID - 1), CONTROL_ADMIT);
	assert_int_equal(admit(false, true, CONTROL_MAX_PER_UID,
			       CONTROL_MAX_PER_UID, CONTROL_MAX_PER_UID),
			 CONTROL_BUSY_UID);
	/* ... while another reader and root still get in. */
	assert_int_equal(admit(false, true, CONTROL_MAX_PER_UID,
			       CONTROL_MAX_PER_UID, 0), CONTROL_ADMIT);
	assert_int_equal(admit(true, true, CONTROL_MAX_PER_UID,
			       CONTROL_MAX_PER_UID, 0), CONTROL_ADMIT);
	/* Users other than root share half; root keeps the rest. */
	assert_int_equal(admit(false, true, CONTROL_MAX_UNPRIV,
			       CONTROL_MAX_UNPRIV, 0), CONTROL_BUSY_ALL);
	assert_int_equal(admit(false, true, CONTROL_MAX_UNPRIV + 3,
			       CONTROL_MAX_UNPRIV - 1, 0), CONTROL_ADMIT);
	assert_int_equal(admit(true, true, CONTROL_MAX_UNPRIV,
			       CONTROL_MAX_UNPRIV, 0), CONTROL_ADMIT);
	assert_int_equal(admit(true, true, CONTROL_MAX_CONNS - 1,
			       CONTROL_MAX_UNPRIV, CONTROL_MAX_CONNS - 1 -
			       CONTROL_MAX_UNPRIV), CONTROL_ADMIT);
	assert_int_equal(admit(true, true, CONTROL_MAX_CONNS,
			       CONTROL_MAX_UNPRIV, 0), CONTROL_BUSY_ALL);
	assert_int_equal(admit(false, true, CONTROL_MAX_CONNS, 0, 0),
			 CONTROL_BUSY_ALL);
	/* The readers' share takes more than one user to fill. */
	assert_true(CONTROL_MAX_UNPRIV >= 2 * CONTROL_MAX_PER_UID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_requests),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_oversized_and_nul),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_reply_codes_read_back),
		cmocka_unit_test(test_read_group_lookup),
		cmocka_unit_test(test_history_ring),
		cmocka_unit_test(test_history_entry_json),
		cmocka_unit_test(test_admission),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
