/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Client of cxlnicd's control socket: one JSON request per line, one JSON
 * reply per line (the protocol is in docs/json.md and daemon/control_proto.h).
 */
#ifndef CXLNIC_CTL_H
#define CXLNIC_CTL_H

#include <stddef.h>

#include <json-c/json.h>

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
 * Send @request (consumed) and wait for the reply.  0 with the reply's
 * "result" in @result (NULL when it has none; the caller puts it), or a
 * negative errno from the reply's "code" with its "error" in
 * cxlnic_ctl_error(): -EAGAIN is cxlnicd's "busy" (no room for the
 * connection), -EACCES a caller who may not read.  -ECONNRESET: cxlnicd
 * closed the connection without a reply (only cxlnic_ctl_open() says
 * -CXLNIC_ENODAEMON); -ETIMEDOUT: no reply within the timeout.
 */
int cxlnic_ctl_call(struct cxlnic_ctl *c, struct json_object *request,
		    struct json_object **result);
const char *cxlnic_ctl_error(const struct cxlnic_ctl *c);

/* A request {"command": @cmd} with "nic" when @nic is not NULL. */
struct json_object *cxlnic_ctl_request(const char *cmd, const char *nic);

/*
 * A monitor feed: cxlnic_ctl_fill() reads once what the socket has (it
 * blocks when it has nothing; poll cxlnic_ctl_fd() first), -ECONNRESET at
 * the feed's end; cxlnic_ctl_next() takes the next whole line read, or
 * -EAGAIN.
 */
int cxlnic_ctl_fill(struct cxlnic_ctl *c);
int cxlnic_ctl_next(struct cxlnic_ctl *c, struct json_object **obj);

#endif
