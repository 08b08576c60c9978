// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"
#include "cxlnic_names.h"

#define BAD_MESSAGE		CXLNIC_VARLINK_INTERFACE ".BadMessage"
/* org.varlink.service's errors that a call is refused with. */
#define INVALID_PARAMETER	CXLNIC_VARLINK_SERVICE_ERROR("InvalidParameter")
#define METHOD_NOT_FOUND	CXLNIC_VARLINK_SERVICE_ERROR("MethodNotFound")
#define INTERFACE_NOT_FOUND	CXLNIC_VARLINK_SERVICE_ERROR("InterfaceNotFound")
#define EXPECTED_MORE		CXLNIC_VARLINK_SERVICE_ERROR("ExpectedMore")

static int refuse(struct control_refusal *why, const char *error,
		  const char *param, const char *param_value,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int refuse(struct control_refusal *why, const char *error,
		  const char *param, const char *param_value,
		  const char *fmt, ...)
{
	va_list ap;

	why->error = error;
	why->param = param;
	snprintf(why->param_value, sizeof(why->param_value), "%s",
		 param_value ? param_value : "");
	va_start(ap, fmt);
	vsnprintf(why->message, sizeof(why->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int bad_param(struct control_refusal *why, const char *param,
		     const char *says)
{
	return refuse(why, INVALID_PARAMETER, "parameter",
		      param, "'%s' %s", param, says);
}

static int copy_string(struct json_object *v, const char *key, char *dst,
		       size_t dst_len, struct control_refusal *why)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return bad_param(why, key, "must be a string");
	s = json_object_get_string(v);
	if (!*s)
		return bad_param(why, key, "is empty");
	if (strlen(s) >= dst_len ||
	    strlen(s) != (size_t)json_object_get_string_len(v))
		return bad_param(why, key, "is too long or holds a NUL");
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int copy_limit(struct json_object *v, size_t *limit,
		      struct control_refusal *why)
{
	int64_t n;

	if (!json_object_is_type(v, json_type_int))
		return bad_param(why, "limit", "must be an integer");
	n = json_object_get_int64(v);
	if (n < 0 || n > 1000000)
		return bad_param(why, "limit", "must be from 0 to 1000000");
	*limit = (size_t)n;
	return 0;
}

/* One parameter of a call of io.cxlnic.Daemon; a null one is not given. */
static int parse_param(struct control_request *req, const char *key,
		       struct json_object *v, unsigned int *seen,
		       struct control_refusal *why)
{
	const struct cxlnic_param_desc *p;
	unsigned int bit;

	for (bit = 1; (p = cxlnic_param_desc(bit)); bit <<= 1)
		if (!strcmp(p->name, key))
			break;
	if (!p)
		return bad_param(why, key,
				 "is no parameter of " CXLNIC_VARLINK_INTERFACE);
	if (!v)
		return 0;
	*seen |= bit;
	switch (bit) {
	case CXLNIC_P_NIC:
		return copy_string(v, key, req->nic, sizeof(req->nic), why);
	case CXLNIC_P_KEY:
		return copy_string(v, key, req->key, sizeof(req->key), why);
	case CXLNIC_P_VALUE:
		return copy_string(v, key, req->value, sizeof(req->value), why);
	default:
		return copy_limit(v, &req->limit, why);
	}
}

static int check_params(const struct control_request *req, unsigned int seen,
			struct control_refusal *why)
{
	const struct cxlnic_method_desc *m = cxlnic_method_desc(req->method);
	unsigned int bit;
	const char *name;
	char says[64];

	for (bit = 1; bit <= CXLNIC_P_LAST; bit <<= 1) {
		name = cxlnic_param_desc(bit)->name;
		if ((m->required & bit) && !(seen & bit)) {
			snprintf(says, sizeof(says), "is needed by %s", m->name);
			return bad_param(why, name, says);
		}
		if ((seen & bit) && !((m->required | m->optional) & bit)) {
			snprintf(says, sizeof(says), "is not taken by %s",
				 m->name);
			return bad_param(why, name, says);
		}
	}
	if (m->streams && (!req->more || req->oneway))
		return refuse(why, EXPECTED_MORE, NULL, NULL,
			      "%s is called with \"more\"", m->name);
	return 0;
}

static int parse_daemon_call(struct json_object *params,
			     struct control_request *req,
			     struct control_refusal *why)
{
	unsigned int seen = 0;
	int rc;

	if (params) {
		json_object_object_foreach(params, key, v) {
			rc = parse_param(req, key, v, &seen, why);
			if (rc)
				return rc;
		}
	}
	return check_params(req, seen, why);
}

static int parse_service_call(const char *method, struct json_object *params,
			      struct control_request *req,
			      struct control_refusal *why)
{
	struct json_object *v;

	if (!strcmp(method, "GetInfo")) {
		req->service = CONTROL_GET_INFO;
		if (params && json_object_object_length(params))
			return bad_param(why, "parameters",
					 "are not taken by GetInfo");
		return 0;
	}
	if (strcmp(method, "GetInterfaceDescription"))
		return refuse(why, METHOD_NOT_FOUND, "method",
			      method, "no method '%.60s' in %s", method,
			      CXLNIC_VARLINK_SERVICE);
	req->service = CONTROL_GET_DESCRIPTION;
	if (!params || !json_object_object_get_ex(params, "interface", &v) ||
	    json_object_object_length(params) != 1)
		return bad_param(why, "interface",
				 "is the one parameter of GetInterfaceDescription");
	return copy_string(v, "interface", req->interface,
			   sizeof(req->interface), why);
}

/* "method": which interface, which method. */
static int parse_method(const char *method, struct json_object *params,
			struct control_request *req,
			struct control_refusal *why)
{
	size_t n = strlen(CXLNIC_VARLINK_SERVICE);
	const char *dot = strrchr(method, '.');
	char iface[80];
	int m;

	if (!strncmp(method, CXLNIC_VARLINK_SERVICE, n) && method[n] == '.')
		return parse_service_call(method + n + 1, params, req, why);
	m = cxlnic_method_find(method);
	if (m >= 0) {
		req->method = (enum cxlnic_method)m;
		return parse_daemon_call(params, req, why);
	}
	n = dot ? (size_t)(dot - method) : strlen(method);
	if (n == strlen(CXLNIC_VARLINK_INTERFACE) &&
	    !strncmp(method, CXLNIC_VARLINK_INTERFACE, n))
		return refuse(why, METHOD_NOT_FOUND, "method",
			      method, "no method '%.60s'", method);
	snprintf(iface, sizeof(iface), "%.*s", (int)n, method);
	return refuse(why, INTERFACE_NOT_FOUND, "interface",
		      iface, "no interface '%.60s': cxlnicd serves %s and %s",
		      iface, CXLNIC_VARLINK_INTERFACE, CXLNIC_VARLINK_SERVICE);
}

static int get_flag(struct json_object *o, const char *key, bool *flag,
		    struct control_refusal *why)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return refuse(why, BAD_MESSAGE, NULL, NULL,
			      "\"%s\" must be a boolean", key);
	*flag = json_object_get_boolean(v);
	return 0;
}

/* The call's own members: method, parameters, more, oneway, upgrade. */
static int check_members(struct json_object *o, struct control_refusal *why)
{
	static const char *const known[] = {
		"method", "parameters", "more", "oneway", "upgrade",
	};
	bool upgrade = false;
	size_t i;

	json_object_object_foreach(o, key, v) {
		(void)v;
		for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(key, known[i]))
				break;
		if (i == sizeof(known) / sizeof(known[0]))
			return refuse(why, BAD_MESSAGE, NULL, NULL,
				      "a call has no member '%.40s'", key);
	}
	if (get_flag(o, "upgrade", &upgrade, why))
		return -EINVAL;
	if (upgrade)
		return refuse(why, BAD_MESSAGE, NULL, NULL,
			      "cxlnicd upgrades no connection");
	return 0;
}

static int parse_object(struct json_object *o, struct control_request *req,
			struct control_refusal *why)
{
	struct json_object *method, *params = NULL;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return refuse(why, BAD_MESSAGE, NULL, NULL,
			      "a call is a JSON object");
	if (!json_object_object_get_ex(o, "method", &method) ||
	    !json_object_is_type(method, json_type_string))
		return refuse(why, BAD_MESSAGE, NULL, NULL,
			      "a call needs \"method\", a string");
	rc = check_members(o, why);
	if (!rc)
		rc = get_flag(o, "more", &req->more, why);
	if (!rc)
		rc = get_flag(o, "oneway", &req->oneway, why);
	if (rc)
		return rc;
	if (json_object_object_get_ex(o, "parameters", &params) && params &&
	    !json_object_is_type(params, json_type_object))
		return refuse(why, BAD_MESSAGE, NULL, NULL,
			      "\"parameters\" must be an object");
	return parse_method(json_object_get_string(method), params, req, why);
}

int control_parse_request(const char *msg, size_t len,
			  struct control_request *req,
			  struct control_refusal *why)
{
	struct json_tokener *tok;
	struct json_object *o;
	int rc;

	memset(req, 0, sizeof(*req));
	memset(why, 0, sizeof(*why));
	if (len > CONTROL_MAX_MESSAGE)
		return refuse(why, BAD_MESSAGE, NULL, NULL,
			      "a call longer than %d bytes",
			      CONTROL_MAX_MESSAGE);
	if (memchr(msg, '\0', len))
		return refuse(why, BAD_MESSAGE, NULL, NULL,
			      "a call holds a NUL byte");
	tok = json_tokener_new();
	if (!tok)
		return refuse(why, CXLNIC_VARLINK_SYSTEM_ERROR, NULL, NULL,
			      "out of memory");
	o = json_tokener_parse_ex(tok, msg, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		rc = refuse(why, BAD_MESSAGE, NULL, NULL,
			    "not one JSON object: %s", o ? "trailing data" :
			    json_tokener_error_desc(
				    json_tokener_get_error(tok)));
		json_object_put(o);
		json_tokener_free(tok);
		return rc;
	}
	json_tokener_free(tok);
	rc = parse_object(o, req, why);
	json_object_put(o);
	return rc;
}

enum control_admit control_admit(bool root, bool may_read,
				 const struct control_peers *open)
{
	if (!root && !may_read)
		return CONTROL_NO_ACCESS;
	if (open->all >= CONTROL_MAX_CONNS)
		return CONTROL_BUSY_ALL;
	if (root)
		return CONTROL_ADMIT;
	if (open->of_uid >= CONTROL_MAX_PER_UID)
		return CONTROL_BUSY_UID;
	if (open->unpriv >= CONTROL_MAX_UNPRIV)
		return CONTROL_BUSY_ALL;
	return CONTROL_ADMIT;
}

/* The message's text, its NUL the end of it. */
static char *reply_text(struct json_object *reply)
{
	char *out = strdup(json_object_to_json_string_ext(reply,
						JSON_C_TO_STRING_PLAIN));

	json_object_put(reply);
	return out;
}

char *control_reply_parameters(struct json_object *params, bool continues)
{
	struct json_object *reply = json_object_new_object();

	json_object_object_add(reply, "parameters", params ? params :
			       json_object_new_object());
	if (continues)
		json_object_object_add(reply, "continues",
				       json_object_new_boolean(true));
	return reply_text(reply);
}

char *control_reply_ok(enum cxlnic_method m, struct json_object *result)
{
	struct json_object *params = json_object_new_object();

	if (result)
		json_object_object_add(params, cxlnic_method_desc(m)->returns,
				       result);
	return control_reply_parameters(params, false);
}

char *control_reply_named_error(const char *error,
				struct json_object *params)
{
	struct json_object *reply = json_object_new_object();

	json_object_object_add(reply, "error", json_object_new_string(error));
	json_object_object_add(reply, "parameters", params);
	return reply_text(reply);
}

char *control_reply_error(int error, const char *fmt, ...)
{
	struct json_object *params = json_object_new_object();
	const char *name = cxlnic_error_name(error);
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(params, "message", json_object_new_string(msg));
	if (!strcmp(name, CXLNIC_VARLINK_SYSTEM_ERROR))
		json_object_object_add(params, "errno", json_object_new_string(
				       cxlnic_errno_name(error)));
	return control_reply_named_error(name, params);
}

char *control_reply_refusal(const struct control_refusal *why)
{
	struct json_object *params = json_object_new_object();

	if (why->param)
		json_object_object_add(params, why->param,
				json_object_new_string(why->param_value));
	json_object_object_add(params, "message",
			       json_object_new_string(why->message));
	return control_reply_named_error(why->error, params);
}
