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
#include "control_service.h"
#include "cxlnic_names.h"
#include "history.h"

static int parse(const char *text, struct control_request *req,
		 struct control_refusal *why)
{
	return control_parse_request(text, strlen(text), req, why);
}

#define CALL(m, params) "{\"method\":\"io.cxlnic.Daemon." m "\",\"parameters\":" params "}"

static void test_good_requests(void **state)
{
	struct control_refusal why;
	struct control_request req;

	(void)state;
	assert_int_equal(parse(CALL("Status", "{}"), &req, &why), 0);
	assert_int_equal(req.service, CONTROL_DAEMON);
	assert_int_equal(req.method, CXLNIC_M_STATUS);
	/* No parameters at all, as varlink allows. */
	assert_int_equal(parse("{\"method\":\"io.cxlnic.Daemon.List\"}", &req,
			       &why), 0);
	assert_int_equal(req.method, CXLNIC_M_LIST);

	assert_int_equal(parse(" {\"method\": \"io.cxlnic.Daemon.SetPolicy\", "
			       "\"parameters\": {\"nic\": \"0000:0d:00.0\","
			       " \"key\": \"on_loss\", \"value\": \"unbind\"}} ",
			       &req, &why), 0);
	assert_int_equal(req.method, CXLNIC_M_SET_POLICY);
	assert_string_equal(req.nic, "0000:0d:00.0");
	assert_string_equal(req.key, "on_loss");
	assert_string_equal(req.value, "unbind");

	assert_int_equal(parse(CALL("History", "{\"limit\":5}"), &req, &why), 0);
	assert_int_equal(req.limit, 5);
	/* A null parameter is one not given. */
	assert_int_equal(parse(CALL("History", "{\"nic\":\"1\",\"limit\":null}"),
			       &req, &why), 0);
	assert_string_equal(req.nic, "1");
	assert_int_equal(req.limit, 0);
	assert_int_equal(parse("{\"method\":\"io.cxlnic.Daemon.Monitor\","
			       "\"parameters\":{},\"more\":true}", &req, &why), 0);
	assert_true(req.more);
	assert_int_equal(parse("{\"method\":\"io.cxlnic.Daemon.Recover\",\"oneway\":"
			       "true,\"parameters\":{\"nic\":\"00:04.0\"}}",
			       &req, &why), 0);
	assert_int_equal(req.method, CXLNIC_M_RECOVER);
	assert_true(req.oneway);

	assert_int_equal(parse("{\"method\":\"org.varlink.service.GetInfo\","
			       "\"parameters\":{}}", &req, &why), 0);
	assert_int_equal(req.service, CONTROL_GET_INFO);
	assert_int_equal(parse("{\"method\":\"org.varlink.service.GetInterfaceDescription\","
			       "\"parameters\":{\"interface\":\"io.cxlnic.Daemon\"}}",
			       &req, &why), 0);
	assert_int_equal(req.service, CONTROL_GET_DESCRIPTION);
	assert_string_equal(req.interface, "io.cxlnic.Daemon");

	/* What only root may call. */
	assert_true(cxlnic_method_desc(CXLNIC_M_SET_POLICY)->writes);
	assert_true(cxlnic_method_desc(CXLNIC_M_UNBIND)->writes);
	assert_true(cxlnic_method_desc(CXLNIC_M_BIND)->writes);
	assert_true(cxlnic_method_desc(CXLNIC_M_RECOVER)->writes);
	assert_true(cxlnic_method_desc(CXLNIC_M_RELOAD)->writes);
	assert_false(cxlnic_method_desc(CXLNIC_M_MONITOR)->writes);
	assert_false(cxlnic_method_desc(CXLNIC_M_HISTORY)->writes);
}

struct bad_request {
	const char *text;
	const char *error;	/* after "org.varlink.service." or "io.cxlnic.Daemon." */
	const char *param;	/* the parameter named, or NULL */
	const char *says;
};

