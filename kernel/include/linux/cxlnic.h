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

#include <linux/types.h>
#include <uapi/linux/cxlnic.h>

struct device;
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
 *	it the CTPIO window.  Returns 0 or a negative errno.  May sleep.
 * @detach_cxl: move CTPIO to the PCI window, wait until no CPU can still
 *	write to the CXL window, then unmap it.  Must not fail and must not
 *	take the device lock of any device.  May sleep.
 * @set_mode: choose the window while attached (%CXLNIC_CTPIO_MODE_PCI or
 *	%CXLNIC_CTPIO_MODE_CXL).  May sleep.
 * @get_stats: fill @stats; called with no lock of the driver held.
 */
struct cxlnic_ops {
	int (*attach_cxl)(struct cxlnic_dev *nic, phys_addr_t base,
			  resource_size_t size);
	void (*detach_cxl)(struct cxlnic_dev *nic);
	int (*set_mode)(struct cxlnic_dev *nic, enum cxlnic_ctpio_mode mode);
	void (*get_stats)(struct cxlnic_dev *nic, struct cxlnic_stats *stats);
};

struct cxlnic_dev *cxlnic_register(struct device *dev,
				   const struct cxlnic_ops *ops, void *priv);
void cxlnic_unregister(struct cxlnic_dev *nic);
void *cxlnic_priv(const struct cxlnic_dev *nic);
void cxlnic_cxl_lost(struct cxlnic_dev *nic);

#endif /* _LINUX_CXLNIC_H */
