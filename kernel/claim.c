// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a NIC may write into.  region-attach hands a NIC driver a
 * host-physical range that its CTPIO then fills with packets, so cxlnic
 * checks that the range is the NIC's to write before it does:
 *
 * - the region stands on the NIC's own memdev: a child of the NIC's device
 *   (a Type 2 NIC's memdev), or, for a driver that says its window lives on
 *   a separate memdev (%CXLNIC_OPS_PAIRED_MEMDEV), only on the memdev
 *   userspace named in the request, compared by serial number;
 * - no part of it is System RAM;
 * - nobody else holds any of it: no pmem or fsdax namespace, no device-dax
 *   instance, no kmem, no other NIC.
 *
 * The last check is the iomem resource tree's own: cxlnic claims the range
 * with a busy resource named for the NIC, which fails if any busy user
 * (the pmem and dax drivers', kmem's, another NIC's claim) overlaps it, and
 * which, while the NIC is on CXL, makes those users fail to start on it.
 *
 * Context: process, the NIC's lock held; cxlnic_lock, which guards every
 * NIC's claim, is held around cxlnic_claim() and taken by cxlnic_unclaim()
 * (the iomem resource lock nests inside it).
 */
#include <linux/device.h>
#include <linux/ioport.h>
#include <linux/slab.h>

#include "cxlnic_internal.h"

static int cxlnic_found(struct resource *res, void *arg)
{
	return 1;
}

static bool cxlnic_range_has_ram(u64 base, u64 size)
{
	/* Walks the whole tree: kmem's System RAM sits below a CXL window. */
	return walk_iomem_res_desc(IORES_DESC_NONE, IORESOURCE_SYSTEM_RAM,
				   base, base + size - 1, NULL,
				   cxlnic_found) > 0;
}

/* The memdev's own parent is the NIC, or the memdev is the paired one. */
static int cxlnic_check_memdev(const struct cxlnic_dev *nic,
			       const struct cxlnic_piece *memdev,
			       u64 paired_serial,
			       struct netlink_ext_ack *extack)
{
	if (memdev->dev && memdev->dev->parent == nic->dev)
		return 0;
	if (!(nic->ops->flags & CXLNIC_OPS_PAIRED_MEMDEV)) {
		NL_SET_ERR_MSG(extack,
			       "the region stands on a memdev that is not this NIC's own");
		return -EPERM;
	}
	if (!paired_serial) {
		NL_SET_ERR_MSG(extack,
			       "this NIC's window is on a memdev of its own: name it (memdev attribute)");
		return -EINVAL;
	}
	if (memdev->serial != paired_serial) {
		NL_SET_ERR_MSG(extack,
			       "the region also stands on a memdev other than the one named (by serial number)");
		return -EPERM;
	}
	return 0;
}

static int cxlnic_check_owner(const struct cxlnic_dev *nic,
			      const struct cxlnic_topo *topo,
			      u64 paired_serial,
			      struct netlink_ext_ack *extack)
{
	unsigned int i;
	int rc;

	for (i = 0; i < topo->n_pieces; i++) {
		if (topo->pieces[i].kind != CXLNIC_PIECE_MEMDEV)
			continue;
		rc = cxlnic_check_memdev(nic, &topo->pieces[i], paired_serial,
					 extack);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * cxlnic_topo_serial_of - the serial number of the memdev named @name
 * @topo: a resolved chain
 * @name: a memdev's name, or "" for none
 *
 * Return: its serial, 0 when @name is empty, not a memdev of @topo, or the
 * memdev reports no serial.
 */
u64 cxlnic_topo_serial_of(const struct cxlnic_topo *topo, const char *name)
{
	unsigned int i;

	for (i = 0; *name && i < topo->n_pieces; i++)
		if (topo->pieces[i].kind == CXLNIC_PIECE_MEMDEV &&
		    !strcmp(topo->pieces[i].name, name))
			return topo->pieces[i].serial;
	return 0;
}

/**
 * cxlnic_claim - check that @topo's range is @nic's to write, and hold it
 * @nic: a cooperating NIC, not attached, with nic->lock and cxlnic_lock held
 * @topo: the chain region-attach resolved
 * @paired_serial: the serial of the memdev userspace named, or 0
 * @extack: why it was refused
 *
 * Return: 0 with the range claimed (cxlnic_unclaim() gives it back),
 * -EPERM for a memdev not the NIC's, -EINVAL for a paired NIC whose memdev
 * was not named, -EBUSY for System RAM or a range another user holds,
 * -ENOMEM.
 */
int cxlnic_claim(struct cxlnic_dev *nic, const struct cxlnic_topo *topo,
		 u64 paired_serial, struct netlink_ext_ack *extack)
{
	const struct cxlnic_region_info *region = &topo->region;
	int rc;

	lockdep_assert_held(&cxlnic_lock);
	rc = cxlnic_check_owner(nic, topo, paired_serial, extack);
	if (rc)
		return rc;
	if (cxlnic_range_has_ram(region->base, region->size)) {
		NL_SET_ERR_MSG(extack, "the region's range is System RAM");
		return -EBUSY;
	}
	/* The name lives as long as the claim: the resource points at it. */
	snprintf(nic->claim_name, sizeof(nic->claim_name), "cxlnic %s",
		 dev_name(nic->dev));
	nic->claim = request_mem_region(region->base, region->size,
					nic->claim_name);
	if (!nic->claim) {
		NL_SET_ERR_MSG(extack,
			       "the region's range is in use (a pmem, fsdax or devdax namespace, kmem, or another NIC): see /proc/iomem");
		return -EBUSY;
	}
	return 0;
}

/* Give back what cxlnic_claim() took; with nic->lock held. */
void cxlnic_unclaim(struct cxlnic_dev *nic)
{
	lockdep_assert_held(&nic->lock);
	mutex_lock(&cxlnic_lock);
	if (nic->claim) {
		release_mem_region(nic->claim->start,
				   resource_size(nic->claim));
		nic->claim = NULL;
	}
	mutex_unlock(&cxlnic_lock);
}
