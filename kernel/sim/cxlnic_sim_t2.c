// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnic_sim_t2: an emulated Type 2 NIC of the stock kind, on QEMU's
 * cxl-type3 function.
 *
 * It stands for sfc as merged in Linux 7.3: at probe it sets up CXL exactly
 * as drivers/net/ethernet/sfc/efx_cxl.c does, call for call, and maps the
 * HPA range that devm_cxl_probe_mem() hands back as its CTPIO window.  It
 * calls no cxlnic.ko function: cxlnic has to find it on the CXL bus by
 * itself, as it has to find sfc.  When CXL init fails, it carries on with a
 * plain window, as sfc carries on with its BAR PIO buffers.
 *
 * QEMU's cxl-type3 is a Type 3 device, which cxl_pci would claim by its
 * class code, so this driver matches nothing by itself: it binds only where
 * driver_override names it (tests/vm/vmrun --type2 sets it before any CXL
 * driver loads).
 *
 * The region it needs must have been committed by platform firmware
 * (tests/vm/firmware/type2-bios.py on the bench): the CXL core of 7.3 finds
 * a region for an accelerator, it does not make one.
 *
 * It is a real netdev: every frame sent through it is written, whole, into
 * the CTPIO window (the region's range, or the plain window), as CTPIO
 * writes a frame into its aperture, and counted in the netdev's own
 * statistics.  When the core releases the driver the netdev goes with it.
 *
 * Built a second time with SIM_T2_COOPERATING as cxlnic_sim_t2_coop.ko:
 * the same driver plus the few lines a cooperating sfc would add (see
 * kernel/patches/): at probe it hands cxlnic its memdev, range and a
 * quiesce op (devm_cxlnic_add_cxl()), which moves CTPIO to the plain window
 * before a piece of the chain goes.
 */
#include <linux/etherdevice.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/pci.h>
#include <linux/range.h>
#include <linux/sizes.h>
#include <cxl/cxl.h>
#include <cxl/pci.h>

#ifdef SIM_T2_COOPERATING
#include <linux/cxlnic.h>
#include "../cxlnic_compat.h"
#define SIM_T2_NAME		"cxlnic_sim_t2_coop"
#else
#define SIM_T2_NAME		"cxlnic_sim_t2"
#endif
/* sfc's EFX_CTPIO_BUFFER_SIZE: the capacity it declares to the core. */
#define SIM_T2_CTPIO_SIZE	SZ_256M
/*
 * The plain window: QEMU's cxl-type3 has no BAR with memory behind it, so
 * a buffer in RAM stands for the PIO buffers in sfc's BAR.
 */
#define SIM_T2_PLAIN_SIZE	SZ_4K
/* One frame per slot of the window, the slots used in turn. */
#define SIM_T2_SLOT		SZ_2K

/* As sfc's struct efx_cxl: the core requires cxlds at offset 0. */
struct sim_t2_cxl {
	struct cxl_dev_state cxlds;
	struct cxl_memdev *cxlmd;
	void __iomem *ctpio_cxl;
};

struct sim_t2 {
	struct pci_dev *pdev;
	struct net_device *netdev;
	struct sim_t2_cxl *cxl;		/* NULL: CTPIO is on the plain window */
	/* CTPIO on the CXL window: set at probe, cleared by a quiesce. */
	bool on_cxl;
	struct range cxl_range;
	int cxl_err;			/* why CXL init failed, 0 if it did not */
	void *plain;
	/*
	 * The transmit path's: ndo_start_xmit runs under the one TX queue's
	 * lock, so one frame at a time is copied through @bounce into the
	 * next @slot.  The counters are read from sysfs without that lock.
	 */
	u8 bounce[SIM_T2_SLOT];
	unsigned int slot;
	atomic64_t cxl_packets;
	atomic64_t plain_packets;
};

/*
 * efx_cxl_init()'s sequence.  0 with sim->cxl set: CTPIO on CXL; 0 with
 * sim->cxl NULL: the device does not use CXL; an error: CXL init failed.
 * Everything it allocates is devm-managed on the PCI device, as in sfc.
 */
static int sim_t2_cxl_init(struct sim_t2 *sim)
{
	struct pci_dev *pdev = sim->pdev;
	struct sim_t2_cxl *cxl;
	struct range range;
	u16 dvsec;
	int rc;

	if (!pcie_is_cxl(pdev))
		return 0;

	dvsec = pci_find_dvsec_capability(pdev, PCI_VENDOR_ID_CXL,
					  PCI_DVSEC_CXL_DEVICE);
	if (!dvsec) {
		pci_info(pdev, "CXL Device DVSEC not found\n");
		return 0;
	}

	/* No mailbox, as sfc: an accelerator need not have one. */
	cxl = devm_cxl_dev_state_create(&pdev->dev, CXL_DEVTYPE_DEVMEM,
					pci_get_dsn(pdev), dvsec,
					struct sim_t2_cxl, cxlds, false);
	if (!cxl)
		return -ENOMEM;

	rc = cxl_pci_setup_regs(pdev, CXL_REGLOC_RBI_COMPONENT,
				&cxl->cxlds.reg_map);
	if (rc) {
		pci_err(pdev, "no component registers: %d\n", rc);
		return rc;
	}
	if (!cxl->cxlds.reg_map.component_map.hdm_decoder.valid) {
		pci_err(pdev, "no HDM decoder capability\n");
		return -ENODEV;
	}
	if (!cxl->cxlds.reg_map.component_map.ras.valid) {
		pci_err(pdev, "no RAS capability\n");
		return -ENODEV;
	}

	/*
	 * Neither a mailbox nor a memory device register says whether the
	 * media is ready, and a Type 2 device needs neither: say so.
	 */
	cxl->cxlds.media_ready = true;

	rc = cxl_set_capacity(&cxl->cxlds, SIM_T2_CTPIO_SIZE);
	if (rc) {
		pci_err(pdev, "DPA capacity setup failed: %d\n", rc);
		return -ENODEV;
	}

	/*
	 * The memdev, its endpoint and the region firmware committed for it;
	 * fails with -ENXIO when there is no such region.
	 */
	cxl->cxlmd = devm_cxl_probe_mem(&cxl->cxlds, &range);
	if (IS_ERR(cxl->cxlmd)) {
		rc = PTR_ERR(cxl->cxlmd);
		pci_err(pdev, "CXL memdev creation failed: %d\n", rc);
		return rc;
	}

	cxl->ctpio_cxl = ioremap_wc(range.start, range_len(&range));
	if (!cxl->ctpio_cxl) {
		pci_err(pdev, "cannot map the CXL region %pra\n", &range);
		return -ENOMEM;
	}

	sim->cxl = cxl;
	sim->cxl_range = range;
	return 0;
}

/*
 * The next slot of the window CTPIO is on, for one frame of @len bytes.
 * Context: ndo_start_xmit, under the TX queue lock.
 */
static void sim_t2_ctpio_write(struct sim_t2 *sim, unsigned int len)
{
	size_t slots, off;

	if (sim->on_cxl) {
		slots = range_len(&sim->cxl_range) / SIM_T2_SLOT;
		off = (size_t)(sim->slot++ % slots) * SIM_T2_SLOT;
		memcpy_toio(sim->cxl->ctpio_cxl + off, sim->bounce, len);
		atomic64_inc(&sim->cxl_packets);
	} else {
		slots = SIM_T2_PLAIN_SIZE / SIM_T2_SLOT;
		off = (size_t)(sim->slot++ % slots) * SIM_T2_SLOT;
		memcpy(sim->plain + off, sim->bounce, len);
		atomic64_inc(&sim->plain_packets);
	}
}

/* Context: softirq or process, under the TX queue lock (not LLTX). */
static netdev_tx_t sim_t2_xmit(struct sk_buff *skb, struct net_device *ndev)
{
	struct sim_t2 *sim = *(struct sim_t2 **)netdev_priv(ndev);
	unsigned int len = skb->len;

	/* max_mtu keeps frames within a slot; a GSO one would not be. */
	if (len > SIM_T2_SLOT || skb_copy_bits(skb, 0, sim->bounce, len)) {
		dev_core_stats_tx_dropped_inc(ndev);
		dev_kfree_skb_any(skb);
		return NETDEV_TX_OK;
	}
	sim_t2_ctpio_write(sim, len);
	dev_sw_netstats_tx_add(ndev, 1, len);
	dev_consume_skb_any(skb);
	return NETDEV_TX_OK;
}

static int sim_t2_open(struct net_device *ndev)
{
	netif_start_queue(ndev);
	return 0;
}

static int sim_t2_stop(struct net_device *ndev)
{
	netif_stop_queue(ndev);
	return 0;
}

static const struct net_device_ops sim_t2_netdev_ops = {
	.ndo_open = sim_t2_open,
	.ndo_stop = sim_t2_stop,
	.ndo_start_xmit = sim_t2_xmit,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

/* Last in probe: once registered, frames may come at once. */
static int sim_t2_netdev_register(struct sim_t2 *sim)
{
	struct net_device *ndev;

	ndev = devm_alloc_etherdev(&sim->pdev->dev, sizeof(sim));
	if (!ndev)
		return -ENOMEM;
	*(struct sim_t2 **)netdev_priv(ndev) = sim;
	SET_NETDEV_DEV(ndev, &sim->pdev->dev);
	ndev->netdev_ops = &sim_t2_netdev_ops;
	ndev->pcpu_stat_type = NETDEV_PCPU_STAT_TSTATS;
	ndev->max_mtu = SIM_T2_SLOT - ETH_HLEN;
	eth_hw_addr_random(ndev);
	sim->netdev = ndev;
	return register_netdev(ndev);
}

static ssize_t ctpio_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct sim_t2 *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", READ_ONCE(sim->on_cxl) ? "cxl" : "pci");
}
static DEVICE_ATTR_RO(ctpio);

/* The HPA range of the region, as devm_cxl_probe_mem() gave it. */
static ssize_t cxl_range_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct sim_t2 *sim = dev_get_drvdata(dev);

	if (!sim->cxl)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%#llx-%#llx\n", sim->cxl_range.start,
			  sim->cxl_range.end);
}
static DEVICE_ATTR_RO(cxl_range);

