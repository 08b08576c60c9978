/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fault injection for the tests: named points where cxlnicd's work can be
 * made to fail, switched on from the environment:
 *
 *   CXLNICD_FAULTS=sysfs-write:3,libcxl:1,netlink:2,state-write:1
 *
 * makes the first 3 sysfs writes, the first libcxl call, the first 2
 * netlink requests of the recovery and the first write of the state file
 * fail with EIO, as a flaky device or a
 * busy kernel would.  (CXLNICD_CRASH_AFTER=STEP kills the daemon right
 * after a step instead.)  Unset, every check is one branch.
 */
#ifndef CXLNICD_FAULT_H
#define CXLNICD_FAULT_H

enum fault_point {
	FAULT_SYSFS_WRITE,
	FAULT_LIBCXL,
	FAULT_NETLINK,
	FAULT_STATE_WRITE,	/* writing the state file */
	FAULT_NR_POINTS,
};

/* Parse @spec (NULL: none); -EINVAL on a bad one. */
int fault_setup(const char *spec);
/* 0, or -EIO when @point is to fail this time. */
int fault_check(enum fault_point point);
/*
 * Die like kill -9 at @point when CXLNICD_CRASH_AFTER names it: after a
 * step (its name), or inside one ("reset-memdev-unbind", between a reset's
 * cxl_pci unbind and its bind; "create-region-sized", between
 * taking an endpoint decoder's DPA and setting the region's target).
 */
void fault_crash_at(const char *point);

#endif
