/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicd's control socket: a stream socket of NUL-delimited varlink
 * messages, one reply to each call (see control_proto.h).  Callers are told apart by
 * SO_PEERCRED: root may do everything, members of the configured read group
 * may read.  Who is let in is decided at accept (control_admit()): anybody
 * else, and a caller over the limits in control_proto.h, gets one error reply
 * and is closed at once.  A connection idle for CONTROL_IDLE_TIMEOUT_S is
 * closed.  A call of Monitor turns the connection into a feed of history
 * entries.
 */
#ifndef CXLNICD_CONTROL_H
#define CXLNICD_CONTROL_H

#include <stdbool.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "control_proto.h"

struct control;

/* Who is connected, as SO_PEERCRED and /proc said at the connect. */
struct control_peer {
	uid_t uid;
	pid_t pid;
	char who[64];		/* "uid 0, pid 412 cxlnicctl": for the log */
};

/*
 * Handle an allowed call of io.cxlnic.Daemon; returns the reply
 * (malloc'ed, as control_reply_*() make it).
 */
typedef char *(*control_handler_fn)(const struct control_request *req,
				    const struct control_peer *peer,
				    void *arg);

/*
 * Listen on @path (replacing a stale socket), or on the socket systemd
 * passed (socket activation) when there is one.
 */
int control_open(struct control **out, sd_event *event, const char *path,
		 control_handler_fn handler, void *arg);
void control_close(struct control *ctl);
/* Who may read besides root: members of @group ("" for nobody else). */
int control_set_read_group(struct control *ctl, const char *group);
/*
 * read_group's name as control_set_read_group() takes it, without a
 * socket (cxlnicd --check-config): 0 with its gid in @gid ("" or NULL:
 * 0, @gid untouched), -ENOENT when no such group is known.
 */
int control_resolve_group(const char *group, gid_t *gid);
/* Send @entry (a history entry, borrowed) to every monitor connection. */
void control_broadcast(struct control *ctl, struct json_object *entry);

#endif