static ssize_t cxl_error_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	struct sim_t2 *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", sim->cxl_err);
}
static DEVICE_ATTR_RO(cxl_error);

/* Frames written into the CXL window and into the plain one. */
static ssize_t cxl_packets_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct sim_t2 *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n", atomic64_read(&sim->cxl_packets));
}
static DEVICE_ATTR_RO(cxl_packets);

static ssize_t plain_packets_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct sim_t2 *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n", atomic64_read(&sim->plain_packets));
}
static DEVICE_ATTR_RO(plain_packets);

static struct attribute *sim_t2_attrs[] = {
	&dev_attr_ctpio.attr,
	&dev_attr_cxl_range.attr,
	&dev_attr_cxl_error.attr,
	&dev_attr_cxl_packets.attr,
	&dev_attr_plain_packets.attr,
	NULL
};

static const struct attribute_group sim_t2_group = {
	.name = SIM_T2_NAME,
	.attrs = sim_t2_attrs,
};

static const struct attribute_group *sim_t2_groups[] = {
	&sim_t2_group,
	NULL
};

#ifdef SIM_T2_COOPERATING
/*
 * cxlnic's quiesce op: CTPIO to the plain window before the chain goes.
 * Context: a CXL bus notifier, process; under the TX queue lock, so no
 * frame is half written into the CXL window when it returns.  The log line
 * says where the frames were, for the test that no CXL write follows it.
 */
