// SPDX-License-Identifier: GPL-2.0-only
/*
 * One RTM_NEWLINK with IFF_UP in ifi_change and ifi_flags, as `ip link set
 * DEV up` sends, built with libnl-3's message API.  libnl-route-3 would
 * do it in three calls, but it is a library the daemon would load for
 * this one message: 348 kB of the idle daemon's RSS.
 */
#include <errno.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/msg.h>

#include "log.h"
#include "netdev.h"

static struct nl_msg *link_up_msg(int ifindex)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = IFF_UP,
		.ifi_change = IFF_UP,
	};
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_REQUEST);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

int netdev_set_up(int ifindex)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = link_up_msg(ifindex);
	int rc = -NLE_NOMEM;

	if (!sk || !msg)
		goto out;
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (!rc)
		rc = nl_send_sync(sk, msg);	/* waits for the ack; frees msg */
	msg = NULL;
	if (rc)
		log_err("rtnetlink, setting link %d up: %s", ifindex,
			nl_geterror(rc));
out:
	nlmsg_free(msg);
	nl_socket_free(sk);
	return rc ? (rc == -NLE_NOMEM ? -ENOMEM : -EIO) : 0;
}
