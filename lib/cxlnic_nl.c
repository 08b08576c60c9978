// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "cxlnic_nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define DUMP_RETRIES		5
#define MONITOR_RCVBUF		(4 << 20)

struct cxlnic_client {
	struct nl_sock *sk;
	int family;
	char extack[256];
	uint32_t bad_attr_offset;	/* NLMSGERR_ATTR_OFFS, 0 when none */
};

struct cxlnic_monitor {
	struct nl_sock *sk;
	cxlnic_event_fn fn;
	void *arg;
	cxlnic_family_fn family_fn;	/* NULL: nlctrl not followed */
	void *family_arg;
};

/* The state of one request while its answers are read. */
struct request {
	struct cxlnic_client *client;
	int error;			/* negative errno from the kernel */
	bool done;
	bool dump_intr;
	struct cxlnic_dev_info *dev;	/* a do's reply */
	struct cxlnic_dev_list *list;	/* a dump's replies */
	int parse_error;
};

const char *cxlnic_strerror(int err)
{
	if (err == -CXLNIC_ENOMODULE)
		return "the cxlnic kernel module is not loaded";
	return strerror(-err);
}

static int nl_to_errno(int nlerr)
{
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	default:
		return -EIO;
	}
}

static int open_socket(struct nl_sock **out)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return -EPROTONOSUPPORT;
	}
	/* Extended acks, without the request echoed back in them. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	*out = sk;
	return 0;
}

/* An id or group number from nlctrl, or the errno of its absence. */
static int resolved(int id)
{
	if (id >= 0)
		return id;
	return id == -NLE_OBJ_NOTFOUND ? -CXLNIC_ENOMODULE : nl_to_errno(id);
}

int cxlnic_client_resolve(struct cxlnic_client *c)
{
	int id = resolved(genl_ctrl_resolve(c->sk, CXLNIC_FAMILY_NAME));
	bool changed = id != c->family;

	if (id < 0)
		return id;
	c->family = id;
	return changed;
}

int cxlnic_client_open(struct cxlnic_client **out)
{
	struct cxlnic_client *c = calloc(1, sizeof(*c));
	int rc;

	if (!c)
		return -ENOMEM;
	rc = open_socket(&c->sk);
	if (rc) {
		free(c);
		return rc;
	}
	rc = cxlnic_client_resolve(c);
	if (rc < 0) {
		cxlnic_client_close(c);
		return rc;
	}
	*out = c;
	return 0;
}

void cxlnic_client_close(struct cxlnic_client *c)
{
	if (!c)
		return;
	nl_socket_free(c->sk);
	free(c);
}

const char *cxlnic_client_extack(const struct cxlnic_client *c)
{
	return c->extack[0] ? c->extack : NULL;
}

uint32_t cxlnic_client_bad_attr_offset(const struct cxlnic_client *c)
{
	return c->bad_attr_offset;
}

/*
 * The extack TLVs of an error or a dump's end, @off bytes into its payload:
 * keep the message text so the caller can print the kernel's reason.
 */
static void save_extack(struct cxlnic_client *c, struct nlmsghdr *nlh,
			size_t off)
{
	struct nlattr *tlvs = (struct nlattr *)((char *)NLMSG_DATA(nlh) + off);
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || len <= 0)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, tlvs, len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(c->extack, tb[NLMSGERR_ATTR_MSG],
			    sizeof(c->extack));
	if (tb[NLMSGERR_ATTR_OFFS])
		c->bad_attr_offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);
	struct request *req = arg;
	size_t off = sizeof(*err);

	(void)nla;
	/*
	 * We ask for NETLINK_CAP_ACK; should it be refused, the request is
	 * echoed in full and the TLVs come after it.
	 */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off = NLMSG_ALIGN(sizeof(err->error) + err->msg.nlmsg_len);
	req->error = err->error;
	req->done = true;
	save_extack(req->client, nlh, off);
	return NL_STOP;
}

/*
 * An ack, or the end of a dump.  A dump that failed half way says so in its
 * NLMSG_DONE: an int error, then extack TLVs.
 */
static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct request *req = arg;
	int error;

	req->done = true;
	if (nlh->nlmsg_type != NLMSG_DONE ||
	    nlmsg_datalen(nlh) < (int)sizeof(error))
		return NL_STOP;
	memcpy(&error, nlmsg_data(nlh), sizeof(error));
	if (error < 0) {
		req->error = error;
		save_extack(req->client, nlh, NLMSG_ALIGN(sizeof(error)));
	}
	return NL_STOP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;

	(void)msg;
	req->dump_intr = true;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct request *req = arg;
	struct genlmsghdr *gnlh = genlmsg_hdr(nlmsg_hdr(msg));
	struct cxlnic_dev_info dev;

	if (cxlnic_dev_parse(genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0),
			     gnlh->cmd, &dev)) {
		req->parse_error = -EBADMSG;
		return NL_SKIP;
	}
	if (req->dev)
		*req->dev = dev;
	if (req->list && cxlnic_dev_list_add(req->list, &dev))
		req->parse_error = -ENOMEM;
	return NL_OK;
}

