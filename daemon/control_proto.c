// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"
#include "cxlnic_names.h"

enum field {
	F_NIC = 1u << 0,
	F_KEY = 1u << 1,
	F_VALUE = 1u << 2,
	F_LIMIT = 1u << 3,
};

struct cmd_desc {
	const char *name;
	bool writes;
	unsigned int required;
	unsigned int optional;
};

static const struct cmd_desc cmds[CTL_NR_CMDS] = {
	[CTL_STATUS] = { "status", false, 0, 0 },
	[CTL_LIST] = { "list", false, 0, 0 },
	[CTL_SHOW] = { "show", false, F_NIC, 0 },
	[CTL_POLICY] = { "policy", false, F_NIC, 0 },
	[CTL_SET_POLICY] = { "set-policy", true, F_NIC | F_KEY | F_VALUE, 0 },
	[CTL_RECOVER] = { "recover", true, F_NIC, 0 },
	[CTL_UNBIND] = { "unbind", true, F_NIC, 0 },
	[CTL_BIND] = { "bind", true, F_NIC, 0 },
	[CTL_HISTORY] = { "history", false, 0, F_NIC | F_LIMIT },
	[CTL_MONITOR] = { "monitor", false, 0, 0 },
	[CTL_RELOAD] = { "reload", true, 0, 0 },
};

bool control_cmd_writes(enum control_cmd cmd)
{
	return cmds[cmd].writes;
}

const char *control_cmd_name(enum control_cmd cmd)
{
	return cmds[cmd].name;
}

static int bad(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int find_cmd(const char *name, enum control_cmd *out)
{
	unsigned int i;

	for (i = 0; i < CTL_NR_CMDS; i++) {
		if (!strcmp(cmds[i].name, name)) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

static int copy_string(struct json_object *v, const char *key, char *dst,
		       size_t dst_len, char *err, size_t err_len)
{
	const char *s;

	if (!json_object_is_type(v, json_type_string))
		return bad(err, err_len, "'%s' must be a string", key);
	s = json_object_get_string(v);
	if (!*s)
		return bad(err, err_len, "'%s' is empty", key);
	if (strlen(s) >= dst_len || strlen(s) != (size_t)json_object_get_string_len(v))
		return bad(err, err_len, "'%s' is too long or holds a NUL", key);
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

/* One member of the request object other than "command". */
static int parse_field(struct control_request *req, const char *key,
		       struct json_object *v, unsigned int *seen, char *err,
		       size_t len)
{
	int64_t n;

	if (!strcmp(key, "nic")) {
		*seen |= F_NIC;
		return copy_string(v, key, req->nic, sizeof(req->nic), err, len);
	}
	if (!strcmp(key, "key")) {
		*seen |= F_KEY;
		return copy_string(v, key, req->key, sizeof(req->key), err, len);
	}
	if (!strcmp(key, "value")) {
		*seen |= F_VALUE;
		return copy_string(v, key, req->value, sizeof(req->value), err,
				   len);
	}
	if (!strcmp(key, "limit")) {
		*seen |= F_LIMIT;
		if (!json_object_is_type(v, json_type_int))
			return bad(err, len, "'limit' must be an integer");
		n = json_object_get_int64(v);
		if (n < 0 || n > 1000000)
			return bad(err, len, "'limit' must be from 0 to 1000000");
		req->limit = (size_t)n;
		return 0;
	}
	return bad(err, len, "unknown field '%s'", key);
}

static const char *field_name(unsigned int bit)
{
	switch (bit) {
	case F_NIC: return "nic";
	case F_KEY: return "key";
	case F_VALUE: return "value";
	default: return "limit";
	}
}

static int check_fields(const struct control_request *req, unsigned int seen,
			char *err, size_t len)
{
	const struct cmd_desc *d = &cmds[req->cmd];
	unsigned int bit;

	for (bit = 1; bit <= F_LIMIT; bit <<= 1) {
		if ((d->required & bit) && !(seen & bit))
			return bad(err, len, "'%s' needs '%s'", d->name,
				   field_name(bit));
		if ((seen & bit) && !((d->required | d->optional) & bit))
			return bad(err, len, "'%s' takes no '%s'", d->name,
				   field_name(bit));
	}
	return 0;
}

static int parse_object(struct json_object *o, struct control_request *req,
			char *err, size_t len)
{
	struct json_object *cmd;
	unsigned int seen = 0;
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad(err, len, "a request is a JSON object");
	if (!json_object_object_get_ex(o, "command", &cmd) ||
	    !json_object_is_type(cmd, json_type_string))
		return bad(err, len, "a request needs \"command\", a string");
	if (find_cmd(json_object_get_string(cmd), &req->cmd))
		return bad(err, len, "unknown command '%.40s'",
			   json_object_get_string(cmd));
	json_object_object_foreach(o, key, v) {
		if (!strcmp(key, "command"))
			continue;
		rc = parse_field(req, key, v, &seen, err, len);
		if (rc)
			return rc;
	}
	return check_fields(req, seen, err, len);
}

int control_parse_request(const char *line, size_t len,
			  struct control_request *req, char *err,
			  size_t err_len)
{
	struct json_tokener *tok;
	struct json_object *o;
	int rc;

	memset(req, 0, sizeof(*req));
	if (len > CONTROL_MAX_LINE)
		return bad(err, err_len, "request longer than %d bytes",
			   CONTROL_MAX_LINE);
	if (memchr(line, '\0', len))
		return bad(err, err_len, "request holds a NUL byte");
	tok = json_tokener_new();
	if (!tok)
		return bad(err, err_len, "out of memory");
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		rc = bad(err, err_len, "not one JSON object: %s",
			 o ? "trailing data" :
			 json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(o);
		json_tokener_free(tok);
		return rc;
	}
	json_tokener_free(tok);
	rc = parse_object(o, req, err, err_len);
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

static char *reply_text(struct json_object *reply)
{
	const char *s = json_object_to_json_string_ext(reply,
						JSON_C_TO_STRING_PLAIN);
	char *out = malloc(strlen(s) + 2);

	if (out)
		sprintf(out, "%s\n", s);
	json_object_put(reply);
	return out;
}

char *control_reply_ok(struct json_object *result)
{
	struct json_object *reply = json_object_new_object();

	json_object_object_add(reply, "ok", json_object_new_boolean(true));
	if (result)
		json_object_object_add(reply, "result", result);
	return reply_text(reply);
}

char *control_reply_error(int error, const char *fmt, ...)
{
	struct json_object *reply = json_object_new_object();
	char msg[300];
	va_list ap;

	if (error < 0)
		error = -error;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(reply, "ok", json_object_new_boolean(false));
	json_object_object_add(reply, "error", json_object_new_string(msg));
	json_object_object_add(reply, "code", json_object_new_string(
			       cxlnic_errno_name(error)));
	return reply_text(reply);
}
