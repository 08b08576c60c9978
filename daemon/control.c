// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <systemd/sd-daemon.h>

#include "control.h"
#include "control_service.h"
#include "log.h"

#define MAX_PENDING_OUT	(1 << 20)	/* a monitor that stops reading goes */
#define IDLE_USEC	((uint64_t)CONTROL_IDLE_TIMEOUT_S * 1000000)

struct conn {
	struct control *ctl;
	int fd;
	sd_event_source *src;
	sd_event_source *idle_src;	/* closes it when no request comes */
	struct ucred cred;
	struct control_peer peer;
	bool monitor;
	bool closing;		/* reply queued, then hang up */
	char in[CONTROL_MAX_MESSAGE + 1];
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
	sd_event_source_disable_unref(c->idle_src);
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

/* @msg a C string: its NUL, the message's end, is sent too. */
static int conn_queue(struct conn *c, const char *msg)
{
	size_t len = strlen(msg) + 1;
	char *out;

	if (c->out_len + len > MAX_PENDING_OUT)
		return -ENOBUFS;
	out = realloc(c->out, c->out_len + len);
	if (!out)
		return -ENOMEM;
	memcpy(out + c->out_len, msg, len);
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

static bool peer_may_read(const struct control *ctl, int fd,
			  const struct ucred *cred)
{
	return cred->uid == 0 ||
	       (ctl->read_group[0] && peer_in_group(fd, cred, ctl->read_gid));
}

static char *reply_no_access(const struct control *ctl)
{
	return control_reply_error(EACCES,
		"talking to cxlnicd needs root%s%s%s",
		ctl->read_group[0] ? " or group '" : "",
		ctl->read_group, ctl->read_group[0] ? "'" : "");
}

/*
 * A last word to a caller about to be closed: best effort, never waited
 * for (a fresh or idle socket has room for one message).
 */
static void send_note(int fd, char *reply)
{
	if (reply)
		(void)send(fd, reply, strlen(reply) + 1,
			   MSG_NOSIGNAL | MSG_DONTWAIT);
	free(reply);
}

/*
 * Close @c after @note (if any), not freed here: this may run inside that
 * connection's own request, or another's.  The hang-up wakes on_conn,
 * which frees it.
 */
static void conn_hang_up(struct conn *c, char *note)
{
	c->closing = true;
	/* Not after half a message already queued. */
	if (c->out_len)
		free(note);
	else
		send_note(c->fd, note);
	c->out_len = 0;
	shutdown(c->fd, SHUT_RDWR);
}

/*
 * Only callers who may read are admitted (at accept): this one reads.
 * The reply, or NULL with *@oneway for a call that wants none.
 */
static char *check_and_handle(struct conn *c, const char *msg, size_t len,
			      bool *oneway)
{
	const struct cxlnic_method_desc *m;
	struct control *ctl = c->ctl;
	struct control_refusal why;
	struct control_request req;
	char *reply;

	*oneway = false;
	if (control_parse_request(msg, len, &req, &why))
		return control_reply_refusal(&why);
	*oneway = req.oneway;
	if (req.service != CONTROL_DAEMON)
		reply = control_reply_service(&req);
	else if ((m = cxlnic_method_desc(req.method))->writes &&
		 c->cred.uid != 0)
		reply = control_reply_error(EPERM,
			"%s changes the system: it needs root", m->name);
	else
		reply = ctl->handler(&req, &c->peer, ctl->arg);
	if (req.service == CONTROL_DAEMON && req.method == CXLNIC_M_MONITOR)
		c->monitor = true;
	if (!req.oneway)
		return reply;
	free(reply);
	return NULL;
}

/* The idle time counts again from this request; a monitor has none. */
static int conn_idle_restart(struct conn *c)
{
	int rc;

	if (c->monitor)
		rc = sd_event_source_set_enabled(c->idle_src, SD_EVENT_OFF);
	else
		rc = sd_event_source_set_time_relative(c->idle_src, IDLE_USEC);
	if (rc >= 0 && !c->monitor)
		rc = sd_event_source_set_enabled(c->idle_src, SD_EVENT_ONESHOT);
	return rc < 0 ? rc : 0;
}

static int conn_handle_message(struct conn *c, const char *msg, size_t len)
{
	bool oneway;
	char *reply = check_and_handle(c, msg, len, &oneway);
	int rc = 0;

	if (!reply && !oneway)
		return -ENOMEM;
	if (reply)
		rc = conn_queue(c, reply);
	free(reply);
	return rc ? rc : conn_idle_restart(c);
}

/* Handle every complete message in the input buffer. */
static int conn_process(struct conn *c)
{
	char *end;
	size_t used;
	int rc;

	while ((end = memchr(c->in, '\0', c->in_len))) {
		used = (size_t)(end - c->in) + 1;
		rc = conn_handle_message(c, c->in, used - 1);
		if (rc)
			return rc;
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	if (c->in_len == sizeof(c->in)) {
		/* No end of the message in sight: say why, then hang up. */
		char *reply = control_reply_error(EPROTO,
			"a call longer than %d bytes", CONTROL_MAX_MESSAGE);

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

static int on_idle(sd_event_source *s, uint64_t usec, void *arg)
{
	struct conn *c = arg;
	char byte;

	(void)s;
	(void)usec;
	/*
	 * A request that came while cxlnicd was busy with another (handlers
	 * run inline) is not idleness: on_conn takes it next.
	 */
	if (!c->closing &&
	    recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0 &&
	    conn_idle_restart(c) == 0)
		return 0;
	log_debug("control: uid %u sent no request for %d s: closed",
		  (unsigned int)c->cred.uid, CONTROL_IDLE_TIMEOUT_S);
	/* One that does not read what it was sent is not told either. */
	if (!c->out_len)
		send_note(c->fd, control_reply_error(ETIMEDOUT,
			"no request for %d s: connection closed",
			CONTROL_IDLE_TIMEOUT_S));
	conn_free(c);
	return 0;
}

static void count_peers(const struct control *ctl, uid_t uid,
			struct control_peers *open)
{
	const struct conn *c;

	memset(open, 0, sizeof(*open));
	for (c = ctl->conns; c; c = c->next) {
		open->all++;
		open->unpriv += c->cred.uid != 0;
		open->of_uid += c->cred.uid == uid;
	}
}

static char *reply_busy(enum control_admit why, uid_t uid)
{
	log_info("control: no room for another connection of uid %u (%s)",
		 (unsigned int)uid, why == CONTROL_BUSY_UID ? "its own limit" :
		 "all slots in use");
	if (why == CONTROL_BUSY_UID)
		return control_reply_error(EAGAIN,
			"uid %u has %d connections open, the most one user may",
			(unsigned int)uid, CONTROL_MAX_PER_UID);
	return control_reply_error(EAGAIN, "all %d connections%s are in use",
		uid ? CONTROL_MAX_UNPRIV : CONTROL_MAX_CONNS,
		uid ? " for users other than root" : "");
}

/*
 * Decided at accept, from SO_PEERCRED alone: a refused caller is told why
 * at once and never holds a slot.
 */
static bool admit(struct control *ctl, int fd, const struct ucred *cred)
{
	struct control_peers open;
	enum control_admit why;

	count_peers(ctl, cred->uid, &open);
	why = control_admit(cred->uid == 0, peer_may_read(ctl, fd, cred),
			    &open);
	if (why == CONTROL_ADMIT)
		return true;
	if (why == CONTROL_NO_ACCESS)
		send_note(fd, reply_no_access(ctl));
	else
		send_note(fd, reply_busy(why, cred->uid));
	return false;
}

/* Its command as /proc has it now: it may be gone by the request. */
static void peer_describe(const struct ucred *cred, struct control_peer *p)
{
	char path[32], comm[20] = "";
	FILE *f;

	p->uid = cred->uid;
	p->pid = cred->pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)cred->pid);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = '\0';
	snprintf(p->who, sizeof(p->who), "uid %u, pid %d%s%s",
		 (unsigned int)cred->uid, (int)cred->pid, comm[0] ? " " : "",
		 comm);
}

static int conn_add(struct control *ctl, int fd, const struct ucred *cred)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->ctl = ctl;
	c->fd = fd;
	c->cred = *cred;
	peer_describe(cred, &c->peer);
	if (sd_event_add_io(ctl->event, &c->src, fd, EPOLLIN, on_conn, c) < 0 ||
	    sd_event_add_time_relative(ctl->event, &c->idle_src,
				       CLOCK_MONOTONIC, IDLE_USEC, 0, on_idle,
				       c) < 0) {
		sd_event_source_disable_unref(c->src);
		free(c);
		return -ENOMEM;
	}
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->n_conns++;
	return 0;
}

static void conn_new(struct control *ctl, int fd)
{
	socklen_t len = sizeof(struct ucred);
	struct ucred cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    !admit(ctl, fd, &cred) || conn_add(ctl, fd, &cred))
		close(fd);
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

int control_resolve_group(const char *group, gid_t *gid)
{
	struct group *gr;

	if (!group || !*group)
		return 0;
	gr = getgrnam(group);
	if (!gr)
		return -ENOENT;
	*gid = gr->gr_gid;
	return 0;
}

int control_set_read_group(struct control *ctl, const char *group)
{
	struct conn *c;

	ctl->read_group[0] = '\0';
	if (control_resolve_group(group, &ctl->read_gid))
		return -ENOENT;
	if (group)
		snprintf(ctl->read_group, sizeof(ctl->read_group), "%s", group);
	/* Connections already open follow the new rule: a monitor too. */
	for (c = ctl->conns; c; c = c->next)
		if (!c->closing && !peer_may_read(ctl, c->fd, &c->cred))
			conn_hang_up(c, reply_no_access(ctl));
	return 0;
}

void control_broadcast(struct control *ctl, struct json_object *entry)
{
	struct json_object *params = json_object_new_object();
	char *msg;
	struct conn *c;

	json_object_object_add(params, "entry", json_object_get(entry));
	msg = control_reply_parameters(params, true);
	for (c = ctl->conns; msg && c; c = c->next) {
		if (!c->monitor || c->closing || !conn_queue(c, msg))
			continue;
		log_err("control: a monitor fell %d bytes behind, dropped",
			MAX_PENDING_OUT);
		conn_hang_up(c, NULL);
	}
	free(msg);
}
