// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stock NICs: found, not registered.  A PCI function whose own driver made
 * an accelerator memdev (Linux 7.3's Type 2 API, devm_cxl_probe_mem(), as
 * sfc does) is a NIC in the family with no call from that driver.
 *
 * cxlnic only watches such a NIC; it cannot move its CTPIO.  Its driver
 * maps the region's range at probe, and on any CXL loss the CXL core itself
 * releases the driver, from a work item, after our bus notifier has seen the
 * piece go.  So a stock NIC is:
 *
 * - mode cxl, reason probe: its driver is bound and a region stands on its
 *   memdev (the chain recorded as for any NIC, pieces and all);
 * - mode pci, reason probe: its driver is bound without CXL (no region, no
 *   CXL root), on its own PCI window;
 * - mode off, reason released: the CXL core released its driver after a
 *   piece of its chain went (flag lost); reason unregister: its driver was
 *   unbound with nothing lost.  Either way the NIC stays in the family,
 *   with its last driver's name and chain, until its PCI function is
 *   removed: the driver must be bound again by someone (cxlnicd does).
 *
 * A piece lost under a bound driver is recorded as a loss and said on the
 * monitor group before the core's release.
 *
 * The PCI bus notifier runs with the PCI function's device lock held, as
 * the CXL one does for CXL devices: the NIC's lock, and cxlnic_lock, nest
 * inside it.  A stock NIC has no ops: its lock is never held long.
 */
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include "cxl_core.h"
#include "cxlnic_internal.h"

/* The stock NICs in the registry: while none, most PCI events are not ours. */
static atomic_t cxlnic_n_stock = ATOMIC_INIT(0);

/*
 * An accelerator memdev: a CXL memdev whose parent is a PCI function bound
 * to a driver of its own.  cxl_pci's memdevs are Type 3 memory expanders.
 * The memdev's own type is private to the CXL core; its creator is not.
 */
static int cxlnic_is_accel_memdev(struct device *dev, void *data)
{
	struct device **found = data;
	struct device *parent = dev->parent;
	struct device_driver *drv;

	if (dev->bus != &cxl_bus_type || !is_cxl_memdev(dev) || !parent ||
	    !dev_is_pci(parent))
		return 0;
	drv = READ_ONCE(parent->driver);
	if (!drv || !strcmp(drv->name, "cxl_pci"))
		return 0;
	*found = get_device(dev);
	return 1;
}

/* @pdev's accelerator memdev, with a reference, or NULL. */
static struct device *cxlnic_accel_memdev_of(struct device *pdev)
{
	struct device *memdev = NULL;

	device_for_each_child(pdev, &memdev, cxlnic_is_accel_memdev);
	return memdev;
}

/* A new stock NIC for @pdev, with a reference for the caller, or NULL. */
static struct cxlnic_dev *cxlnic_stock_add(struct pci_dev *pdev)
{
	struct cxlnic_dev *nic = cxlnic_alloc(&pdev->dev, CXLNIC_KIND_STOCK);

	if (!nic)
		return NULL;
	nic->mode = CXLNIC_CTPIO_MODE_OFF;
	nic->serial = pci_get_dsn(pdev);
	if (cxlnic_insert(nic)) {
		cxlnic_put(nic);
		return NULL;
	}
	atomic_inc(&cxlnic_n_stock);
	return cxlnic_get(nic);
}

/* Out of the registry, unless it is already. */
static void cxlnic_stock_remove(struct cxlnic_dev *nic)
{
	if (!cxlnic_lock_live(nic))
		return;
	cxlnic_erase(nic);
	atomic_dec(&cxlnic_n_stock);
	mutex_unlock(&nic->lock);
	cxlnic_put(nic);	/* the registry's */
}

/*
 * The region standing on @memdev now, with its chain, resolved without our
 * locks; NULL if there is none (or no memdev).  A driver that has its
 * memdev after probe got its range from the core (sfc's and the sim's
 * failed CXL init leave none); its region may still be waiting for its own
 * driver, whose bind tries again.
 */
static struct cxlnic_topo *cxlnic_stock_resolve(struct device *memdev)
{
	struct cxlnic_topo *topo;

