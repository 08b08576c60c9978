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
#include "cxlnic_varlink.h"

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

struct json_object *cxlnic_ctl_request(enum cxlnic_method m, const char *nic)
{
	const struct cxlnic_method_desc *desc = cxlnic_method_desc(m);
	struct json_object *o = json_object_new_object();
	char method[96];

	snprintf(method, sizeof(method), "%s.%s", CXLNIC_VARLINK_INTERFACE,
		 desc->name);
	json_object_object_add(o, "method", json_object_new_string(method));
	json_object_object_add(o, "parameters", json_object_new_object());
	if (desc->streams)
		json_object_object_add(o, "more",
				       json_object_new_boolean(true));
	if (nic)
		cxlnic_ctl_param(o, "nic", json_object_new_string(nic));
	return o;
}

void cxlnic_ctl_param(struct json_object *request, const char *name,
		      struct json_object *v)
{
	json_object_object_add(json_object_object_get(request, "parameters"),
			       name, v);
}

/* @text and its NUL, the message's end. */
static int send_message(int fd, const char *text)
{
	size_t len = strlen(text) + 1, off = 0;
	ssize_t n;

	while (off < len) {
		n = send(fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
	}
	return 0;
}

/* Parse and drop the first buffered message, if there is a whole one. */
static int take_message(struct cxlnic_ctl *c, struct json_object **obj)
{
	char *end = c->buf ? memchr(c->buf, '\0', c->len) : NULL;
	size_t used;

	if (!end)
		return -EAGAIN;
	used = (size_t)(end - c->buf) + 1;
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

static const char *param_string(struct json_object *params, const char *name)
{
	return json_object_get_string(json_object_object_get(params, name));
}

/*
 * A reply: 0 with its parameters' member @returns in @result (NULL when it
 * has none), or its error's errno with the message kept.
 */
static int reply_result(struct cxlnic_ctl *c, struct json_object *reply,
			const char *returns, struct json_object **result)
{
	struct json_object *params, *error;
	const char *msg;
	int rc = 0;

	*result = NULL;
	params = json_object_object_get(reply, "parameters");
	error = json_object_object_get(reply, "error");
	if (error) {
		msg = param_string(params, "message");
		snprintf(c->error, sizeof(c->error), "%s",
			 msg ? msg : json_object_get_string(error));
		rc = cxlnic_error_errno(json_object_get_string(error),
					param_string(params, "errno"));
	} else if (returns &&
		   json_object_object_get_ex(params, returns, result)) {
		json_object_get(*result);
	}
	json_object_put(reply);
	return rc;
}

int cxlnic_ctl_next(struct cxlnic_ctl *c, struct json_object **obj)
{
	const char *entry = cxlnic_method_desc(CXLNIC_M_MONITOR)->returns;
	struct json_object *reply;
	int rc;

	/* Monitor's "ready" has no entry: the next reply has. */
	do {
		rc = take_message(c, &reply);
		if (!rc)
			rc = reply_result(c, reply, entry, obj);
	} while (!rc && !*obj);
	return rc;
}

static int read_reply(struct cxlnic_ctl *c, struct json_object **reply)
{
	int rc;

	while ((rc = take_message(c, reply)) == -EAGAIN) {
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
	const struct cxlnic_method_desc *m = cxlnic_method_desc(
		cxlnic_method_find(json_object_get_string(
			json_object_object_get(request, "method"))));
	struct json_object *reply;
	int rc;

	*result = NULL;
	c->error[0] = '\0';
	rc = send_message(c->fd, json_object_to_json_string_ext(request,
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
	return reply_result(c, reply, m ? m->returns : NULL, result);
}
