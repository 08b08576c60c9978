// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnic_sim: an emulated CXL NIC on QEMU's pci-testdev (1b36:0005), shaped
 * like sfc with CXL CTPIO.  Its CTPIO window is either the HPA range of a CXL
 * region or its own PCI BAR (pci-testdev's RAM-backed "membar", BAR 2).  A TX
 * engine writes packet-sized blocks into the active window at a settable
 * rate while enabled.
 *
 * The TX path takes no lock: it reads the active window under RCU.  Moving
 * off CXL publishes the PCI window, waits for a grace period, and only then
 * unmaps the CXL range, so no writer can reach a mapping that is gone.
 *
 * Built a second time with CXLNIC_SIM_FIXED_WINDOW as cxlnic_sim_fixed.ko:
 * the same engine on a window that never changes, the peer against which
 * the cost of being switchable is measured.
 */
#include <linux/cxlnic.h>
#include <linux/delay.h>
#include <linux/io.h>
#include <linux/kthread.h>
#include <linux/libnvdimm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/rcupdate.h>
#include <linux/u64_stats_sync.h>
#include <linux/wait.h>
#include <net/devlink.h>
#include "../cxl_core.h"
#include "../cxlnic_compat.h"

#ifdef CXLNIC_SIM_FIXED_WINDOW
#define SIM_NAME	"cxlnic_sim_fixed"
#else
#define SIM_NAME	"cxlnic_sim"
#endif

#define SIM_BAR			2
/* CTPIO apertures are small; map only the start of the region. */
#define SIM_CXL_WINDOW_MAX	SZ_1M
#define SIM_PKT_MAX		2048
#define SIM_BURST		16

struct sim_window {
	enum cxlnic_ctpio_mode kind;
	void __iomem *io;	/* PCI BAR */
	void *mem;		/* CXL region, memremap()ed */
	size_t size;
};

struct sim_counters {
	u64_stats_t bytes;
	u64_stats_t packets;
};

struct cxlnic_sim {
	struct pci_dev *pdev;
	struct devlink *devlink;
	struct cxlnic_dev *nic;
	struct task_struct *tx_thread;
	wait_queue_head_t tx_wait;

	struct sim_window pci_win;
	struct sim_window cxl_win;	/* valid while cxl_mapped */
	bool cxl_mapped;
#ifdef CXLNIC_SIM_FIXED_WINDOW
	struct sim_window *active;
#else
	struct sim_window __rcu *active;
#endif
	struct mutex win_lock;		/* serialises window changes */
	/* Under win_lock: see sim_release_requested(). */
	char detach_releases[CXLNIC_NAME_MAX];

	bool tx_enabled;
	u32 tx_rate;			/* packets per second, 0: unthrottled */
	u32 pkt_size;
	u8 pkt[SIM_PKT_MAX];

	/* Written by the TX thread only. */
	struct u64_stats_sync syncp;
	struct sim_counters cxl;
	struct sim_counters pci;
	u64 offset;
	/* CLOCK_REALTIME, so benchmarks can set them against userspace time. */
	s64 last_cxl_write_ns;
	s64 cxl_detached_ns;
};

static void sim_window_write(const struct sim_window *win, size_t off,
			     const void *pkt, size_t len)
{
	if (win->mem)
		memcpy(win->mem + off, pkt, len);
	else
		memcpy_toio(win->io + off, pkt, len);
}

static void sim_account(struct cxlnic_sim *sim, enum cxlnic_ctpio_mode kind,
			u32 len)
{
	struct sim_counters *c = kind == CXLNIC_CTPIO_MODE_CXL ?
				 &sim->cxl : &sim->pci;

	u64_stats_update_begin(&sim->syncp);
	u64_stats_add(&c->bytes, len);
	u64_stats_inc(&c->packets);
	u64_stats_update_end(&sim->syncp);
	if (kind == CXLNIC_CTPIO_MODE_CXL)
		WRITE_ONCE(sim->last_cxl_write_ns, ktime_get_real_ns());
}

static void sim_send_one(struct cxlnic_sim *sim, const struct sim_window *win,
			 u32 len)
{
	if (sim->offset + len > win->size)
		sim->offset = 0;
	sim_window_write(win, sim->offset, sim->pkt, len);
	sim->offset += len;
	sim_account(sim, win->kind, len);
}

#ifdef CXLNIC_SIM_FIXED_WINDOW
static void sim_send(struct cxlnic_sim *sim, u32 len)
{
	sim_send_one(sim, sim->active, len);
}
#else
/* The fast path: no lock, just an RCU read-side section per packet. */
static void sim_send(struct cxlnic_sim *sim, u32 len)
{
	const struct sim_window *win;

	rcu_read_lock();
	win = rcu_dereference(sim->active);
	if (win)
		sim_send_one(sim, win, len);
	rcu_read_unlock();
}
#endif

static void sim_tx_pace(struct cxlnic_sim *sim, unsigned int sent)
{
	u32 rate = READ_ONCE(sim->tx_rate);
	unsigned long us;

	if (!rate) {
		cond_resched();
		return;
	}
	us = div_u64((u64)sent * USEC_PER_SEC, rate);
	if (us)
		usleep_range(us, us + us / 8 + 1);
}

static int sim_tx_thread(void *data)
{
	struct cxlnic_sim *sim = data;
	unsigned int i, burst;
	u32 rate;

	while (!kthread_should_stop()) {
		if (!READ_ONCE(sim->tx_enabled)) {
			wait_event_interruptible(sim->tx_wait,
						 READ_ONCE(sim->tx_enabled) ||
						 kthread_should_stop());
			continue;
		}
		rate = READ_ONCE(sim->tx_rate);
		burst = rate && rate < SIM_BURST * 10 ? 1 : SIM_BURST;
		for (i = 0; i < burst; i++)
			sim_send(sim, READ_ONCE(sim->pkt_size));
		sim_tx_pace(sim, burst);
	}
	return 0;
}

#ifdef CXLNIC_SIM_FIXED_WINDOW
static int sim_attach_cxl(struct cxlnic_dev *nic, phys_addr_t base,
			  resource_size_t size)
{
	return -EOPNOTSUPP;
}

static void sim_detach_cxl(struct cxlnic_dev *nic)
{
}

static int sim_set_mode(struct cxlnic_dev *nic, enum cxlnic_ctpio_mode mode)
{
	return mode == CXLNIC_CTPIO_MODE_PCI ? 0 : -EOPNOTSUPP;
}

static void sim_window_init(struct cxlnic_sim *sim)
{
	sim->active = &sim->pci_win;
}
#else
static int sim_attach_cxl(struct cxlnic_dev *nic, phys_addr_t base,
			  resource_size_t size)
{
	struct cxlnic_sim *sim = cxlnic_priv(nic);
	size_t len = min_t(resource_size_t, size, SIM_CXL_WINDOW_MAX);
	void *mem;

	if (len < SIM_PKT_MAX)
		return -EINVAL;	/* a packet would run past the window */
	mutex_lock(&sim->win_lock);
	if (sim->cxl_mapped) {
		mutex_unlock(&sim->win_lock);
		return -EBUSY;
	}
	/* Write-back, as the pmem driver maps the same range: no PAT clash. */
	mem = memremap(base, len, MEMREMAP_WB);
	if (!mem) {
		mutex_unlock(&sim->win_lock);
		return -ENOMEM;
	}
	sim->cxl_win.kind = CXLNIC_CTPIO_MODE_CXL;
	sim->cxl_win.mem = mem;
	sim->cxl_win.size = len;
	sim->cxl_mapped = true;
	rcu_assign_pointer(sim->active, &sim->cxl_win);
	mutex_unlock(&sim->win_lock);
	dev_info(&sim->pdev->dev, "CTPIO on CXL at %pa (+%zu)\n", &base, len);
	return 0;
}

/*
 * Test hook (sysfs detach_releases): the CXL device whose driver the next
 * ->detach_cxl() releases once off CXL, as a Type 2 driver that tears its
 * own region down when it leaves CXL does.  It shows that an op causing a
 * bus event on its own chain does not deadlock cxlnic (20-attach.sh).  For
 * region-detach only: from a bus notifier an op must take no device lock.
 */
static void sim_release_requested(struct cxlnic_sim *sim)
{
	char name[CXLNIC_NAME_MAX];
	struct device *dev;

	mutex_lock(&sim->win_lock);
	strscpy(name, sim->detach_releases, sizeof(name));
	sim->detach_releases[0] = '\0';
	mutex_unlock(&sim->win_lock);
	if (!*name)
		return;
	dev = bus_find_device_by_name(&cxl_bus_type, NULL, name);
	if (!dev) {
		dev_warn(&sim->pdev->dev, "detach_releases: no CXL device %s\n",
			 name);
		return;
	}
	device_release_driver(dev);
	put_device(dev);
	dev_info(&sim->pdev->dev, "released the driver of %s from detach_cxl\n",
		 name);
}

static void sim_detach_cxl(struct cxlnic_dev *nic)
{
	struct cxlnic_sim *sim = cxlnic_priv(nic);

	mutex_lock(&sim->win_lock);
	if (sim->cxl_mapped) {
		rcu_assign_pointer(sim->active, &sim->pci_win);
		/*
		 * After this no TX section can still see the CXL window.  The
		 * CXL teardown that called us waits on it, once per NIC, and
		 * losses are rare: expedite rather than hold it up.
		 */
		synchronize_rcu_expedited();
		WRITE_ONCE(sim->cxl_detached_ns, ktime_get_real_ns());
		/*
		 * Dirty lines of the write-back mapping must reach the range
		 * now, while its decoders still decode it: evicted later,
		 * after they are reset, they would land on whatever is then
		 * at that address.
		 */
		arch_wb_cache_pmem(sim->cxl_win.mem, sim->cxl_win.size);
		/* clwb is weakly ordered: fence it before the unmap. */
		wmb();
		memunmap(sim->cxl_win.mem);
		sim->cxl_win.mem = NULL;
		sim->cxl_mapped = false;
		dev_info(&sim->pdev->dev, "CTPIO moved to PCI, CXL unmapped\n");
	}
	mutex_unlock(&sim->win_lock);
	sim_release_requested(sim);
}

static int sim_set_mode(struct cxlnic_dev *nic, enum cxlnic_ctpio_mode mode)
{
	struct cxlnic_sim *sim = cxlnic_priv(nic);
	int rc = 0;

	mutex_lock(&sim->win_lock);
	if (mode == CXLNIC_CTPIO_MODE_PCI)
		rcu_assign_pointer(sim->active, &sim->pci_win);
	else if (mode == CXLNIC_CTPIO_MODE_CXL && sim->cxl_mapped)
		rcu_assign_pointer(sim->active, &sim->cxl_win);
	else
		rc = -EINVAL;
	mutex_unlock(&sim->win_lock);
	return rc;
}

static void sim_window_init(struct cxlnic_sim *sim)
{
	RCU_INIT_POINTER(sim->active, &sim->pci_win);
}
#endif

static void sim_counters_read(struct cxlnic_sim *sim, struct cxlnic_stats *s)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&sim->syncp);
		s->cxl_bytes = u64_stats_read(&sim->cxl.bytes);
		s->cxl_packets = u64_stats_read(&sim->cxl.packets);
		s->pci_bytes = u64_stats_read(&sim->pci.bytes);
		s->pci_packets = u64_stats_read(&sim->pci.packets);
	} while (u64_stats_fetch_retry(&sim->syncp, start));
}

