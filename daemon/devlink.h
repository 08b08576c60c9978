/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The NIC's devlink health reporter "cxl" (cxlnic_health_create() in the
 * kernel), read over the devlink generic netlink family: cxlnicd honours
 * its grace period, so the daemon and devlink's auto_recover keep the same
 * pace on a chain that keeps failing.
 */
#ifndef CXLNICD_DEVLINK_H
#define CXLNICD_DEVLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct devlink_client;
struct nlmsghdr;

/* What cxlnicd needs of a reporter: its pace. */
struct devlink_reporter {
	uint64_t grace_ms;		/* graceful_period */
};

int devlink_client_open(struct devlink_client **out);
void devlink_client_close(struct devlink_client *c);
/*
 * Reporter @name of the devlink instance on PCI device @pci_addr.
 * -ENODEV: the NIC's driver has no devlink instance or no such reporter;
 * -EBADMSG: devlink's reply had an attribute of the wrong type or size.
 */
int devlink_reporter_get(struct devlink_client *c, const char *pci_addr,
			 const char *name, struct devlink_reporter *r);
/*
 * One HEALTH_REPORTER_GET reply, into @r: 0, -ENODEV when it holds no
 * reporter, -EBADMSG when an attribute has the wrong type or size (a
 * string without its NUL, a u64 of fewer or more than 8 bytes).
 */
int devlink_reporter_parse(struct nlmsghdr *nlh, struct devlink_reporter *r);
/*
 * Which attribute made devlink_reporter_parse() refuse @nlh, for the log:
 * 0 with "attribute N has L bytes" (N: linux/devlink.h's number; in the
 * reporter's nest: "reporter attribute ...") in @buf, or -ENOENT.
 */
int devlink_reply_flaw(struct nlmsghdr *nlh, char *buf, size_t len);

#endif
