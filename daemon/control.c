// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <systemd/sd-daemon.h>

#include "control.h"
#include "log.h"

#define MAX_CONNS	64
#define MAX_PENDING_OUT	(1 << 20)	/* a monitor that stops reading goes */

struct conn {
	struct control *ctl;
	int fd;
	sd_event_source *src;
	struct ucred cred;
	bool may_read;
	bool monitor;
	bool closing;		/* reply queued, then hang up */
	char in[CONTROL_MAX_LINE + 1];
	size_t in_len;
	char *out;
	size_t out_len;
	struct conn *next;
};

struct control {
	sd_event *event;
	sd_event_source *listen_src;
	int listen_fd;
	char path[108];
	bool unlink_on_close;
	control_handler_fn handler;
	void *arg;
	char read_group[64];
	gid_t read_gid;
	struct conn *conns;
	unsigned int n_conns;
};

static void conn_free(struct conn *c)
{
	struct conn **p;

	for (p = &c->ctl->conns; *p; p = &(*p)->next) {
		if (*p == c) {
			*p = c->next;
			break;
		}
	}
	c->ctl->n_conns--;
	sd_event_source_disable_unref(c->src);
	close(c->fd);
	free(c->out);
	free(c);
}

/* Write what is queued; EPOLLOUT only while something is left. */
static int conn_flush(struct conn *c)
{
	ssize_t n;

	while (c->out_len) {
		n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -errno;
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	/* Closing, only the rest of the output matters. */
	return sd_event_source_set_io_events(c->src,
		(c->closing ? 0 : EPOLLIN) | (c->out_len ? EPOLLOUT : 0));
}

static int conn_queue(struct conn *c, const char *text)
{
	size_t len = strlen(text);
	char *out;

	if (c->out_len + len > MAX_PENDING_OUT)
		return -ENOBUFS;
	out = realloc(c->out, c->out_len + len);
	if (!out)
		return -ENOMEM;
	memcpy(out + c->out_len, text, len);
	c->out = out;
	c->out_len += len;
	return conn_flush(c);
}

static bool peer_in_group(int fd, const struct ucred *cred, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);
	size_t i;

	if (cred->gid == gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	for (i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static char *check_and_handle(struct conn *c, const char *line, size_t len)
{
	struct control *ctl = c->ctl;
	struct control_request req;
	char err[256];

	if (control_parse_request(line, len, &req, err, sizeof(err)))
		return control_reply_error(EINVAL, "%s", err);
	if (control_cmd_writes(req.cmd) && c->cred.uid != 0)
		return control_reply_error(EPERM,
			"'%s' changes the system: it needs root",
			control_cmd_name(req.cmd));
	if (!c->may_read) {
		/* Nothing else to say to this caller: the slot goes back. */
		c->closing = true;
		return control_reply_error(EACCES,
			"reading cxlnicd's state needs root%s%s%s",
			ctl->read_group[0] ? " or group '" : "",
			ctl->read_group, ctl->read_group[0] ? "'" : "");
	}
	if (req.cmd == CTL_MONITOR)
		c->monitor = true;
	return ctl->handler(&req, c->cred.uid, ctl->arg);
}

static int conn_handle_line(struct conn *c, const char *line, size_t len)
{
	char *reply = check_and_handle(c, line, len);
	int rc;

	if (!reply)
		return -ENOMEM;
	rc = conn_queue(c, reply);
	free(reply);
	return rc;
}

/* Handle every complete line in the input buffer. */
static int conn_process(struct conn *c)
{
	char *nl;
	size_t used;
	int rc;

	while ((nl = memchr(c->in, '\n', c->in_len))) {
		used = (size_t)(nl - c->in) + 1;
		rc = conn_handle_line(c, c->in, used - 1);
		if (rc)
			return rc;
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	if (c->in_len == sizeof(c->in)) {
		/* No end of line in sight: say why, then hang up. */
		char *reply = control_reply_error(EINVAL,
			"request longer than %d bytes", CONTROL_MAX_LINE);

		c->closing = true;
		c->in_len = 0;
		rc = reply ? conn_queue(c, reply) : -ENOMEM;
		free(reply);
		return rc;
	}
	return 0;
}

static int on_conn(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct conn *c = arg;
	ssize_t n;
	int rc = 0;

	(void)s;
	if (revents & EPOLLOUT)
		rc = conn_flush(c);
	if (!rc && (revents & (EPOLLIN | EPOLLHUP)) && !c->closing) {
		n = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
			 MSG_DONTWAIT);
		if (n == 0) {
			/* The caller is done sending: answer, then go. */
			c->closing = true;
			rc = conn_flush(c);
		}
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			rc = -errno;
		else if (n > 0) {
			c->in_len += (size_t)n;
			rc = conn_process(c);
		}
	}
	if (rc || (c->closing && !c->out_len) ||
	    ((revents & EPOLLHUP) && !(revents & EPOLLIN)))
		conn_free(c);
	return 0;
}

/*
 * Callers other than root share half of the connections: however many a
 * user holds open, root can still reach the daemon.
 */
static bool conn_room(const struct control *ctl, const struct ucred *cred)
{
	unsigned int limit = cred->uid == 0 ? MAX_CONNS : MAX_CONNS / 2;

	if (ctl->n_conns < limit)
		return true;
	log_err("control: %u connections open, refusing one of uid %u",
		ctl->n_conns, (unsigned int)cred->uid);
	return false;
}

static void conn_new(struct control *ctl, int fd)
{
	socklen_t len = sizeof(struct ucred);
	struct conn *c;

	c = calloc(1, sizeof(*c));
	if (!c || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) ||
	    !conn_room(ctl, &c->cred) ||
	    sd_event_add_io(ctl->event, &c->src, fd, EPOLLIN, on_conn, c) < 0) {
		if (c)
			sd_event_source_unref(c->src);
		free(c);
		close(fd);
		return;
	}
	c->ctl = ctl;
	c->fd = fd;
	c->may_read = c->cred.uid == 0 ||
		      (ctl->read_group[0] &&
		       peer_in_group(fd, &c->cred, ctl->read_gid));
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->n_conns++;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct control *ctl = arg;
	int cfd;

	(void)s;
	(void)revents;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		conn_new(ctl, cfd);
	return 0;
}

static int listen_on(struct control *ctl, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket left by a killed daemon: nobody listens on it any more. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(path, 0666) || listen(fd, 16)) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	ctl->unlink_on_close = true;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	return fd;
}

int control_open(struct control **out, sd_event *event, const char *path,
		 control_handler_fn handler, void *arg)
{
	struct control *ctl = calloc(1, sizeof(*ctl));
	int rc;

	if (!ctl)
		return -ENOMEM;
	ctl->event = event;
	ctl->handler = handler;
	ctl->arg = arg;
	if (sd_listen_fds(1) == 1 &&
	    sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, path, 0) > 0) {
		ctl->listen_fd = SD_LISTEN_FDS_START;
		fcntl(ctl->listen_fd, F_SETFL, O_NONBLOCK);
	} else {
		ctl->listen_fd = listen_on(ctl, path);
	}
	if (ctl->listen_fd < 0) {
		rc = ctl->listen_fd;
		free(ctl);
		return rc;
	}
	rc = sd_event_add_io(event, &ctl->listen_src, ctl->listen_fd, EPOLLIN,
			     on_accept, ctl);
	if (rc < 0) {
		control_close(ctl);
		return rc;
	}
	*out = ctl;
	return 0;
}