static void sim_get_stats(struct cxlnic_dev *nic, struct cxlnic_stats *stats)
{
	sim_counters_read(cxlnic_priv(nic), stats);
}

static const struct cxlnic_ops sim_cxlnic_ops = {
	.attach_cxl = sim_attach_cxl,
	.detach_cxl = sim_detach_cxl,
	.set_mode = sim_set_mode,
	.get_stats = sim_get_stats,
	/* The emulated NIC's window is on a separate QEMU memdev. */
	.flags = CXLNIC_OPS_PAIRED_MEMDEV,
};

/* sysfs: TX engine controls and the figures the benchmarks read. */
static ssize_t tx_enable_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", READ_ONCE(sim->tx_enabled));
}

static ssize_t tx_enable_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t len)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);
	bool enable;
	int rc = kstrtobool(buf, &enable);

	if (rc)
		return rc;
	WRITE_ONCE(sim->tx_enabled, enable);
	wake_up(&sim->tx_wait);
	return len;
}
static DEVICE_ATTR_RW(tx_enable);

static ssize_t tx_rate_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(sim->tx_rate));
}

static ssize_t tx_rate_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t len)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);
	u32 rate;
	int rc = kstrtou32(buf, 0, &rate);

	if (rc)
		return rc;
	WRITE_ONCE(sim->tx_rate, rate);
	return len;
}
static DEVICE_ATTR_RW(tx_rate);