/* Send @msg (consumed) and read until its ack, error or dump end. */
static int transact(struct cxlnic_client *c, struct nl_msg *msg,
		    struct request *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int rc;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->extack[0] = '\0';
	c->bad_attr_offset = 0;
	req->client = c;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_finish, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, req);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, req);

	rc = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	while (rc >= 0 && !req->done)
		rc = nl_recvmsgs(c->sk, cb);
	nl_cb_put(cb);
	if (req->error)
		return req->error;
	if (rc < 0)
		return nl_to_errno(rc);
	return req->parse_error;
}

struct nl_msg *cxlnic_request_new(struct cxlnic_client *c, uint8_t cmd,
				  int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0,
				flags | NLM_F_ACK, cmd, CXLNIC_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *new_handle_request(struct cxlnic_client *c, uint8_t cmd,
					 uint32_t handle)
{
	struct nl_msg *msg = cxlnic_request_new(c, cmd, 0);

	if (msg && nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, handle)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int cxlnic_request_send(struct cxlnic_client *c, struct nl_msg *msg)
{
	struct cxlnic_dev_list list = { 0 };
	struct request req = { .list = &list };
	int rc = transact(c, msg, &req);

	cxlnic_dev_list_free(&list);
	return rc;
}

int cxlnic_dev_get(struct cxlnic_client *c, uint32_t handle,
		   struct cxlnic_dev_info *dev)
{
	struct nl_msg *msg = new_handle_request(c, CXLNIC_CMD_DEV_GET, handle);
	struct request req = { .dev = dev };

	if (!msg)
		return -ENOMEM;
	return transact(c, msg, &req);
}

int cxlnic_dev_dump(struct cxlnic_client *c, struct cxlnic_dev_list *list)
{
	int attempt, rc = -EAGAIN;

	for (attempt = 0; attempt < DUMP_RETRIES; attempt++) {
		struct nl_msg *msg = cxlnic_request_new(c, CXLNIC_CMD_DEV_GET,
						 NLM_F_DUMP);
		struct request req = { .list = list };

		if (!msg)
			return -ENOMEM;
		cxlnic_dev_list_free(list);
		rc = transact(c, msg, &req);
		if (rc)
			break;
		if (!req.dump_intr)
			return 0;
		rc = -EAGAIN;	/* the set changed under the dump: again */
	}
	/* A failed dump hands back nothing: the caller frees only on 0. */
	cxlnic_dev_list_free(list);
	return rc;
}

int cxlnic_dev_set_mode(struct cxlnic_client *c, uint32_t handle,
			uint8_t mode)
{
	struct nl_msg *msg = new_handle_request(c, CXLNIC_CMD_DEV_SET, handle);
	struct request req = { 0 };

	if (!msg || nla_put_u8(msg, CXLNIC_A_DEV_MODE, mode)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return transact(c, msg, &req);
}

static int put_name(struct nl_msg *msg, int type, const char *name)
{
	return name ? nla_put_string(msg, type, name) : 0;
}

int cxlnic_region_attach(struct cxlnic_client *c, uint32_t handle,
			 const struct cxlnic_attach_args *args)
{
	struct nl_msg *msg = new_handle_request(c, CXLNIC_CMD_REGION_ATTACH,
						handle);
	struct request req = { 0 };

	if (!msg || put_name(msg, CXLNIC_A_DEV_REGION, args->region) ||
	    put_name(msg, CXLNIC_A_DEV_MEMDEV, args->memdev) ||
	    put_name(msg, CXLNIC_A_DEV_ENDPOINT, args->endpoint) ||
	    put_name(msg, CXLNIC_A_DEV_DECODER, args->decoder)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return transact(c, msg, &req);
}

int cxlnic_region_detach(struct cxlnic_client *c, uint32_t handle)
{
	struct nl_msg *msg = new_handle_request(c, CXLNIC_CMD_REGION_DETACH,
						handle);
	struct request req = { 0 };

	if (!msg)
		return -ENOMEM;
	return transact(c, msg, &req);
}

/*
 * SO_RCVBUF is capped at net.core.rmem_max (about 200 KiB by default); with
 * CAP_NET_ADMIN the forced variant is not, so try that first.
 */
static int set_rcvbuf(struct nl_sock *sk, int size)
{
	if (!setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUFFORCE,
			&size, sizeof(size)))
		return 0;
	return nl_socket_set_buffer_size(sk, size, 0);
}

enum cxlnic_family_change cxlnic_family_change_of(struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	uint8_t cmd;

	if (nlh->nlmsg_type != GENL_ID_CTRL ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    nla_strcmp(tb[CTRL_ATTR_FAMILY_NAME], CXLNIC_FAMILY_NAME))
		return CXLNIC_FAMILY_NONE;
	cmd = genlmsg_hdr(nlh)->cmd;
	if (cmd == CTRL_CMD_NEWFAMILY)
		return CXLNIC_FAMILY_BACK;
	if (cmd == CTRL_CMD_DELFAMILY)
		return CXLNIC_FAMILY_GONE;
	/* The groups' own notices follow their family's: nothing new. */
	return CXLNIC_FAMILY_NONE;
}

static void on_ctrl_event(struct cxlnic_monitor *m, struct nlmsghdr *nlh)
{
	enum cxlnic_family_change change = cxlnic_family_change_of(nlh);

	if (change != CXLNIC_FAMILY_NONE && m->family_fn)
		m->family_fn(change, m->family_arg);
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct cxlnic_monitor *m = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gnlh = genlmsg_hdr(nlh);
	struct cxlnic_dev_info event;

	/* nlctrl speaks of every family, on the same socket. */
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		on_ctrl_event(m, nlh);
		return NL_OK;
	}
	/* A malformed event is dropped; the generation gap will show it. */
	if (!cxlnic_dev_parse(genlmsg_attrdata(gnlh, 0),
			      genlmsg_attrlen(gnlh, 0), gnlh->cmd, &event))
		m->fn(&event, m->arg);
	return NL_OK;
}

/*
 * Join multicast group @grp of @family.  The number is asked for on a
 * socket of its own: on the monitor's, subscribed and non-blocking, the
 * answer would be mixed with the events.
 */
static int join_group(struct cxlnic_monitor *m, const char *family,
		      const char *grp)
{
	struct nl_sock *sk;
	int group, rc;

	rc = open_socket(&sk);
	if (rc)
		return rc;
	group = resolved(genl_ctrl_resolve_grp(sk, family, grp));
	nl_socket_free(sk);
	if (group < 0)
		return group;
	rc = nl_socket_add_membership(m->sk, group);
	return rc ? nl_to_errno(rc) : 0;
}

int cxlnic_monitor_open(struct cxlnic_monitor **out, int rcvbuf)
{
	struct cxlnic_monitor *m = calloc(1, sizeof(*m));
	int rc;

	if (!m)
		return -ENOMEM;
	rc = open_socket(&m->sk);
	if (rc) {
		free(m);
		return rc;
	}
	nl_socket_disable_seq_check(m->sk);
	nl_socket_modify_cb(m->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, m);
	rc = cxlnic_monitor_rejoin(m);
	if (rc)
		goto err;
	rc = set_rcvbuf(m->sk, rcvbuf ? rcvbuf : MONITOR_RCVBUF);
	if (!rc)
		rc = nl_socket_set_nonblocking(m->sk);
	if (rc) {
		rc = nl_to_errno(rc);
		goto err;
	}
	*out = m;
	return 0;
err:
	nl_socket_free(m->sk);
	free(m);
	return rc;
}

int cxlnic_monitor_rejoin(struct cxlnic_monitor *m)
{
	return join_group(m, CXLNIC_FAMILY_NAME, CXLNIC_MCGRP_MONITOR);
}

int cxlnic_monitor_follow_family(struct cxlnic_monitor *m, cxlnic_family_fn fn,
				 void *arg)
{
	int rc = join_group(m, "nlctrl", "notify");

	if (rc)
		return rc == -CXLNIC_ENOMODULE ? -ENOENT : rc;
	m->family_fn = fn;
	m->family_arg = arg;
	return 0;
}

void cxlnic_monitor_close(struct cxlnic_monitor *m)
{
	if (!m)
		return;
	nl_socket_free(m->sk);
	free(m);
}

int cxlnic_monitor_fd(const struct cxlnic_monitor *m)
{
	return nl_socket_get_fd(m->sk);
}

/*
 * After an overrun the events still queued are older than the dump that
 * follows: read them off unparsed (each recv takes one datagram, however
 * long), so none of them is handled, logged or counted.
 */
static void monitor_drain(struct cxlnic_monitor *m)
{
	char buf[64];

	while (recv(nl_socket_get_fd(m->sk), buf, sizeof(buf),
		    MSG_DONTWAIT | MSG_TRUNC) >= 0 || errno == ENOBUFS ||
	       errno == EINTR)
		;
}

int cxlnic_monitor_recv(struct cxlnic_monitor *m, cxlnic_event_fn fn,
			void *arg)
{
	int rc;

	m->fn = fn;
	m->arg = arg;
	for (;;) {
		errno = 0;
		rc = nl_recvmsgs_default(m->sk);
		if (rc >= 0)
			continue;
		if (rc == -NLE_AGAIN)
			return 0;
		/* libnl says NOMEM for a receive overrun: errno tells. */
		if (rc == -NLE_NOMEM && errno == ENOBUFS) {
			monitor_drain(m);
			return -ENOBUFS;
		}
		return nl_to_errno(rc);
	}
}