void control_close(struct control *ctl)
{
	if (!ctl)
		return;
	while (ctl->conns)
		conn_free(ctl->conns);
	sd_event_source_disable_unref(ctl->listen_src);
	close(ctl->listen_fd);
	if (ctl->unlink_on_close)
		unlink(ctl->path);
	free(ctl);
}

int control_set_read_group(struct control *ctl, const char *group)
{
	struct group *gr;
	struct conn *c;

	ctl->read_group[0] = '\0';
	if (group && *group) {
		gr = getgrnam(group);
		if (!gr)
			return -ENOENT;
		ctl->read_gid = gr->gr_gid;
		snprintf(ctl->read_group, sizeof(ctl->read_group), "%s", group);
	}
	/* Connections already open follow the new rule. */
	for (c = ctl->conns; c; c = c->next)
		c->may_read = c->cred.uid == 0 ||
			      (ctl->read_group[0] &&
			       peer_in_group(c->fd, &c->cred, ctl->read_gid));
	return 0;
}

void control_broadcast(struct control *ctl, const char *line)
{
	struct conn *c;

	for (c = ctl->conns; c; c = c->next) {
		if (!c->monitor || c->closing || !conn_queue(c, line))
			continue;
		/*
		 * Not freed here: this may run inside that connection's own
		 * request.  The hang-up wakes on_conn, which frees it.
		 */
		log_err("control: a monitor fell %d bytes behind, dropped",
			MAX_PENDING_OUT);
		c->closing = true;
		c->out_len = 0;
		shutdown(c->fd, SHUT_RDWR);
	}
}