static ssize_t pkt_size_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", READ_ONCE(sim->pkt_size));
}

static ssize_t pkt_size_store(struct device *dev, struct device_attribute *attr,
			      const char *buf, size_t len)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);
	u32 size;
	int rc = kstrtou32(buf, 0, &size);

	if (rc)
		return rc;
	if (size < 64 || size > SIM_PKT_MAX)
		return -ERANGE;
	WRITE_ONCE(sim->pkt_size, size);
	return len;
}
static DEVICE_ATTR_RW(pkt_size);

static ssize_t tx_packets_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct cxlnic_stats s;

	sim_counters_read(dev_get_drvdata(dev), &s);
	return sysfs_emit(buf, "%llu\n", s.cxl_packets + s.pci_packets);
}
static DEVICE_ATTR_RO(tx_packets);

static ssize_t last_cxl_write_ns_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n", READ_ONCE(sim->last_cxl_write_ns));
}
static DEVICE_ATTR_RO(last_cxl_write_ns);

static ssize_t cxl_detached_ns_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lld\n", READ_ONCE(sim->cxl_detached_ns));
}
static DEVICE_ATTR_RO(cxl_detached_ns);

static ssize_t detach_releases_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);
	ssize_t len;

	mutex_lock(&sim->win_lock);
	len = sysfs_emit(buf, "%s\n", sim->detach_releases);
	mutex_unlock(&sim->win_lock);
	return len;
}

