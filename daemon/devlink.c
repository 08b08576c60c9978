// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/devlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "cxlnic_policy.h"
#include "devlink.h"
#include "log.h"

struct devlink_client {
	struct nl_sock *sk;
	int family;
	bool refusal_logged;	/* a malformed reply is said once */
};

struct reporter_reply {
	struct devlink_client *c;
	const char *pci_addr;
	struct devlink_reporter *r;
	int rc;			/* devlink_reporter_parse()'s */
};

int devlink_client_open(struct devlink_client **out)
{
	struct devlink_client *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->sk = nl_socket_alloc();
	if (!c->sk || genl_connect(c->sk)) {
		devlink_client_close(c);
		return -EPROTONOSUPPORT;
	}
	/*
	 * One reply per request, no ACK: libnl's receive returns after the
	 * reply, and an ACK left behind would be read as the next answer.
	 */
	nl_socket_disable_auto_ack(c->sk);
	c->family = genl_ctrl_resolve(c->sk, DEVLINK_GENL_NAME);
	if (c->family < 0) {
		devlink_client_close(c);
		return -ENOENT;
	}
	*out = c;
	return 0;
}

void devlink_client_close(struct devlink_client *c)
{
	if (!c)
		return;
	nl_socket_free(c->sk);
	free(c);
}

/*
 * Every attribute of a HEALTH_REPORTER_GET reply, at the type and length
 * linux/devlink.h gives it: one of another size means the reply is not
 * what cxlnicd thinks it is, so none of it is read.
 */
static const struct nla_policy reply_policy[DEVLINK_ATTR_MAX + 1] = {
	[DEVLINK_ATTR_BUS_NAME] = POLICY_STRING,
	[DEVLINK_ATTR_DEV_NAME] = POLICY_STRING,
	[DEVLINK_ATTR_HEALTH_REPORTER] = POLICY_NESTED,
};
static const struct nla_policy reporter_policy[DEVLINK_ATTR_MAX + 1] = {
	[DEVLINK_ATTR_HEALTH_REPORTER_NAME] = POLICY_STRING,
	[DEVLINK_ATTR_HEALTH_REPORTER_STATE] = POLICY_U8,
	[DEVLINK_ATTR_HEALTH_REPORTER_ERR_COUNT] = POLICY_U64,
	[DEVLINK_ATTR_HEALTH_REPORTER_RECOVER_COUNT] = POLICY_U64,
	[DEVLINK_ATTR_HEALTH_REPORTER_DUMP_TS] = POLICY_U64,
	[DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD] = POLICY_U64,
	[DEVLINK_ATTR_HEALTH_REPORTER_AUTO_RECOVER] = POLICY_U8,
	[DEVLINK_ATTR_HEALTH_REPORTER_DUMP_TS_NS] = POLICY_U64,
	[DEVLINK_ATTR_HEALTH_REPORTER_AUTO_DUMP] = POLICY_U8,
};

int devlink_reporter_parse(struct nlmsghdr *nlh, struct devlink_reporter *r)
{
	struct nlattr *tb[DEVLINK_ATTR_MAX + 1];
	struct nlattr *rep[DEVLINK_ATTR_MAX + 1];
	struct nlattr *grace;

	memset(r, 0, sizeof(*r));
	if (genlmsg_parse(nlh, 0, tb, DEVLINK_ATTR_MAX, reply_policy))
		return -EBADMSG;
	if (!tb[DEVLINK_ATTR_HEALTH_REPORTER])
		return -ENODEV;
	if (nla_parse_nested(rep, DEVLINK_ATTR_MAX,
			     tb[DEVLINK_ATTR_HEALTH_REPORTER], reporter_policy))
		return -EBADMSG;
	grace = rep[DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD];
	if (grace)
		r->grace_ms = nla_get_u64(grace);
	return 0;
}

