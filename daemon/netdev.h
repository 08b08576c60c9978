/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stock NIC's netdev across a bind of its driver: the CXL core's release
 * unregisters it and the next probe registers a new one, down.  cxlnicd
 * brings the new one up when the kernel says the last one was up as its
 * driver left; addresses and routes are the network configuration's to
 * put back (systemd-networkd, ifupdown, NetworkManager see a new link).
 * Through rtnetlink; -EIO on a failure, which is logged (-ENOMEM unlogged).
 */
#ifndef CXLNICD_NETDEV_H
#define CXLNICD_NETDEV_H

/* Set it up (as `ip link set DEV up`). */
int netdev_set_up(int ifindex);

#endif
