/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnic.ko internals shared by the registry (core.c), the CXL topology
 * helpers (topology.c), the stock NICs (stock.c), the claims (claim.c),
 * devlink health (health.c) and the generic netlink family (netlink.c).
 *
 * Locking.  Two kinds of mutex:
 *
 *   nic->lock   - one per NIC: every field of its struct cxlnic_dev below
 *                 the registry's, and of its struct cxlnic_health.  The
 *                 driver's ops are called with it held and with nothing of
 *                 ours held above it.
 *   cxlnic_lock - the registry: the handles, the devices in transit (the
 *                 driver core's two-step changes), every NIC's claim, and,
 *                 for reading, every NIC's recorded chain.  Held only for short, op-free sections,
 *                 never across a driver op, a grace period or a CXL rwsem
 *                 wait, so that a bus event that takes it waits for nothing.
 *
 * Lock order, outermost first:
 *
 *   device_lock(any device)  - held by the driver core around the bus
 *                              notifications we receive
 *   devl_lock(NIC's devlink) - held by devlink around the "cxl" reporter's
 *                              recover and diagnose ops; taken by health.c's
 *                              work item to mark a return to CXL
 *     nic->lock
 *       the NIC driver's own locks, inside its ops
 *       cxlnic_lock
 *         the iomem resource lock (claim.c)
 *
 * The CXL region's chain is resolved (topology.c, through the CXL core's
 * show routines and so its rwsems) with none of our locks held, and checked
 * again under cxlnic_lock before it is taken: a piece that started to go in
 * between is in transit, one that went is no longer bound.  Only a memdev's
 * serial is read under cxlnic_lock, since its show routine follows state the
 * CXL core frees right after our REMOVED_DEVICE (topology.c).
 *
 * A bus event takes cxlnic_lock to record the transit, then each NIC's lock
 * in turn, holding a reference: the NIC's op is called there, synchronously,
 * before the device goes.  An op that itself unbinds or deletes a piece of
 * its own NIC's chain (a Type 2 driver tearing its region down) re-enters
 * the notifier in the same task, which skips that NIC (nic->op_task): it is
 * already leaving CXL.  An op must not cause a bus event on another NIC's
 * chain.
 *
 * The family is parallel_ops: generic netlink calls our ops without
 * genl_mutex, and the locks above serialize them, so an op that waits for a
 * grace period or a CXL rwsem stalls no other family.
 *
 * Never take a device_lock() or devl_lock() with one of our locks held.
 * devlink_health_report() takes devl_lock() when it auto-recovers, and the
 * loss is seen from a bus notifier under nic->lock: so the loss path only
 * queues an event, and health.c's work item, holding no lock, reports it.
 * cxlnic_health_destroy() waits for that work, so it is called with none of
 * these locks held (the NIC driver's remove holds only its device lock,
 * which no path under devl_lock or nic->lock ever takes).
 */
#ifndef _CXLNIC_INTERNAL_H
#define _CXLNIC_INTERNAL_H

#include <linux/cxlnic.h>
#include <linux/if.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/range.h>
#include <net/netlink.h>
#include "cxlnic_compat.h"

#define CXLNIC_MAX_PIECES	16

/* The CXL root's ACPI id: its platform device is named "ACPI0017:NN". */
#define CXLNIC_ROOT_HID		"ACPI0017"

struct cxlnic_piece {
	enum cxlnic_piece_kind kind;
	char name[CXLNIC_NAME_MAX];
	struct device *dev;		/* reference held; NULL once removed */
	u64 serial;			/* memdevs: read at attach; 0 unknown */
};

struct cxlnic_region_info {
	char name[CXLNIC_NAME_MAX];
	u64 base;
	u64 size;
	enum cxlnic_decoder_mode decoder_mode;
};

/* The CXL side of an attach: the region and everything it stands on. */
struct cxlnic_topo {
	struct cxlnic_region_info region;
	struct cxlnic_piece pieces[CXLNIC_MAX_PIECES];
	unsigned int n_pieces;
};

/* What userspace named in region-attach. */
struct cxlnic_attach_req {
	char region[CXLNIC_NAME_MAX];
	char memdev[CXLNIC_NAME_MAX];	/* "" when not given */
	char endpoint[CXLNIC_NAME_MAX];
	char decoder[CXLNIC_NAME_MAX];
	enum cxlnic_piece_kind bad;	/* set by a failed resolve, or 0 */
};

struct cxlnic_dev {
	/* Set before the NIC is in the registry, then fixed. */
	u32 handle;
	struct device *dev;		/* the NIC's own device, ref held */
	enum cxlnic_kind kind;
	const struct cxlnic_ops *ops;	/* NULL for a stock NIC */
	void *priv;
	struct kref ref;		/* the registry's, and each user's */

	/* Under cxlnic_lock. */
	struct resource *claim;		/* busy iomem claim while attached */
	char claim_name[CXLNIC_NAME_MAX + 8];

	/* The rest under lock. */
	struct mutex lock;
	struct task_struct *op_task;	/* in one of the driver's ops */
	bool dead;			/* out of the registry: leave it be */
	/* Stock: its driver, the last one while unbound; its PCI DSN. */
	char driver[CXLNIC_NAME_MAX];
	u64 serial;
	bool cxl_at_probe;		/* stock: its driver made its memdev */
	/* Stock: lost on CXL, so the CXL core releases its driver next. */
	bool release_due;
	/* Stock: its netdev was up (IFF_UP) when its last driver left. */
	bool link_was_up;
	/* Stock: what its driver gave devm_cxlnic_add_cxl(), or NULL. */
	void (*quiesce)(void *data);
	void *quiesce_data;
	struct range quiesce_range;

	enum cxlnic_ctpio_mode mode;
	/* The driver holds a CXL window (stock: is bound on topo's region). */
	bool attached;
	bool lost;			/* a piece went away since attach */
	u32 generation;
	enum cxlnic_reason reason;	/* of the last mode change */
	enum cxlnic_reason loss_reason;
	struct cxlnic_piece loss_piece;	/* .dev is always NULL */
	u64 fallbacks;
	u64 reattaches;

	/*
	 * Valid while topo.n_pieces != 0, kept after a loss for display.
	 * Written under cxlnic_lock too (cxlnic_take_topo()), read under
	 * either lock.
	 */
	struct cxlnic_topo topo;
	/* The memdev serial the last attach was checked against, or 0. */
	u64 paired_serial;

	struct cxlnic_health *health;	/* devlink "cxl" reporter, or NULL */
};

extern struct mutex cxlnic_lock;

/* core.c: the registry; each takes cxlnic_lock, none may hold it */
struct cxlnic_dev *cxlnic_alloc(struct device *dev, enum cxlnic_kind kind);
struct cxlnic_dev *cxlnic_get(struct cxlnic_dev *nic);
void cxlnic_put(struct cxlnic_dev *nic);
struct cxlnic_dev *cxlnic_get_by_handle(u32 handle);
struct cxlnic_dev *cxlnic_get_next(unsigned long *index);
struct cxlnic_dev *cxlnic_get_by_dev(struct device *dev);
int cxlnic_insert(struct cxlnic_dev *nic);
u32 cxlnic_registry_generation(void);
bool cxlnic_device_bound(struct device *dev);
bool cxlnic_lock_live(struct cxlnic_dev *nic);

/* core.c, with cxlnic_lock held */
bool cxlnic_device_going(struct device *dev);

/* core.c, with nic->lock held */
void cxlnic_erase(struct cxlnic_dev *nic);
void cxlnic_drop_topo(struct cxlnic_dev *nic);
int cxlnic_take_topo(struct cxlnic_dev *nic, struct cxlnic_topo *topo,
		     struct netlink_ext_ack *extack);
void cxlnic_changed(struct cxlnic_dev *nic);
void cxlnic_record_loss(struct cxlnic_dev *nic, enum cxlnic_reason reason,
			const struct cxlnic_piece *piece);
int cxlnic_check_cooperating(const struct cxlnic_dev *nic,
			     struct netlink_ext_ack *extack);
int cxlnic_set_mode(struct cxlnic_dev *nic, enum cxlnic_ctpio_mode mode,
		    struct netlink_ext_ack *extack);
int cxlnic_attach(struct cxlnic_dev *nic, struct cxlnic_topo *topo,
		  u64 paired_serial, struct netlink_ext_ack *extack);
void cxlnic_detach(struct cxlnic_dev *nic, enum cxlnic_reason reason,
		   const struct cxlnic_piece *lost);
void cxlnic_region_detach(struct cxlnic_dev *nic);

/* health.c, with nic->lock held */
void cxlnic_health_lost(struct cxlnic_dev *nic,
			const struct cxlnic_piece *piece,
			enum cxlnic_reason reason);
void cxlnic_health_reattached(struct cxlnic_dev *nic);

/* stock.c */
int cxlnic_stock_init(void);
void cxlnic_stock_exit(void);
/* A region's driver was bound: a stock NIC may stand on it now. */
void cxlnic_stock_region_bound(void);

/* topology.c, with none of our locks held but where said */
int cxlnic_topo_resolve(struct cxlnic_attach_req *req,
			struct cxlnic_topo *topo,
			struct netlink_ext_ack *extack);
void cxlnic_topo_put(struct cxlnic_topo *topo);
void cxlnic_topo_copy_names(struct cxlnic_topo *dst,
			    const struct cxlnic_topo *src);
enum cxlnic_piece_state cxlnic_piece_state(const struct cxlnic_piece *piece);
bool cxlnic_piece_needs_driver(const struct cxlnic_piece *piece);
bool cxlnic_is_cxl_root_device(struct device *dev);
int cxlnic_topo_find_again(const struct cxlnic_topo *last,
			   struct cxlnic_topo *topo);
bool cxlnic_memdev_serial_bound(u64 serial);
int cxlnic_topo_of_memdev(struct device *memdev, struct cxlnic_topo *topo);

/* claim.c: cxlnic_claim() with cxlnic_lock held, cxlnic_unclaim() takes it */
u64 cxlnic_topo_serial_of(const struct cxlnic_topo *topo, const char *name);
int cxlnic_claim(struct cxlnic_dev *nic, const struct cxlnic_topo *topo,
		 u64 paired_serial, struct netlink_ext_ack *extack);
void cxlnic_unclaim(struct cxlnic_dev *nic);

/* netlink.c */
/* The first network interface of a NIC's device, as of the call. */
struct cxlnic_netdev {
	int ifindex;
	char ifname[IFNAMSIZ];
	bool up;			/* administratively: IFF_UP */
};

bool cxlnic_netdev_of(struct device *dev, struct cxlnic_netdev *found);
int cxlnic_netlink_init(void);
void cxlnic_netlink_exit(void);
void cxlnic_notify_dev(struct cxlnic_dev *nic, u8 cmd);
void cxlnic_notify_change(struct cxlnic_dev *nic,
			  enum cxlnic_ctpio_mode prev_mode);
void cxlnic_notify_piece(struct cxlnic_dev *nic,
			 const struct cxlnic_piece *piece,
			 enum cxlnic_piece_event event);

#endif /* _CXLNIC_INTERNAL_H */
