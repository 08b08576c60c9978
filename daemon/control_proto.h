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

/*
 * Connections at once.  Callers other than root share half of them, so that
 * root can always reach the daemon; each uid other than root may hold
 * CONTROL_MAX_PER_UID, so that one user cannot take the readers' share
 * (cxlnicctl uses one connection per command, a monitor one more: four leave
 * room for a monitor and a few commands side by side).  cxlnicd(8) gives
 * these numbers and the idle timeout; the daemon-control test reads them
 * from here.
 */
#define CONTROL_MAX_CONNS	64
#define CONTROL_MAX_UNPRIV	(CONTROL_MAX_CONNS / 2)
#define CONTROL_MAX_PER_UID	4
/*
 * A connection that sends no complete request for this long, from its
 * accept or its last request, is closed (a monitor never is): an idle
 * caller keeps no slot.  Any cxlnicctl command sends at once.
 */
#define CONTROL_IDLE_TIMEOUT_S	10

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

/*
 * Whether a connection is taken, decided at accept from its SO_PEERCRED
 * alone: a caller who may not read is refused (EACCES) whatever else it
 * would ask, and one who finds no room is told busy (EAGAIN, try again:
 * the protocol uses it for nothing else).
 */
enum control_admit {
	CONTROL_ADMIT,
	CONTROL_NO_ACCESS,
	CONTROL_BUSY_UID,	/* this uid holds CONTROL_MAX_PER_UID */
	CONTROL_BUSY_ALL,	/* no slot left for this caller's kind */
};

struct control_peers {
	unsigned int all;	/* connections open */
	unsigned int unpriv;	/* of those, of uids other than root */
	unsigned int of_uid;	/* of those, of the caller's uid */
};

enum control_admit control_admit(bool root, bool may_read,
				 const struct control_peers *open);

/* Replies as text, newline included; the caller frees. */
char *control_reply_ok(struct json_object *result);
char *control_reply_error(int error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
