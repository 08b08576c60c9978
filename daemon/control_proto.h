/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The control protocol of cxlnicd, in varlink's shape: one JSON object per
 * message, each ended by a NUL byte, each way.
 *
 *   call:   {"method": "io.cxlnic.Daemon.Show", "parameters": {"nic": "0d:00.0"}}
 *   reply:  {"parameters": {"nic": {...}}}
 *           {"error": "io.cxlnic.Daemon.NoSuchNic",
 *            "parameters": {"message": "no NIC 'x'"}}
 *
 * The methods, their parameters and errors are lib/cxlnic_varlink.c's
 * tables; org.varlink.service's GetInfo and GetInterfaceDescription are
 * answered too, from the same tables (control_service.h).  A call is checked completely before
 * anything is done: an unknown method or parameter, one of the wrong type
 * or a missing one is an error reply naming it.  Parsing is pure, for the
 * unit tests and the fuzzers.
 */
#ifndef CXLNICD_CONTROL_PROTO_H
#define CXLNICD_CONTROL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "cxlnic_varlink.h"

/* The longest call cxlnicd takes, its NUL not counted. */
#define CONTROL_MAX_MESSAGE 4096

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

/* Which interface a call is for. */
enum control_service {
	CONTROL_DAEMON,			/* io.cxlnic.Daemon: .method */
	CONTROL_GET_INFO,		/* org.varlink.service.GetInfo */
	CONTROL_GET_DESCRIPTION,	/* org.varlink.service.GetInterfaceDescription */
};

struct control_request {
	enum control_service service;
	enum cxlnic_method method;
	bool more;		/* the caller takes replies that continue */
	bool oneway;		/* the caller wants no reply */
	char nic[64];
	char key[32];
	char value[64];
	size_t limit;		/* History: newest entries, 0 = all */
	char interface[64];	/* GetInterfaceDescription */
};

/*
 * Why a call was refused, as its error reply says it: a varlink error, the
 * one parameter it names (InvalidParameter's "parameter", MethodNotFound's
 * "method", ...) and a sentence.
 */
struct control_refusal {
	const char *error;
	const char *param;	/* NULL: none but the message */
	char param_value[80];
	char message[256];
};

/*
 * Parse one call (without its NUL).  0, or -EINVAL with @why filled.
 */
int control_parse_request(const char *msg, size_t len,
			  struct control_request *req,
			  struct control_refusal *why);

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

/*
 * Replies as text: a C string whose terminating NUL is the message's end
 * (send strlen() + 1 bytes).  The caller frees.
 *
 * control_reply_ok(): the last reply to a call of @m, @result (consumed)
 * as the member the method returns.  control_reply_parameters(): a reply
 * of @params (consumed) as they are, with "continues" when more follow.
 */
char *control_reply_ok(enum cxlnic_method m, struct json_object *result);
char *control_reply_parameters(struct json_object *params, bool continues);
/* An errno as io.cxlnic.Daemon's error for it (cxlnic_error_name()). */
char *control_reply_error(int error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The error @error (qualified) with @params (consumed). */
char *control_reply_named_error(const char *error,
				struct json_object *params);
char *control_reply_refusal(const struct control_refusal *why);

#endif