static void sim_t2_quiesce(void *data)
{
	struct sim_t2 *sim = data;

	netif_tx_lock_bh(sim->netdev);
	WRITE_ONCE(sim->on_cxl, false);
	netif_tx_unlock_bh(sim->netdev);
	pci_info(sim->pdev,
		 "quiesced: CTPIO on the plain window, %lld frames written into CXL\n",
		 atomic64_read(&sim->cxl_packets));
}

/* After the netdev exists: the op touches its TX lock. */
static int sim_t2_cooperate(struct sim_t2 *sim)
{
	if (!sim->cxl)
		return 0;
	return devm_cxlnic_add_cxl(&sim->pdev->dev, &sim->cxl_range,
				   sim_t2_quiesce, sim);
}
#else
static int sim_t2_cooperate(struct sim_t2 *sim)
{
	return 0;
}
#endif

static int sim_t2_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct sim_t2 *sim;
	void *group;
	int rc;

	sim = devm_kzalloc(&pdev->dev, sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;
	sim->pdev = pdev;
	pci_set_drvdata(pdev, sim);

	/*
	 * Enabled, but no BAR requested: the CXL core claims the component
	 * registers in BAR 0 for the endpoint port's decoders.
	 */
	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;

	sim->plain = devm_kzalloc(&pdev->dev, SIM_T2_PLAIN_SIZE, GFP_KERNEL);
	if (!sim->plain)
		return -ENOMEM;

	/*
	 * A failed CXL init is not fatal, as in sfc; a group lets it leave
	 * nothing behind (the dev state, the memdev) when it fails.  Where
	 * the memdev had got as far as an endpoint port, its going queues
	 * the core's detach_memdev, which then releases this driver: the
	 * core does the same when devm_cxl_probe_mem() finds no region.
	 */
	group = devres_open_group(&pdev->dev, NULL, GFP_KERNEL);
	if (!group)
		return -ENOMEM;
	rc = sim_t2_cxl_init(sim);
	if (rc) {
		devres_release_group(&pdev->dev, group);
		sim->cxl_err = rc;
		pci_info(pdev, "CXL init failed (%d): CTPIO on the plain window\n",
			 rc);
	} else {
		devres_remove_group(&pdev->dev, group);
	}

	sim->on_cxl = !!sim->cxl;
	rc = sim_t2_netdev_register(sim);
	if (rc) {
		pci_err(pdev, "netdev registration failed: %d\n", rc);
		goto err_unmap;
	}
	rc = sim_t2_cooperate(sim);
	if (rc) {
		pci_err(pdev, "cxlnic refused the CTPIO range: %d\n", rc);
		goto err_unregister;
	}
	if (sim->cxl)
		pci_info(pdev, "%s: CTPIO on CXL at %pra\n",
			 netdev_name(sim->netdev), &sim->cxl_range);
	return 0;

err_unregister:
	unregister_netdev(sim->netdev);
err_unmap:
	if (sim->cxl)
		iounmap(sim->cxl->ctpio_cxl);
	return rc;
}

static void sim_t2_remove(struct pci_dev *pdev)
{
	struct sim_t2 *sim = pci_get_drvdata(pdev);

	/*
	 * The netdev first: once it is unregistered no frame is being
	 * written (its queue is stopped and drained), so the window may go.
	 * Its memory is devres', freed after this.
	 */
	unregister_netdev(sim->netdev);
	pci_info(pdev, "removed: %lld frames written into CXL, %lld into the plain window\n",
		 atomic64_read(&sim->cxl_packets),
		 atomic64_read(&sim->plain_packets));
	/* efx_cxl_exit(): the memdev itself goes with the device's devres. */
	if (sim->cxl)
		iounmap(sim->cxl->ctpio_cxl);
}

static struct pci_driver sim_t2_driver = {
	.name = SIM_T2_NAME,
	/* No ids: bound through driver_override only (see the top). */
	.probe = sim_t2_probe,
	.remove = sim_t2_remove,
	.dev_groups = sim_t2_groups,
};
module_pci_driver(sim_t2_driver);

MODULE_DESCRIPTION("Emulated CXL Type 2 NIC following sfc's CXL sequence");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS("CXL");
#ifdef SIM_T2_COOPERATING
MODULE_IMPORT_NS(CXLNIC_NS);
#endif