static void test_bad_requests(void **state)
{
	static const struct bad_request cases[] = {
		{ "", "BadMessage", NULL, "not one JSON object" },
		{ "{", "BadMessage", NULL, "not one JSON object" },
		{ "[1,2]", "BadMessage", NULL, "a call is a JSON object" },
		{ "\"Status\"", "BadMessage", NULL, "a call is a JSON object" },
		{ "{}", "BadMessage", NULL, "needs \"method\"" },
		{ "{\"method\":7}", "BadMessage", NULL, "needs \"method\"" },
		{ "{\"command\":\"status\"}", "BadMessage", NULL, "needs \"method\"" },
		{ "{\"method\":\"io.cxlnic.Daemon.Status\",\"force\":true}",
		  "BadMessage", NULL, "no member 'force'" },
		{ "{\"method\":\"io.cxlnic.Daemon.Status\",\"more\":1}",
		  "BadMessage", NULL, "\"more\" must be a boolean" },
		{ "{\"method\":\"io.cxlnic.Daemon.Status\",\"upgrade\":true}",
		  "BadMessage", NULL, "upgrades no connection" },
		{ "{\"method\":\"io.cxlnic.Daemon.Status\",\"parameters\":[]}",
		  "BadMessage", NULL, "must be an object" },
		{ CALL("Reboot", "{}"), "MethodNotFound", "io.cxlnic.Daemon.Reboot",
		  "no method 'io.cxlnic.Daemon.Reboot'" },
		{ "{\"method\":\"com.example.Thing.Do\"}", "InterfaceNotFound",
		  "com.example.Thing", "no interface 'com.example.Thing'" },
		{ "{\"method\":\"status\"}", "InterfaceNotFound", "status",
		  "no interface 'status'" },
		{ "{\"method\":\"org.varlink.service.Ping\"}", "MethodNotFound",
		  "Ping", "no method 'Ping'" },
		{ "{\"method\":\"org.varlink.service.GetInterfaceDescription\"}",
		  "InvalidParameter", "interface", "the one parameter" },
		{ "{\"method\":\"org.varlink.service.GetInfo\",\"parameters\":{\"x\":1}}",
		  "InvalidParameter", "parameters", "not taken by GetInfo" },
		{ CALL("Status", "{\"force\":true}"), "InvalidParameter", "force",
		  "'force' is no parameter" },
		{ CALL("Show", "{}"), "InvalidParameter", "nic",
		  "'nic' is needed by Show" },
		{ CALL("Status", "{\"nic\":\"x\"}"), "InvalidParameter", "nic",
		  "'nic' is not taken by Status" },
		{ CALL("Show", "{\"nic\":5}"), "InvalidParameter", "nic",
		  "'nic' must be a string" },
		{ CALL("Show", "{\"nic\":\"\"}"), "InvalidParameter", "nic",
		  "'nic' is empty" },
		{ CALL("SetPolicy", "{\"nic\":\"a\",\"key\":\"on_loss\"}"),
		  "InvalidParameter", "value", "'value' is needed by SetPolicy" },
		{ CALL("History", "{\"limit\":-1}"), "InvalidParameter", "limit",
		  "'limit' must be from" },
		{ CALL("History", "{\"limit\":\"5\"}"), "InvalidParameter", "limit",
		  "'limit' must be an integer" },
		{ CALL("Monitor", "{}"), "ExpectedMore", NULL,
		  "Monitor is called with \"more\"" },
		{ "{\"method\":\"io.cxlnic.Daemon.Monitor\",\"more\":true,\"oneway\":true}",
		  "ExpectedMore", NULL, "called with \"more\"" },
		{ CALL("Status", "{}") " " CALL("List", "{}"), "BadMessage", NULL,
		  "trailing data" },
		{ CALL("Show", "{\"nic\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}"),
		  "InvalidParameter", "nic", "too long" },
		{ CALL("Show", "{\"nic\":\"a\\u0000b\"}"), "InvalidParameter", "nic",
		  "holds a NUL" },
	};
	struct control_refusal why;
	struct control_request req;
	const char *dot;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].text, &req, &why), -EINVAL);
		dot = strrchr(why.error, '.');
		if (strcmp(dot + 1, cases[i].error) ||
		    !strstr(why.message, cases[i].says))
			fail_msg("'%s': %s '%s', not %s '%s'", cases[i].text,
				 why.error, why.message, cases[i].error,
				 cases[i].says);
		if (cases[i].param) {
			assert_non_null(why.param);
			assert_string_equal(why.param_value, cases[i].param);
		} else {
			assert_null(why.param);
		}
	}
}

static void test_oversized_and_nul(void **state)
{
	char big[CONTROL_MAX_MESSAGE + 2];
	struct control_refusal why;
	struct control_request req;

	(void)state;
	memset(big, ' ', sizeof(big));
	assert_int_equal(control_parse_request(big, sizeof(big), &req, &why),
			 -EINVAL);
	assert_non_null(strstr(why.message, "longer than"));
	assert_int_equal(control_parse_request(CALL("Status", "{}") "\0x",
					       sizeof(CALL("Status", "{}")) + 1,
					       &req, &why), -EINVAL);
	assert_non_null(strstr(why.message, "NUL"));
}

static struct json_object *parse_reply(const char *text)
{
	struct json_object *o = json_tokener_parse(text);

	assert_non_null(o);
	return o;
}

static const char *member(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = json_object_object_get(o, a);

	return json_object_get_string(b ? json_object_object_get(v, b) : v);
}