static ssize_t detach_releases_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t len)
{
	struct cxlnic_sim *sim = dev_get_drvdata(dev);
	char name[CXLNIC_NAME_MAX];

	if (strscpy(name, buf, sizeof(name)) < 0)
		return -EINVAL;
	mutex_lock(&sim->win_lock);
	strscpy(sim->detach_releases, strim(name),
		sizeof(sim->detach_releases));
	mutex_unlock(&sim->win_lock);
	return len;
}
static DEVICE_ATTR_RW(detach_releases);

static struct attribute *sim_attrs[] = {
	&dev_attr_tx_enable.attr,
	&dev_attr_tx_rate.attr,
	&dev_attr_pkt_size.attr,
	&dev_attr_tx_packets.attr,
	&dev_attr_last_cxl_write_ns.attr,
	&dev_attr_cxl_detached_ns.attr,
	&dev_attr_detach_releases.attr,
	NULL
};

static const struct attribute_group sim_group = {
	.name = "cxlnic_sim",
	.attrs = sim_attrs,
};

static const struct attribute_group *sim_groups[] = {
	&sim_group,
	NULL
};

static int sim_map_pci_window(struct cxlnic_sim *sim)
{
	struct pci_dev *pdev = sim->pdev;
	int rc;

	if (!pci_resource_len(pdev, SIM_BAR)) {
		dev_err(&pdev->dev, "no BAR %d: start pci-testdev with membar=\n",
			SIM_BAR);
		return -ENODEV;
	}
	rc = pcim_iomap_regions(pdev, BIT(SIM_BAR), SIM_NAME);
	if (rc)
		return rc;
	sim->pci_win.kind = CXLNIC_CTPIO_MODE_PCI;
	sim->pci_win.io = pcim_iomap_table(pdev)[SIM_BAR];
	sim->pci_win.size = min_t(resource_size_t,
				  pci_resource_len(pdev, SIM_BAR),
				  SIM_CXL_WINDOW_MAX);
	if (sim->pci_win.size < SIM_PKT_MAX) {
		dev_err(&pdev->dev, "BAR %d is smaller than one packet (%d bytes)\n",
			SIM_BAR, SIM_PKT_MAX);
		return -ENODEV;
	}
	return 0;
}

/* Nothing of its own: the instance is there for the "cxl" reporter. */
/*
 * The NIC on an even PCI slot sets up and tears down its reporter as a
 * driver inside its devl_lock() sections does, the other without the lock:
 * every scenario with both NICs runs both ways.
 */
static bool sim_health_locked(struct pci_dev *pdev)
{
	return !(PCI_SLOT(pdev->devfn) & 1);
}