	if (!memdev)
		return NULL;
	topo = kzalloc(sizeof(*topo), GFP_KERNEL);
	if (topo && cxlnic_topo_of_memdev(memdev, topo)) {
		kfree(topo);
		topo = NULL;
	}
	return topo;
}

/*
 * Make @topo (freed) @nic's chain if it is still up: then its CTPIO is
 * there.  With nic->lock held.
 */
static bool cxlnic_stock_take_topo(struct cxlnic_dev *nic,
				   struct cxlnic_topo *topo)
{
	bool up;

	if (!topo)
		return false;
	up = !cxlnic_take_topo(nic, topo, NULL);
	if (!up)
		cxlnic_topo_put(topo);
	kfree(topo);
	return up;
}

/*
 * The range the driver said it maps must be its region's: else its quiesce
 * op is not what guards that region, and is not called.
 */
static void cxlnic_stock_check_range(struct cxlnic_dev *nic)
{
	const struct cxlnic_region_info *region = &nic->topo.region;

	if (!nic->quiesce || (nic->quiesce_range.start >= region->base &&
			      nic->quiesce_range.end <
			      region->base + region->size))
		return;
	dev_warn(nic->dev,
		 "CTPIO range %pra is not within %s: its quiesce op is not used\n",
		 &nic->quiesce_range, region->name);
	nic->quiesce = NULL;
}

/*
 * Bound with a memdev but no region yet: a region's bind may bring it.  Not
 * after a loss: its driver quiesced, or writes into a range going away.
 */
static bool cxlnic_stock_waiting(const struct cxlnic_dev *nic)
{
	return nic->cxl_at_probe && nic->mode == CXLNIC_CTPIO_MODE_PCI &&
	       !nic->release_due;
}

/*
 * @nic's driver, @driver (NULL: the one recorded), is bound, with @memdev,
 * its accelerator memdev, or NULL.  @if_waiting: only if it still waits for
 * a region, as it did when a region's bind was seen.
 */
static void cxlnic_stock_bound(struct cxlnic_dev *nic, struct device *memdev,
			       const char *driver, bool if_waiting)
{
	struct cxlnic_topo *topo = cxlnic_stock_resolve(memdev);
	enum cxlnic_ctpio_mode prev;

	if (!cxlnic_lock_live(nic))
		goto out_free;
	if (if_waiting && !cxlnic_stock_waiting(nic)) {
		mutex_unlock(&nic->lock);
		goto out_free;
	}
	if (driver)
		strscpy(nic->driver, driver, sizeof(nic->driver));
	prev = nic->mode;
	nic->cxl_at_probe = memdev;
	nic->release_due = false;
	nic->attached = cxlnic_stock_take_topo(nic, topo);
	if (nic->attached)
		cxlnic_stock_check_range(nic);
	nic->mode = nic->attached ? CXLNIC_CTPIO_MODE_CXL :
				    CXLNIC_CTPIO_MODE_PCI;
	nic->reason = CXLNIC_REASON_PROBE;
	if (nic->attached && nic->lost) {
		nic->reattaches++;
		nic->lost = false;
	}
	cxlnic_notify_change(nic, prev);
	mutex_unlock(&nic->lock);
	return;

out_free:
	if (topo) {
		cxlnic_topo_put(topo);
		kfree(topo);
	}
}

/*
 * @nic's driver is being unbound: before its remove runs.  Lost while bound
 * on its region, it is the CXL core's release (or an unbind that came
 * first, to the same effect): userspace may bind it again once the chain
 * is back.  Otherwise someone unbound a driver that had nothing to lose.
 * Whether its netdev was up is kept: the next driver's netdev is a new one,
 * down, and whoever binds it again (cxlnicd) sets it up as it was.
 */
static void cxlnic_stock_unbinding(struct cxlnic_dev *nic)
{
	struct cxlnic_netdev ndev = {};
	enum cxlnic_ctpio_mode prev;

	/* Still registered: its driver's remove has not run. */
	cxlnic_netdev_of(nic->dev, &ndev);
	if (!cxlnic_lock_live(nic))
		return;
	prev = nic->mode;
	nic->link_was_up = ndev.up;
	nic->reason = nic->release_due ? CXLNIC_REASON_RELEASED :
					 CXLNIC_REASON_UNREGISTER;
	nic->release_due = false;
	nic->attached = false;
	nic->cxl_at_probe = false;
	nic->mode = CXLNIC_CTPIO_MODE_OFF;
	cxlnic_notify_change(nic, prev);
	mutex_unlock(&nic->lock);
}

