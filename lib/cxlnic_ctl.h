/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Client of cxlnicd's control socket: varlink calls of io.cxlnic.Daemon,
 * NUL-delimited JSON each way (docs/json.md, lib/cxlnic_varlink.h).
 */
#ifndef CXLNIC_CTL_H
#define CXLNIC_CTL_H

#include <stddef.h>

#include <json-c/json.h>

#include "cxlnic_varlink.h"

#define CXLNIC_CTL_DEFAULT_PATH "/run/cxlnicd/control"
/* Nobody listens on the socket: cxlnicd is not running. */
#define CXLNIC_ENODAEMON	1001

struct cxlnic_ctl;

/* @path NULL: $CXLNICD_CONTROL, else the default path. */
int cxlnic_ctl_open(struct cxlnic_ctl **out, const char *path);
/*
 * How long cxlnic_ctl_call() waits for its reply before -ETIMEDOUT: cxlnicd
 * answers between the steps of a recovery, and one step (a PCI reset) can
 * take seconds.  @ms 0: no limit; CXLNIC_CTL_DEFAULT_TIMEOUT_MS from open.
 */
#define CXLNIC_CTL_DEFAULT_TIMEOUT_MS	60000
void cxlnic_ctl_set_timeout(struct cxlnic_ctl *c, int ms);
void cxlnic_ctl_close(struct cxlnic_ctl *c);
int cxlnic_ctl_fd(const struct cxlnic_ctl *c);

/*
 * Send @request (consumed) and wait for the reply.  0 with the member the
 * method returns in @result (NULL when the reply has none, as Monitor's
 * first; the caller puts it), or a negative errno for the reply's error
 * (cxlnic_error_errno()) with its message in cxlnic_ctl_error(): -EAGAIN
 * is cxlnicd's "busy" (no room for the connection), -EPERM a caller who
 * may not do it, or not read at all.  -ECONNRESET: cxlnicd closed the
 * connection without a reply (only cxlnic_ctl_open() says
 * -CXLNIC_ENODAEMON); -ETIMEDOUT: no reply within the timeout.
 */
int cxlnic_ctl_call(struct cxlnic_ctl *c, struct json_object *request,
		    struct json_object **result);
const char *cxlnic_ctl_error(const struct cxlnic_ctl *c);

/*
 * A call of @m, with the parameter "nic" when @nic is not NULL; "more"
 * when @m streams.  cxlnic_ctl_param() adds a parameter (@v consumed).
 */
struct json_object *cxlnic_ctl_request(enum cxlnic_method m, const char *nic);
void cxlnic_ctl_param(struct json_object *request, const char *name,
		      struct json_object *v);

/*
 * A monitor feed: cxlnic_ctl_fill() reads once what the socket has (it
 * blocks when it has nothing; poll cxlnic_ctl_fd() first), -ECONNRESET at
 * the feed's end; cxlnic_ctl_next() takes the next whole reply read, its
 * "entry" in @obj, or -EAGAIN, or the errno of an error reply (the feed
 * then ends).
 */
int cxlnic_ctl_fill(struct cxlnic_ctl *c);
int cxlnic_ctl_next(struct cxlnic_ctl *c, struct json_object **obj);

#endif
