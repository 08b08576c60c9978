// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <net/if.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "log.h"
#include "netdev.h"

/* A route socket and the link with @ifindex, or -EIO (logged). */
static int link_get(int ifindex, struct nl_sock **sk, struct rtnl_link **link)
{
	int rc;

	*sk = nl_socket_alloc();
	if (!*sk)
		return -ENOMEM;
	rc = nl_connect(*sk, NETLINK_ROUTE);
	if (!rc)
		rc = rtnl_link_get_kernel(*sk, ifindex, NULL, link);
	if (rc) {
		log_err("rtnetlink, link %d: %s", ifindex, nl_geterror(rc));
		nl_socket_free(*sk);
		return -EIO;
	}
	return 0;
}

int netdev_set_up(int ifindex)
{
	struct rtnl_link *link, *change;
	struct nl_sock *sk;
	int rc = link_get(ifindex, &sk, &link);

	if (rc)
		return rc;
	change = rtnl_link_alloc();
	if (!change) {
		rc = -ENOMEM;
		goto out;
	}
	rtnl_link_set_flags(change, IFF_UP);
	rc = rtnl_link_change(sk, link, change, 0);
	if (rc) {
		log_err("rtnetlink, setting link %d up: %s", ifindex,
			nl_geterror(rc));
		rc = -EIO;
	}
	rtnl_link_put(change);
out:
	rtnl_link_put(link);
	nl_socket_free(sk);
	return rc;
}