/* A PCI function got its driver: a stock NIC if it made a memdev. */
static void cxlnic_stock_driver_bound(struct pci_dev *pdev)
{
	struct device *memdev = cxlnic_accel_memdev_of(&pdev->dev);
	struct cxlnic_dev *nic = cxlnic_get_by_dev(&pdev->dev);

	if (!nic && memdev)
		nic = cxlnic_stock_add(pdev);
	if (nic && nic->kind == CXLNIC_KIND_STOCK)
		cxlnic_stock_bound(nic, memdev, pdev->dev.driver->name, false);
	if (nic)
		cxlnic_put(nic);
	put_device(memdev);
}

/* Each stock NIC still waiting for a region tries again. */
void cxlnic_stock_region_bound(void)
{
	unsigned long index = 0;
	struct device *memdev;
	struct cxlnic_dev *nic;
	bool waiting;

	for (; (nic = cxlnic_get_next(&index)); index++) {
		waiting = false;
		if (nic->kind == CXLNIC_KIND_STOCK && cxlnic_lock_live(nic)) {
			waiting = cxlnic_stock_waiting(nic);
			mutex_unlock(&nic->lock);
		}
		if (waiting) {
			memdev = cxlnic_accel_memdev_of(nic->dev);
			cxlnic_stock_bound(nic, memdev, NULL, true);
			put_device(memdev);
		}
		cxlnic_put(nic);
	}
}

/* The driver that called devm_cxlnic_add_cxl() is going: forget its op. */
static void cxlnic_stock_del_cxl(void *data)
{
	struct cxlnic_dev *nic = data;

	mutex_lock(&nic->lock);
	nic->quiesce = NULL;
	nic->quiesce_data = NULL;
	mutex_unlock(&nic->lock);
	cxlnic_put(nic);
}

/* Record @quiesce on @pdev's stock NIC, made now if need be. */
static struct cxlnic_dev *cxlnic_stock_set_quiesce(struct pci_dev *pdev,
						   const struct range *range,
						   void (*quiesce)(void *data),
						   void *data)
{
	struct cxlnic_dev *nic = cxlnic_get_by_dev(&pdev->dev);
	int rc = -EBUSY;

	if (!nic)
		nic = cxlnic_stock_add(pdev);
	if (!nic)
		return ERR_PTR(-ENOMEM);
	if (nic->kind == CXLNIC_KIND_STOCK && cxlnic_lock_live(nic)) {
		rc = nic->quiesce ? -EEXIST : 0;
		if (!rc) {
			nic->quiesce = quiesce;
			nic->quiesce_data = data;
			nic->quiesce_range = *range;
		}
		mutex_unlock(&nic->lock);
	}
	if (rc) {
		cxlnic_put(nic);
		return ERR_PTR(rc);
	}
	return nic;
}

/**
 * devm_cxlnic_add_cxl - a Type 2 driver's CTPIO range, and how to stop it
 * @dev: the NIC's PCI function, its driver probing, with the CXL memdev
 *	the driver made for it (devm_cxl_probe_mem()'s) as its child
 * @range: the HPA range the driver maps as its CTPIO window
 * @quiesce: make CTPIO stop writing into @range, and return once no CPU
 *	can still write there; CTPIO may go on through another window
 * @data: for @quiesce
 *
 * Call it at probe, once what @quiesce touches exists.  cxlnic calls
 * @quiesce at most once per bind, synchronously, when a piece of the chain
 * under @range is about to be unbound or deleted (process context, the
 * device lock of that piece held, cxlnic's lock of this NIC held): it may
 * sleep, and must take no device lock, devl_lock or rtnl.  The CXL core
 * then releases the driver as it always does.  It is called only while the
 * driver is bound on its region, never once its unbind has begun (the bus
 * tells cxlnic before ->remove() runs), so ->remove() may free what it
 * touches; a devm action forgets it after that.  @range must lie within
 * the region that stands on @dev's memdev, or @quiesce is not used (said in
 * the kernel log).
 *
 * The memdev is found as @dev's child, not passed: the Type 2 API keeps
 * struct cxl_memdev opaque to drivers, and the memdev a NIC may write
 * through is its own.
 *
 * Return: 0, -EINVAL for bad arguments, -ENODEV if @dev has no CXL memdev,
 * -EEXIST if the NIC has an op already, -EBUSY if @dev is a NIC that
 * registered with cxlnic_register(), -ENOMEM.
 */
