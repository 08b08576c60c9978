/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * In-kernel API of cxlnic.ko for NIC drivers whose CTPIO window can live in
 * a CXL region.
 *
 * A driver registers each NIC once at probe time and supplies ops.  cxlnic
 * owns the CXL side: it finds the region and the devices it depends on, and
 * when any of them goes away it calls ->detach_cxl() synchronously, before
 * that device is gone.  A Type 2 driver that also gets a detach callback from
 * the CXL core only has to call cxlnic_cxl_lost() from it.
 */
#ifndef _LINUX_CXLNIC_H
#define _LINUX_CXLNIC_H

#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/linux/cxlnic.h>

struct device;
struct devlink;
struct range;
struct cxlnic_dev;

/* Bytes and packets the NIC wrote through each CTPIO window. */
struct cxlnic_stats {
	u64 cxl_bytes;
	u64 cxl_packets;
	u64 pci_bytes;
	u64 pci_packets;
};

/**
 * struct cxlnic_ops - what cxlnic asks of a NIC driver
 * @attach_cxl: map the host-physical range [@base, @base + @size) and make
 *	it the CTPIO window.  Returns 0 or a negative errno.
 * @detach_cxl: move CTPIO to the PCI window, wait until no CPU can still
 *	write to the CXL window, then unmap it.  Must not fail.
 * @set_mode: choose the window while attached (%CXLNIC_CTPIO_MODE_PCI or
 *	%CXLNIC_CTPIO_MODE_CXL).
 * @get_stats: fill @stats.
 * @flags: %CXLNIC_OPS_PAIRED_MEMDEV or 0.
 *
 * Context: process; each op may sleep.  cxlnic calls them one at a time per
 * NIC, under that NIC's own lock and no other lock of cxlnic's, from:
 *
 * - generic netlink (region-attach, region-detach, dev-set, dev-get and its
 *   dump): no rtnl, no devl_lock, no device lock;
 * - the "cxl" devlink health reporter's recover and diagnose: devl_lock of
 *   the NIC's devlink instance held;
 * - a bus notifier of the driver core, when a piece of the NIC's CXL chain
 *   is unbound or deleted (@detach_cxl only): the device lock of that piece
 *   held, and often of its parent;
 * - cxlnic_unregister() and cxlnic_cxl_lost(): the caller's context.
 *
 * So an op must not take devl_lock or rtnl, and @detach_cxl must take no
 * device lock.  Called from netlink, @attach_cxl and @detach_cxl may bind,
 * unbind or delete a CXL device of their own NIC's chain (a Type 2 driver
 * enabling or tearing down its region): cxlnic leaves this NIC alone in
 * the bus notifier that causes, since it is not yet on CXL or already
 * leaving it.  Such an op waits for that device's lock, though, which
 * another task changing the same device holds while our notifier waits for
 * this NIC: a driver that can should do it after the op, from a work item.
 * No op may cause a bus event on another NIC's chain.
 */
struct cxlnic_ops {
	int (*attach_cxl)(struct cxlnic_dev *nic, phys_addr_t base,
			  resource_size_t size);
	void (*detach_cxl)(struct cxlnic_dev *nic);
	int (*set_mode)(struct cxlnic_dev *nic, enum cxlnic_ctpio_mode mode);
	void (*get_stats)(struct cxlnic_dev *nic, struct cxlnic_stats *stats);
	unsigned int flags;
};

/*
 * The NIC's CXL window lives on a memdev that is a separate device, not
 * its own child (its memdev is paired with it by userspace): region-attach
 * then must name that memdev, and the region must stand on it alone,
 * compared by serial number.  Without it, every memdev of the region must
 * be a child of the NIC's device (a Type 2 NIC's own memdev).
 */
#define CXLNIC_OPS_PAIRED_MEMDEV	BIT(0)

struct cxlnic_dev *cxlnic_register(struct device *dev,
				   const struct cxlnic_ops *ops, void *priv);
