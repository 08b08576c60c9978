/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control protocol of cxlnicd: one JSON object per line each way.
 *
 *   request:  {"command": "show", "nic": "0000:0d:00.0"}
 *   reply:    {"ok": true, "result": ...}
 *             {"ok": false, "error": "no NIC 'x'", "code": "ENODEV"}
 *
 * Requests are checked completely before anything is done: an unknown
 * command or field, a field of the wrong type or a missing one is an error
 * reply naming it.  Parsing is pure, for the unit tests and the fuzzers.
 */
#ifndef CXLNICD_CONTROL_PROTO_H
#define CXLNICD_CONTROL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#define CONTROL_MAX_LINE 4096

enum control_cmd {
	CTL_STATUS,
	CTL_LIST,
	CTL_SHOW,
	CTL_POLICY,
	CTL_SET_POLICY,
	CTL_RECOVER,
	CTL_UNBIND,
	CTL_BIND,
	CTL_HISTORY,
	CTL_MONITOR,
	CTL_RELOAD,
	CTL_NR_CMDS,
};

struct control_request {
	enum control_cmd cmd;
	char nic[64];
	char key[32];
	char value[64];
	size_t limit;		/* history: newest entries, 0 = all */
};

/* Whether the command changes anything (root only). */
bool control_cmd_writes(enum control_cmd cmd);
const char *control_cmd_name(enum control_cmd cmd);

/*
 * Parse one request line (without its newline).  0, or -EINVAL with a
 * sentence for the error reply in @err.
 */
int control_parse_request(const char *line, size_t len,
			  struct control_request *req, char *err,
			  size_t err_len);

/* Replies as text, newline included; the caller frees. */
char *control_reply_ok(struct json_object *result);
char *control_reply_error(int error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