int devm_cxlnic_add_cxl(struct device *dev, const struct range *range,
			void (*quiesce)(void *data), void *data)
{
	struct cxlnic_dev *nic;
	struct device *memdev;

	if (!dev || !dev_is_pci(dev) || !range || !quiesce ||
	    range->end < range->start)
		return -EINVAL;
	memdev = cxlnic_accel_memdev_of(dev);
	if (!memdev)
		return -ENODEV;
	put_device(memdev);
	nic = cxlnic_stock_set_quiesce(to_pci_dev(dev), range, quiesce, data);
	if (IS_ERR(nic))
		return PTR_ERR(nic);
	/* On failure the action runs at once: the op is forgotten. */
	return devm_add_action_or_reset(dev, cxlnic_stock_del_cxl, nic);
}
EXPORT_SYMBOL_NS_GPL(devm_cxlnic_add_cxl, CXLNIC_NS);

/* Whether a PCI event may concern a stock NIC, known or new. */
static bool cxlnic_pci_event_wanted(struct device *dev, unsigned long action)
{
	struct device *memdev;

	if (atomic_read(&cxlnic_n_stock))
		return true;
	if (action != BUS_NOTIFY_BOUND_DRIVER)
		return false;
	memdev = cxlnic_accel_memdev_of(dev);
	if (!memdev)
		return false;
	put_device(memdev);
	return true;
}

/* With the PCI function's device lock held (see the top). */
static int cxlnic_pci_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	struct cxlnic_dev *nic;

	switch (action) {
	case BUS_NOTIFY_BOUND_DRIVER:
	case BUS_NOTIFY_UNBIND_DRIVER:
	case BUS_NOTIFY_DEL_DEVICE:
		break;
	default:
		return NOTIFY_DONE;
	}
	if (!cxlnic_pci_event_wanted(&pdev->dev, action))
		return NOTIFY_DONE;
	if (action == BUS_NOTIFY_BOUND_DRIVER) {
		cxlnic_stock_driver_bound(pdev);
		return NOTIFY_OK;
	}
	nic = cxlnic_get_by_dev(&pdev->dev);
	if (!nic)
		return NOTIFY_OK;
	if (nic->kind == CXLNIC_KIND_STOCK) {
		if (action == BUS_NOTIFY_UNBIND_DRIVER)
			cxlnic_stock_unbinding(nic);
		else
			cxlnic_stock_remove(nic);
	}
	cxlnic_put(nic);
	return NOTIFY_OK;
}

static struct notifier_block cxlnic_pci_nb = {
	.notifier_call = cxlnic_pci_notify,
};

/* Stock NICs whose driver was bound before cxlnic.ko was loaded. */
static int cxlnic_stock_scan_one(struct device *dev, void *data)
{
	device_lock(dev);
	if (dev->driver)
		cxlnic_stock_driver_bound(to_pci_dev(dev));
	device_unlock(dev);
	return 0;
}

int cxlnic_stock_init(void)
{
	int rc = bus_register_notifier(&pci_bus_type, &cxlnic_pci_nb);

	if (rc)
		return rc;
	bus_for_each_dev(&pci_bus_type, NULL, NULL, cxlnic_stock_scan_one);
	return 0;
}

void cxlnic_stock_exit(void)
{
	unsigned long index = 0;
	struct cxlnic_dev *nic;

	bus_unregister_notifier(&pci_bus_type, &cxlnic_pci_nb);
	for (; (nic = cxlnic_get_next(&index)); index++) {
		if (nic->kind == CXLNIC_KIND_STOCK)
			cxlnic_stock_remove(nic);
		cxlnic_put(nic);
	}
}