static void test_replies(void **state)
{
	struct control_refusal why;
	struct control_request req;
	struct json_object *o;
	char *text;

	(void)state;
	text = control_reply_ok(CXLNIC_M_LIST, json_object_new_int(3));
	assert_string_equal(text, "{\"parameters\":{\"nics\":3}}");
	free(text);
	text = control_reply_parameters(json_object_new_object(), true);
	assert_string_equal(text, "{\"parameters\":{},\"continues\":true}");
	free(text);

	text = control_reply_error(-ENODEV, "no NIC '%s'", "x");
	o = parse_reply(text);
	assert_string_equal(member(o, "error", NULL), "io.cxlnic.Daemon.NoSuchNic");
	assert_string_equal(member(o, "parameters", "message"), "no NIC 'x'");
	assert_null(json_object_object_get(json_object_object_get(o,
					   "parameters"), "errno"));
	json_object_put(o);
	free(text);
	/* An errno with no error of its own: SystemError names it. */
	text = control_reply_error(ELOOP, "did not converge");
	o = parse_reply(text);
	assert_string_equal(member(o, "error", NULL), CXLNIC_VARLINK_SYSTEM_ERROR);
	assert_string_equal(member(o, "parameters", "errno"), "ELOOP");
	json_object_put(o);
	free(text);

	assert_int_equal(parse(CALL("Show", "{\"nic\":7}"), &req, &why), -EINVAL);
	text = control_reply_refusal(&why);
	o = parse_reply(text);
	assert_string_equal(member(o, "error", NULL),
			    "org.varlink.service.InvalidParameter");
	assert_string_equal(member(o, "parameters", "parameter"), "nic");
	assert_string_equal(member(o, "parameters", "message"),
			    "'nic' must be a string");
	json_object_put(o);
	free(text);
}

/* Every errno's error reply read back as that errno, as cxlnicctl reads it. */
static void test_reply_codes_read_back(void **state)
{
	struct json_object *o;
	char *text;
	int err, want;

	(void)state;
	for (err = 1; err < 134; err++) {
		text = control_reply_error(-err, "x");
		o = parse_reply(text);
		want = err == EACCES ? EPERM : err;
		/* SystemError names the errno as cxlnic_errno_name() does. */
		if (cxlnic_errno_from_name(cxlnic_errno_name(err)) != -err &&
		    !strcmp(member(o, "error", NULL), CXLNIC_VARLINK_SYSTEM_ERROR))
			want = EIO;
		assert_int_equal(cxlnic_error_errno(member(o, "error", NULL),
				 member(o, "parameters", "errno")), -want);
		json_object_put(o);
		free(text);
	}
}

/* The reply of org.varlink.service to @call, parsed. */
static struct json_object *service_reply(const char *call)
{
	struct control_refusal why;
	struct control_request req;
	struct json_object *o;
	char *text;

	assert_int_equal(parse(call, &req, &why), 0);
	text = control_reply_service(&req);
	o = parse_reply(text);
	free(text);
	return o;
}

#define DESCRIBE(iface) "{\"method\":\"org.varlink.service." \
	"GetInterfaceDescription\",\"parameters\":{\"interface\":\"" iface "\"}}"

/* org.varlink.service, answered from the same tables. */
static void test_service_replies(void **state)
{
	struct json_object *o;
	const char *desc;
	int m;

	(void)state;
	o = service_reply("{\"method\":\"org.varlink.service.GetInfo\"}");
	assert_string_equal(member(o, "parameters", "product"), "cxlnicd");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(
		json_object_object_get(json_object_object_get(o, "parameters"),
				       "interfaces"), 1)), "io.cxlnic.Daemon");
	json_object_put(o);

	o = service_reply(DESCRIBE("io.cxlnic.Daemon"));
	desc = member(o, "parameters", "description");
	assert_non_null(strstr(desc, "\ninterface io.cxlnic.Daemon\n"));
	assert_non_null(strstr(desc, "\nmethod History(nic: ?string, limit: ?int) -> (entries: []object)\n"));
	assert_non_null(strstr(desc, "\nmethod SetPolicy(nic: string, key: string, value: string) -> (nic: object)\n"));
	assert_non_null(strstr(desc, "\nerror NoSuchNic(message: string)\n"));
	assert_non_null(strstr(desc, "\nerror SystemError(message: string, errno: string)\n"));
	/* Every method is described, once. */
	for (m = 0; m < CXLNIC_M_NR; m++) {
		char line[64];

		snprintf(line, sizeof(line), "\nmethod %s(",
			 cxlnic_method_desc(m)->name);
		assert_non_null(strstr(desc, line));
		assert_null(strstr(strstr(desc, line) + 1, line));
	}
	json_object_put(o);

	o = service_reply(DESCRIBE("com.example.X"));
	assert_string_equal(member(o, "error", NULL),
			    "org.varlink.service.InterfaceNotFound");
	assert_string_equal(member(o, "parameters", "interface"),
			    "com.example.X");
	json_object_put(o);
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
		cmocka_unit_test(test_service_replies),
		cmocka_unit_test(test_read_group_lookup),
		cmocka_unit_test(test_history_ring),
		cmocka_unit_test(test_history_entry_json),
		cmocka_unit_test(test_admission),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
