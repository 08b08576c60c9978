/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The interface of cxlnicd's control socket, io.cxlnic.Daemon, written
 * once: its methods, their parameters and replies, and its errors.  The
 * socket speaks varlink's shape (NUL-delimited JSON, "method" and
 * "parameters", reverse-domain error names, "more" for a stream), so that
 * varlinkctl can introspect and call cxlnicd.  cxlnicd derives its request
 * parser and the interface description it serves from these tables;
 * cxlnicctl its requests and the errno of each error.
 */
#ifndef CXLNIC_VARLINK_H
#define CXLNIC_VARLINK_H

#include <stdbool.h>

#define CXLNIC_VARLINK_INTERFACE	"io.cxlnic.Daemon"
#define CXLNIC_VARLINK_SERVICE		"org.varlink.service"
/* One of org.varlink.service's errors, qualified. */
#define CXLNIC_VARLINK_SERVICE_ERROR(name)	CXLNIC_VARLINK_SERVICE "." name

enum cxlnic_method {
	CXLNIC_M_STATUS,
	CXLNIC_M_LIST,
	CXLNIC_M_SHOW,
	CXLNIC_M_POLICY,
	CXLNIC_M_SET_POLICY,
	CXLNIC_M_RECOVER,
	CXLNIC_M_UNBIND,
	CXLNIC_M_BIND,
	CXLNIC_M_HISTORY,
	CXLNIC_M_MONITOR,
	CXLNIC_M_RELOAD,
	CXLNIC_M_NR,
};

/* The parameters the methods take; a method's are a mask of these. */
enum cxlnic_param {
	CXLNIC_P_NIC = 1u << 0,
	CXLNIC_P_KEY = 1u << 1,
	CXLNIC_P_VALUE = 1u << 2,
	CXLNIC_P_LIMIT = 1u << 3,
	CXLNIC_P_LAST = CXLNIC_P_LIMIT,
};

struct cxlnic_param_desc {
	const char *name;
	const char *type;	/* varlink's: "string" or "int" */
	const char *doc;
};

struct cxlnic_method_desc {
	const char *name;	/* "SetPolicy" */
	bool writes;		/* root only */
	bool streams;		/* replies go on ("continues"); called with "more" */
	unsigned int required;	/* enum cxlnic_param masks */
	unsigned int optional;
	const char *returns;	/* the member of the reply's parameters */
	const char *reply;	/* the reply's fields, as the description has them */
	const char *doc;
};

const struct cxlnic_method_desc *cxlnic_method_desc(enum cxlnic_method m);
/* @bit one enum cxlnic_param; NULL for anything else. */
const struct cxlnic_param_desc *cxlnic_param_desc(unsigned int bit);
/* "io.cxlnic.Daemon.Show" -> CXLNIC_M_SHOW; -1 when no such method. */
int cxlnic_method_find(const char *qualified);

/*
 * The errors: an errno as cxlnicd's reply names it, and back.  Each of
 * io.cxlnic.Daemon's errors carries "message", one sentence; an errno
 * with no error of its own is SystemError, with "errno" its name.
 */
#define CXLNIC_VARLINK_SYSTEM_ERROR	CXLNIC_VARLINK_INTERFACE ".SystemError"

struct cxlnic_error_desc {
	int errno_value;
	const char *name;	/* qualified: "io.cxlnic.Daemon.NoSuchNic" */
	const char *doc;	/* NULL: not io.cxlnic.Daemon's own */
};

/* The table, ending in a NULL name. */
extern const struct cxlnic_error_desc cxlnic_errors[];
/* Either sign in; what has no error of its own is SystemError. */
const char *cxlnic_error_name(int err);
/*
 * A reply's error as a negative errno: @errno_name is SystemError's
 * "errno" (may be NULL).  An error this build does not know is -EIO.
 */
int cxlnic_error_errno(const char *name, const char *errno_name);

#endif