static int sim_health_create(struct cxlnic_sim *sim, struct pci_dev *pdev)
{
	int rc;

	if (!sim_health_locked(pdev))
		return cxlnic_health_create(sim->nic, sim->devlink);
	devl_lock(sim->devlink);
	rc = cxlnic_devl_health_create(sim->nic, sim->devlink);
	devl_unlock(sim->devlink);
	return rc;
}

static void sim_health_destroy(struct cxlnic_sim *sim, struct pci_dev *pdev)
{
	if (!sim_health_locked(pdev)) {
		cxlnic_health_destroy(sim->nic);
		return;
	}
	/* A report in flight takes devl_lock: drained before it is held. */
	cxlnic_health_stop(sim->nic);
	devl_lock(sim->devlink);
	cxlnic_devl_health_destroy(sim->nic);
	devl_unlock(sim->devlink);
}

static const struct devlink_ops sim_devlink_ops = {
};

static int sim_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct cxlnic_sim *sim;
	int rc;

	sim = devm_kzalloc(&pdev->dev, sizeof(*sim), GFP_KERNEL);
	if (!sim)
		return -ENOMEM;
	sim->pdev = pdev;
	sim->tx_rate = 1000;
	sim->pkt_size = 256;
	memset(sim->pkt, 0x5a, sizeof(sim->pkt));
	mutex_init(&sim->win_lock);
	init_waitqueue_head(&sim->tx_wait);
	u64_stats_init(&sim->syncp);
	pci_set_drvdata(pdev, sim);

	rc = pcim_enable_device(pdev);
	if (rc)
		return rc;
	rc = sim_map_pci_window(sim);
	if (rc)
		return rc;
	sim_window_init(sim);

	/* As sfc: one devlink instance per PCI function. */
	sim->devlink = devlink_alloc(&sim_devlink_ops, 0, &pdev->dev);
	if (!sim->devlink)
		return -ENOMEM;
	sim->nic = cxlnic_register(&pdev->dev, &sim_cxlnic_ops, sim);
	if (IS_ERR(sim->nic)) {
		rc = PTR_ERR(sim->nic);
		goto err_devlink_free;
	}
	sim->tx_thread = kthread_run(sim_tx_thread, sim, "%s/%s", SIM_NAME,
				     pci_name(pdev));
	if (IS_ERR(sim->tx_thread)) {
		rc = PTR_ERR(sim->tx_thread);
		goto err_unregister;
	}
	/* Registered first: devlink warns on reports from an unregistered one. */
	devlink_register(sim->devlink);
	/*
	 * A real NIC would run on without it; the emulated one exists to be
	 * tested, so a missing reporter fails the probe where it shows.
	 */
	rc = sim_health_create(sim, pdev);
	if (rc)
		goto err_devlink_unregister;
	return 0;

err_devlink_unregister:
	devlink_unregister(sim->devlink);
	/* Off CXL before TX stops, as in remove. */
	cxlnic_unregister(sim->nic);
	kthread_stop(sim->tx_thread);
	devlink_free(sim->devlink);
	return rc;
err_unregister:
	cxlnic_unregister(sim->nic);
err_devlink_free:
	devlink_free(sim->devlink);
	return rc;
}

static void sim_remove(struct pci_dev *pdev)
{
	struct cxlnic_sim *sim = pci_get_drvdata(pdev);

	/* No reports after this, so none reaches an unregistered instance. */
	sim_health_destroy(sim, pdev);
	devlink_unregister(sim->devlink);
	/* Off CXL first, while TX still runs, as a real NIC would go. */
	cxlnic_unregister(sim->nic);
	kthread_stop(sim->tx_thread);
	devlink_free(sim->devlink);
}

static const struct pci_device_id sim_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT, 0x0005) },	/* QEMU pci-testdev */
	{ }
};
MODULE_DEVICE_TABLE(pci, sim_ids);

static struct pci_driver sim_driver = {
	.name = SIM_NAME,
	.id_table = sim_ids,
	.probe = sim_probe,
	.remove = sim_remove,
	.dev_groups = sim_groups,
};
module_pci_driver(sim_driver);

MODULE_DESCRIPTION("Emulated CXL NIC with switchable CTPIO window");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(CXLNIC_NS);
MODULE_IMPORT_NS(CXLNIC_NS_CXL);
