/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnic_compat.h - what differs between the kernels cxlnic builds for
 *
 * The matrix is Debian's 6.1 (Debian 12), 6.12 (Debian 13) and 7.3 (Debian
 * 13 backports).  Every difference the sources must know about is here, so
 * that the .c files read as the newest kernel's code.  Nothing else in
 * kernel/ tests LINUX_VERSION_CODE.
 */
#ifndef _CXLNIC_COMPAT_H
#define _CXLNIC_COMPAT_H

#include <linux/version.h>
#include <net/devlink.h>

/*
 * Symbol namespaces: since 6.13 EXPORT_SYMBOL_NS_GPL() and
 * MODULE_IMPORT_NS() take a string literal; before, a bare token that they
 * stringify themselves.  CXLNIC_NS is the namespace of cxlnic.ko's API,
 * CXLNIC_NS_CXL the CXL core's.
 */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define CXLNIC_NS	"CXLNIC"
#define CXLNIC_NS_CXL	"CXL"
#else
#define CXLNIC_NS	CXLNIC
#define CXLNIC_NS_CXL	CXL
#endif

/*
 * devlink_fmsg_*(): since 6.7 they return void and the message keeps its
 * first error, which devlink returns for the whole reply.  cxlnic's
 * formatters are written that way.  Before 6.7 each put returned its error
 * and these kernels ignore it: an allocation failure in the middle of a
 * diagnose or dump gives a reply with its tail missing instead of an
 * error.  Nothing else: the message stays well formed for devlink.
 */

/*
 * A reporter's grace period: since 6.17 it is a field of the ops
 * (default_graceful_period) and devlink_health_reporter_create() lost its
 * argument.  Declare it with CXLNIC_HEALTH_OPS_GRACE() in the ops and pass
 * the same value to cxlnic_health_reporter_create().
 *
 * With the instance lock held, cxlnic_devl_health_reporter_create() and
 * _destroy(): devl_health_reporter_create() and _destroy() in 6.12 and
 * 7.3.  6.1 has no devl_ variants and needs none: its
 * devlink_health_reporter_create() and _destroy() take only the instance's
 * reporters_lock, never devl_lock.  The versions in between were not read.
 */
#if KERNEL_VERSION(6, 17, 0) <= LINUX_VERSION_CODE
#define CXLNIC_HEALTH_OPS_GRACE(ms)	.default_graceful_period = (ms),

static inline struct devlink_health_reporter *
cxlnic_health_reporter_create(struct devlink *devlink,
			      const struct devlink_health_reporter_ops *ops,
			      u64 graceful_period, void *priv)
{
	return devlink_health_reporter_create(devlink, ops, priv);
}

static inline struct devlink_health_reporter *
cxlnic_devl_health_reporter_create(struct devlink *devlink,
				   const struct devlink_health_reporter_ops *ops,
				   u64 graceful_period, void *priv)
{
	return devl_health_reporter_create(devlink, ops, priv);
}

static inline void
cxlnic_devl_health_reporter_destroy(struct devlink_health_reporter *reporter)
{
	devl_health_reporter_destroy(reporter);
}
#elif KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define CXLNIC_HEALTH_OPS_GRACE(ms)

static inline struct devlink_health_reporter *
cxlnic_health_reporter_create(struct devlink *devlink,
			      const struct devlink_health_reporter_ops *ops,
			      u64 graceful_period, void *priv)
{
	return devlink_health_reporter_create(devlink, ops, graceful_period, priv);
}

static inline struct devlink_health_reporter *
cxlnic_devl_health_reporter_create(struct devlink *devlink,
				   const struct devlink_health_reporter_ops *ops,
				   u64 graceful_period, void *priv)
{
	return devl_health_reporter_create(devlink, ops, graceful_period, priv);
}

static inline void
cxlnic_devl_health_reporter_destroy(struct devlink_health_reporter *reporter)
{
	devl_health_reporter_destroy(reporter);
}
#else
#define CXLNIC_HEALTH_OPS_GRACE(ms)

static inline struct devlink_health_reporter *
cxlnic_health_reporter_create(struct devlink *devlink,
			      const struct devlink_health_reporter_ops *ops,
			      u64 graceful_period, void *priv)
{
	return devlink_health_reporter_create(devlink, ops, graceful_period, priv);
}

static inline struct devlink_health_reporter *
cxlnic_devl_health_reporter_create(struct devlink *devlink,
				   const struct devlink_health_reporter_ops *ops,
				   u64 graceful_period, void *priv)
{
	return devlink_health_reporter_create(devlink, ops, graceful_period, priv);
}

static inline void
cxlnic_devl_health_reporter_destroy(struct devlink_health_reporter *reporter)
{
	devlink_health_reporter_destroy(reporter);
}
#endif

/*
 * The CXL core's own prototypes (drivers/cxl/cxl.h and cxlmem.h, which no
 * headers package ships; cxl_core.h repeats them).  Read in each kernel of
 * the matrix: 6.1 takes no const; 6.12 takes a const device in
 * is_cxl_port() and is_cxl_memdev(); 7.3 also declares cxl_bus_type const.
 * The versions in between were not read: the gates sit at the matrix's.
 */
#if KERNEL_VERSION(6, 12, 0) <= LINUX_VERSION_CODE
#define CXLNIC_CXL_CONST_DEV	const
#else
#define CXLNIC_CXL_CONST_DEV
#endif
#if KERNEL_VERSION(7, 0, 0) <= LINUX_VERSION_CODE
#define CXLNIC_CXL_CONST_BUS	const
#else
#define CXLNIC_CXL_CONST_BUS
#endif

#endif /* _CXLNIC_COMPAT_H */