/* The first attribute of @head that @policy refuses, into @buf. */
static bool attr_flaw(struct nlattr *head, int len,
		      const struct nla_policy *policy, const char *where,
		      char *buf, size_t size)
{
	struct nlattr *a;
	int rem;

	/* libnl says only that one failed: ask it of each alone. */
	nla_for_each_attr(a, head, len, rem) {
		if (nla_validate(a, a->nla_len, DEVLINK_ATTR_MAX, policy)) {
			snprintf(buf, size, "%sattribute %d has %d bytes",
				 where, nla_type(a), nla_len(a));
			return true;
		}
	}
	return false;
}

int devlink_reply_flaw(struct nlmsghdr *nlh, char *buf, size_t len)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlh);
	struct nlattr *tb[DEVLINK_ATTR_MAX + 1];
	struct nlattr *nest;

	if (attr_flaw(genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0),
		      reply_policy, "", buf, len))
		return 0;
	if (genlmsg_parse(nlh, 0, tb, DEVLINK_ATTR_MAX, reply_policy) ||
	    !(nest = tb[DEVLINK_ATTR_HEALTH_REPORTER]))
		return -ENOENT;
	return attr_flaw(nla_data(nest), nla_len(nest), reporter_policy,
			 "reporter ", buf, len) ? 0 : -ENOENT;
}

/*
 * A kernel whose devlink replies do not parse sends every one so: said
 * once, at warning, with the attribute; cxlnicd goes on without a grace.
 */
static void log_refusal(struct reporter_reply *reply, struct nlmsghdr *nlh)
{
	char flaw[96];

	if (reply->c->refusal_logged)
		return;
	reply->c->refusal_logged = true;
	if (devlink_reply_flaw(nlh, flaw, sizeof(flaw)))
		snprintf(flaw, sizeof(flaw), "an attribute is malformed");
	log_nic(LOG_WARNING, reply->pci_addr, NULL, -1,
		"devlink's HEALTH_REPORTER_GET reply refused: %s, not the type and size linux/devlink.h give it; the reporter's grace period is not honoured (said once)",
		flaw);
}

static int parse_reporter(struct nl_msg *msg, void *arg)
{
	struct reporter_reply *reply = arg;

	reply->rc = devlink_reporter_parse(nlmsg_hdr(msg), reply->r);
	if (reply->rc == -EBADMSG)
		log_refusal(reply, nlmsg_hdr(msg));
	return reply->rc ? NL_SKIP : NL_OK;
}

int devlink_reporter_get(struct devlink_client *c, const char *pci_addr,
			 const char *name, struct devlink_reporter *r)
{
	struct reporter_reply reply = {
		.c = c, .pci_addr = pci_addr, .r = r, .rc = -ENODEV,
	};
	struct nl_msg *msg = nlmsg_alloc();
	int rc = -ENOMEM;

	memset(r, 0, sizeof(*r));
	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0,
			 NLM_F_REQUEST,
			 DEVLINK_CMD_HEALTH_REPORTER_GET, DEVLINK_GENL_VERSION) ||
	    nla_put_string(msg, DEVLINK_ATTR_BUS_NAME, "pci") ||
	    nla_put_string(msg, DEVLINK_ATTR_DEV_NAME, pci_addr) ||
	    nla_put_string(msg, DEVLINK_ATTR_HEALTH_REPORTER_NAME, name))
		goto out;
	nl_socket_modify_cb(c->sk, NL_CB_VALID, NL_CB_CUSTOM, parse_reporter,
			    &reply);
	rc = nl_send_auto(c->sk, msg);
	/* The reply, or the error as a negative libnl code. */
	if (rc >= 0)
		rc = nl_recvmsgs_default(c->sk);
	/* No devlink instance (ENODEV) or no such reporter (EINVAL). */
	if (rc == -NLE_OBJ_NOTFOUND || rc == -NLE_INVAL)
		rc = -ENODEV;
	else if (rc < 0)
		rc = -EIO;
	else
		rc = reply.rc;
out:
	nlmsg_free(msg);
	return rc;
}
