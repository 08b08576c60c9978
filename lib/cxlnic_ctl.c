// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "cxlnic_ctl.h"
#include "cxlnic_names.h"

#define MAX_REPLY (16 << 20)

struct cxlnic_ctl {
	int fd;
	int timeout_ms;			/* of a reply; 0: none */
	char *buf;
	size_t len;
	size_t cap;
	char error[300];
};

int cxlnic_ctl_open(struct cxlnic_ctl **out, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct cxlnic_ctl *c;
	int rc;

	if (!path)
		path = getenv("CXLNICD_CONTROL");
	if (!path || !*path)
		path = CXLNIC_CTL_DEFAULT_PATH;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = errno == ENOENT || errno == ECONNREFUSED ?
		     -CXLNIC_ENODAEMON : -errno;
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return rc;
	}
	c->timeout_ms = CXLNIC_CTL_DEFAULT_TIMEOUT_MS;
	*out = c;
	return 0;
}

void cxlnic_ctl_set_timeout(struct cxlnic_ctl *c, int ms)
{
	c->timeout_ms = ms;
}

/* Wait for something to read, at most the timeout. */
static int wait_readable(const struct cxlnic_ctl *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	int n;

	if (!c->timeout_ms)
		return 0;
	do {
		n = poll(&pfd, 1, c->timeout_ms);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n ? 0 : -ETIMEDOUT;
}

void cxlnic_ctl_close(struct cxlnic_ctl *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

int cxlnic_ctl_fd(const struct cxlnic_ctl *c)
{
	return c->fd;
}

const char *cxlnic_ctl_error(const struct cxlnic_ctl *c)
{
	return c->error;
}

struct json_object *cxlnic_ctl_request(const char *cmd, const char *nic)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "command", json_object_new_string(cmd));
	if (nic)
		json_object_object_add(o, "nic", json_object_new_string(nic));
	return o;
}

static int send_line(int fd, const char *text)
{
	size_t len = strlen(text), off = 0;
	ssize_t n;

	while (off < len) {
		n = send(fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	n = send(fd, "\n", 1, MSG_NOSIGNAL);
	return n == 1 ? 0 : n < 0 ? -errno : -EIO;
}

/* Parse and drop the first buffered line, if there is a whole one. */
static int take_line(struct cxlnic_ctl *c, struct json_object **obj)
{
	char *nl = c->buf ? memchr(c->buf, '\n', c->len) : NULL;
	size_t used;

	if (!nl)
		return -EAGAIN;
	*nl = '\0';
	used = (size_t)(nl - c->buf) + 1;
	*obj = json_tokener_parse(c->buf);
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	return *obj ? 0 : -EBADMSG;
}

static int read_more(struct cxlnic_ctl *c)
{
	ssize_t n;
	char *buf;

	if (c->cap - c->len < 4096) {
		if (c->cap >= MAX_REPLY)
			return -EMSGSIZE;
		buf = realloc(c->buf, c->cap ? c->cap * 2 : 8192);
		if (!buf)
			return -ENOMEM;
		c->buf = buf;
		c->cap = c->cap ? c->cap * 2 : 8192;
	}
	do {
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	c->len += (size_t)n;
	return 0;
}

int cxlnic_ctl_fill(struct cxlnic_ctl *c)
{
	return read_more(c);
}

int cxlnic_ctl_next(struct cxlnic_ctl *c, struct json_object **obj)
{
	return take_line(c, obj);
}

static int read_reply(struct cxlnic_ctl *c, struct json_object **reply)
{
	int rc;

	while ((rc = take_line(c, reply)) == -EAGAIN) {
		rc = wait_readable(c);
		if (!rc)
			rc = read_more(c);
		if (rc)
			return rc;
	}
	return rc;
}

int cxlnic_ctl_call(struct cxlnic_ctl *c, struct json_object *request,
		    struct json_object **result)
{
	struct json_object *reply, *v;
	int rc;

	*result = NULL;
	c->error[0] = '\0';
	rc = send_line(c->fd, json_object_to_json_string_ext(request,
			JSON_C_TO_STRING_PLAIN));
	json_object_put(request);
	/*
	 * A caller cxlnicd refuses at accept is answered before it sends, and
	 * closed: the send fails, the answer is there to read.
	 */
	if (!rc || rc == -EPIPE || rc == -ECONNRESET)
		rc = read_reply(c, &reply);
	if (rc)
		return rc == -EPIPE ? -ECONNRESET : rc;
	if (json_object_object_get_ex(reply, "ok", &v) &&
	    json_object_get_boolean(v)) {
		if (json_object_object_get_ex(reply, "result", &v))
			*result = json_object_get(v);
		json_object_put(reply);
		return 0;
	}
	if (json_object_object_get_ex(reply, "error", &v))
		snprintf(c->error, sizeof(c->error), "%s",
			 json_object_get_string(v));
	rc = json_object_object_get_ex(reply, "code", &v) ?
	     cxlnic_errno_from_name(json_object_get_string(v)) : -EIO;
	json_object_put(reply);
	return rc;
}