void cxlnic_unregister(struct cxlnic_dev *nic);
void *cxlnic_priv(const struct cxlnic_dev *nic);
void cxlnic_cxl_lost(struct cxlnic_dev *nic);

/**
 * DOC: a driver that got its CTPIO range from the CXL core
 *
 * A Type 2 driver maps its range at probe, from devm_cxl_probe_mem() on its
 * own memdev (Linux 7.3's Type 2 API, as sfc does), and the CXL core
 * releases the driver on any CXL loss.  cxlnic finds such a NIC by itself
 * (kind stock) and can only watch it: the driver keeps writing into the
 * range until that release, after the region's teardown has begun.
 *
 * With one call at probe the driver hands cxlnic its range (on the memdev
 * it made, its device's child) and a quiesce op; cxlnic then calls the op
 * synchronously, from the bus notifier, before any piece of the chain
 * goes, so the driver stops writing before the region is torn down.  The
 * NIC stays a stock NIC: the core still releases the driver, and cxlnicd
 * binds it again.
 */
int devm_cxlnic_add_cxl(struct device *dev, const struct range *range,
			void (*quiesce)(void *data), void *data);

/**
 * DOC: devlink health reporter "cxl"
 *
 * A NIC driver with a devlink instance calls cxlnic_health_create() once,
 * after devlink_register(), and cxlnic_health_destroy() before
 * devlink_unregister() and before cxlnic_unregister() (which destroys a
 * reporter left behind); or, holding devl_lock, cxlnic_devl_health_create()
 * and cxlnic_health_stop() then cxlnic_devl_health_destroy().  The instance
 * then has a health reporter named "cxl":
 *
 * - state: healthy while CTPIO is where it is wanted; error from the moment
 *   a piece of the CXL chain is lost (or the driver calls cxlnic_cxl_lost())
 *   until the NIC is on CXL again.  error_count counts the losses,
 *   recovery_count the returns to CXL, whoever did the re-attach.
 * - diagnose: the CTPIO mode, every piece of the chain (kind, name, state,
 *   memdev serial), the region (name, HPA base and size, decoder mode) and
 *   the counters (CXL and PCI bytes and packets, fallbacks, reattaches).
 * - dump: the same, captured at the moment of the loss (devlink keeps the
 *   first one until "devlink health dump clear").
 * - recover: re-attach only.  It takes the last region again if it still
 *   stands, else a committed region that now stands on the same memdevs
 *   (matched by serial number, never by name).  It never binds a driver,
 *   never creates a region: while a piece is missing it fails and its
 *   extack message names the kind of piece that is missing.
 *
 * Rebuilding the chain (binding cxl_mem again, resetting a memdev, creating
 * and committing a region) is policy, and policy is cxlnicd's.  devlink
 * calls recover once, at the loss, when auto_recover is on (the default);
 * by then the chain is gone or still going, so that attempt fails (unless
 * the loss came from cxlnic_cxl_lost() and the chain still stands) and the
 * reporter stays in error.  Leave auto_recover on: it costs nothing and
 * brings the NIC back at once when only the re-attach was missing.  The
 * recovery that matters is cxlnicd's: it rebuilds what is missing and sends
 * region-attach (or an admin runs "devlink health recover" after fixing the
 * chain by hand); either way the reporter turns healthy and recovery_count
 * grows.  Turning auto_recover off changes nothing for cxlnicd.
 */
int cxlnic_health_create(struct cxlnic_dev *nic, struct devlink *devlink);
void cxlnic_health_destroy(struct cxlnic_dev *nic);
/*
 * The same with devl_lock held (sfc's devl_lock() sections, reload_up and
 * reload_down): cxlnic_health_stop(), without the lock, before
 * cxlnic_devl_health_destroy(), since a report in flight takes it.
 */
int cxlnic_devl_health_create(struct cxlnic_dev *nic, struct devlink *devlink);
void cxlnic_health_stop(struct cxlnic_dev *nic);
void cxlnic_devl_health_destroy(struct cxlnic_dev *nic);

#endif /* _LINUX_CXLNIC_H */
