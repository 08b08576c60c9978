// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnic core: the registry of CXL-capable NICs, the in-kernel API their
 * drivers call, and the CXL bus notifier that quiesces CTPIO before any
 * device under a NIC's CXL window goes away.
 *
 * Safety is decided here and nowhere else: when a piece of the chain is
 * unbound or deleted, the NIC's ->detach_cxl() runs synchronously from the
 * bus notifier, which the driver core calls before it unbinds or deletes that
 * device.  Policy (fall back, unbind the NIC, re-attach) is userspace's.
 */
#include <linux/device.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include "cxl_core.h"
#include "cxlnic_internal.h"

/* Guards the registry; see cxlnic_internal.h for what and for order. */
DEFINE_MUTEX(cxlnic_lock);

/* Handles start at 1 and are not reused soon, so a stale one fails. */
static DEFINE_XARRAY_ALLOC1(cxlnic_devs);
static u32 cxlnic_next_handle;
/* Grows with every change to any NIC; lets a dump detect it was torn. */
static atomic_t cxlnic_gen = ATOMIC_INIT(0);

/*
 * Devices in the middle of a change the driver core announces in two
 * steps: between UNBIND_DRIVER and UNBOUND_DRIVER, or DEL_DEVICE and
 * REMOVED_DEVICE ("going": still looks alive, must not be taken as a
 * piece), and between BIND_DRIVER and BOUND_DRIVER or DRIVER_NOT_BOUND
 * ("binding": dev->driver is already set while the probe runs, and the
 * probe may still fail).
 */
struct cxlnic_transit {
	struct list_head node;
	struct device *dev;
	unsigned int going;
	bool binding;
};

static LIST_HEAD(cxlnic_transit_list);

/*
 * Transitions we could not record for want of memory.  While there are
 * any, every device counts as going and as binding: attach fails closed
 * (EAGAIN) rather than take a dying piece.  An end of a transition that
 * has no entry settles one of them.
 */
static unsigned int cxlnic_untracked;

static struct cxlnic_transit *cxlnic_transit_find(struct device *dev)
{
	struct cxlnic_transit *t;

	list_for_each_entry(t, &cxlnic_transit_list, node)
		if (t->dev == dev)
			return t;
	return NULL;
}

bool cxlnic_device_going(struct device *dev)
{
	struct cxlnic_transit *t;

	lockdep_assert_held(&cxlnic_lock);
	t = cxlnic_transit_find(dev);
	return cxlnic_untracked || (t && t->going);
}

static bool cxlnic_device_binding(struct device *dev)
{
	struct cxlnic_transit *t;

	lockdep_assert_held(&cxlnic_lock);
	t = cxlnic_transit_find(dev);
	return cxlnic_untracked || (t && t->binding);
}

/* Bound means probed: BOUND_DRIVER came, not only BIND_DRIVER. */
static bool __cxlnic_device_bound(struct device *dev)
{
	return READ_ONCE(dev->driver) && !cxlnic_device_binding(dev);
}

bool cxlnic_device_bound(struct device *dev)
{
	bool bound;

	mutex_lock(&cxlnic_lock);
	bound = __cxlnic_device_bound(dev);
	mutex_unlock(&cxlnic_lock);
	return bound;
}

static struct cxlnic_transit *cxlnic_transit_get(struct device *dev)
{
	struct cxlnic_transit *t = cxlnic_transit_find(dev);

	if (t)
		return t;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t) {
		cxlnic_untracked++;
		return NULL;
	}
	t->dev = get_device(dev);
	list_add(&t->node, &cxlnic_transit_list);
	return t;
}

static void cxlnic_transit_free(struct cxlnic_transit *t)
{
	list_del(&t->node);
	put_device(t->dev);
	kfree(t);
}

static void cxlnic_going_start(struct device *dev)
{
	struct cxlnic_transit *t = cxlnic_transit_get(dev);

	if (t)
		t->going++;
}

static void cxlnic_binding_start(struct device *dev)
{
	struct cxlnic_transit *t = cxlnic_transit_get(dev);

	if (t)
		t->binding = true;
}

/* The end of a transition: of its going (@going) or of its binding. */
static void cxlnic_transit_end(struct device *dev, bool going)
{
	struct cxlnic_transit *t = cxlnic_transit_find(dev);

	if (!t || (going ? !t->going : !t->binding)) {
		/* Begun before we were loaded, or never recorded. */
		if (cxlnic_untracked)
			cxlnic_untracked--;
		return;
	}
	if (going)
		t->going--;
	else
		t->binding = false;
	if (!t->going && !t->binding)
		cxlnic_transit_free(t);
}

/*
 * A stock NIC's lock may be taken inside a cooperating NIC's, when the
 * latter's op binds a region (cxlnic_stock_region_bound()), never the other
 * way: a stock NIC has no ops and resolves its chain outside its lock.
 */
static struct lock_class_key cxlnic_stock_lock_key;

/* A NIC of @kind on @dev, not in the registry yet, its one reference. */
struct cxlnic_dev *cxlnic_alloc(struct device *dev, enum cxlnic_kind kind)
{
	struct cxlnic_dev *nic = kzalloc(sizeof(*nic), GFP_KERNEL);

	if (!nic)
		return NULL;
	nic->dev = get_device(dev);
	nic->kind = kind;
	kref_init(&nic->ref);
	mutex_init(&nic->lock);
	if (kind == CXLNIC_KIND_STOCK)
		lockdep_set_class(&nic->lock, &cxlnic_stock_lock_key);
	return nic;
}

static void cxlnic_release(struct kref *ref)
{
	struct cxlnic_dev *nic = container_of(ref, struct cxlnic_dev, ref);

	mutex_destroy(&nic->lock);
	put_device(nic->dev);
	kfree(nic);
}

void cxlnic_put(struct cxlnic_dev *nic)
{
	kref_put(&nic->ref, cxlnic_release);
}

/*
 * Another reference on @nic (or NULL), for a caller that holds one, or
 * cxlnic_lock with @nic in the registry.
 */
struct cxlnic_dev *cxlnic_get(struct cxlnic_dev *nic)
{
	if (nic)
		kref_get(&nic->ref);
	return nic;
}

/* The NIC with @handle, with a reference (cxlnic_put()), or NULL. */
struct cxlnic_dev *cxlnic_get_by_handle(u32 handle)
{
	struct cxlnic_dev *nic;

	mutex_lock(&cxlnic_lock);
	nic = cxlnic_get(xa_load(&cxlnic_devs, handle));
	mutex_unlock(&cxlnic_lock);
	return nic;
}

/*
 * The NIC at @index or the first after it, with a reference, @index moved
 * to it; NULL after the last.  A walk goes on from *index + 1.
 */
struct cxlnic_dev *cxlnic_get_next(unsigned long *index)
{
	struct cxlnic_dev *nic;

	mutex_lock(&cxlnic_lock);
	nic = cxlnic_get(xa_find(&cxlnic_devs, index, ULONG_MAX, XA_PRESENT));
	mutex_unlock(&cxlnic_lock);
	return nic;
}

/* The NIC whose own device is @dev, with a reference, or NULL. */
struct cxlnic_dev *cxlnic_get_by_dev(struct device *dev)
{
	struct cxlnic_dev *nic, *found = NULL;
	unsigned long index;

	mutex_lock(&cxlnic_lock);
	xa_for_each(&cxlnic_devs, index, nic) {
		if (nic->dev == dev) {
			found = cxlnic_get(nic);
			break;
		}
	}
	mutex_unlock(&cxlnic_lock);
	return found;
}

/*
 * Take @nic's lock; false, with it not held, if the NIC has left the
 * registry (its driver unregistered, its device removed) since its
 * reference was taken.
 */
bool cxlnic_lock_live(struct cxlnic_dev *nic)
{
	mutex_lock(&nic->lock);
	if (!nic->dead)
		return true;
	mutex_unlock(&nic->lock);
	return false;
}

/* Give @nic a handle and tell userspace it is there; the registry's ref. */
int cxlnic_insert(struct cxlnic_dev *nic)
{
	int rc;

	mutex_lock(&cxlnic_lock);
	rc = xa_alloc_cyclic(&cxlnic_devs, &nic->handle, nic, xa_limit_31b,
			     &cxlnic_next_handle, GFP_KERNEL);
	mutex_unlock(&cxlnic_lock);
	if (rc < 0)
		return rc;
	mutex_lock(&nic->lock);
	cxlnic_notify_dev(nic, CXLNIC_CMD_DEV_ADD_NTF);
	mutex_unlock(&nic->lock);
	return 0;
}

/*
 * Forget @nic's chain and handle and tell userspace.  It is dead from here:
 * a walker that still holds a reference finds it so under its lock.  The
 * caller drops the registry's reference.
 */
void cxlnic_erase(struct cxlnic_dev *nic)
{
	lockdep_assert_held(&nic->lock);
	nic->dead = true;
	mutex_lock(&cxlnic_lock);
	cxlnic_topo_put(&nic->topo);
	xa_erase(&cxlnic_devs, nic->handle);
	mutex_unlock(&cxlnic_lock);
	cxlnic_notify_dev(nic, CXLNIC_CMD_DEV_DEL_NTF);
}

/* A piece of a chain resolved earlier, as it was found: there, bound. */
static bool cxlnic_piece_still_up(const struct cxlnic_piece *piece)
{
	struct device *dev = piece->dev;

	if (!dev || cxlnic_device_going(dev) || !device_is_registered(dev))
		return false;
	return !cxlnic_piece_needs_driver(piece) || __cxlnic_device_bound(dev);
}

/**
 * cxlnic_topo_check_alive - is a chain resolved without our locks still up
 * @topo: from cxlnic_topo_resolve() or cxlnic_topo_of_memdev()
 * @extack: why not
 *
 * With cxlnic_lock held, which every bus notification we get takes first
 * to record the device's transit.
 *
 * Return: 0, or -EAGAIN if a piece is going or went since it was resolved.
 */
static int cxlnic_topo_check_alive(const struct cxlnic_topo *topo,
				   struct netlink_ext_ack *extack)
{
	unsigned int i;

	lockdep_assert_held(&cxlnic_lock);
	for (i = 0; i < topo->n_pieces; i++) {
		if (!cxlnic_piece_still_up(&topo->pieces[i])) {
			NL_SET_ERR_MSG(extack,
				       "a CXL device the region needs is going away");
			return -EAGAIN;
		}
	}
	return 0;
}

/*
 * A NIC's recorded chain, nic->topo, is written with both its lock and
 * cxlnic_lock held, so that the notifier can pick the NICs a device
 * concerns under cxlnic_lock alone.  It is read under either.
 */

/* Forget @nic's chain; with nic->lock held. */
void cxlnic_drop_topo(struct cxlnic_dev *nic)
{
	lockdep_assert_held(&nic->lock);
	mutex_lock(&cxlnic_lock);
	cxlnic_topo_put(&nic->topo);
	mutex_unlock(&cxlnic_lock);
}

/**
 * cxlnic_take_topo - record a chain resolved without our locks, if still up
 * @nic: the NIC, with nic->lock held
 * @topo: from cxlnic_topo_resolve() or cxlnic_topo_of_memdev(); consumed on
 *	success
 * @extack: why not
 *
 * The check and the record are one cxlnic_lock section: a piece whose
 * teardown began before it fails the check, one whose teardown begins
 * after it finds @nic by its chain.
 *
 * Return: 0, or -EAGAIN if a piece is going or went since it was resolved.
 */
int cxlnic_take_topo(struct cxlnic_dev *nic, struct cxlnic_topo *topo,
		     struct netlink_ext_ack *extack)
{
	int rc;

	lockdep_assert_held(&nic->lock);
	mutex_lock(&cxlnic_lock);
	rc = cxlnic_topo_check_alive(topo, extack);
	if (!rc) {
		cxlnic_topo_put(&nic->topo);
		nic->topo = *topo;
		memset(topo, 0, sizeof(*topo));
	}
	mutex_unlock(&cxlnic_lock);
	return rc;
}

/* A piece that was deleted: its reference dropped, its name kept. */
static void cxlnic_forget_piece(struct cxlnic_piece *piece)
{
	struct device *dev;

	mutex_lock(&cxlnic_lock);
	dev = piece->dev;
	piece->dev = NULL;
	mutex_unlock(&cxlnic_lock);
	put_device(dev);
}

/* Whether @dev is in @nic's recorded chain; with either lock held. */
static bool cxlnic_has_piece(const struct cxlnic_dev *nic,
			     const struct device *dev)
{
	unsigned int i;

	for (i = 0; i < nic->topo.n_pieces; i++)
		if (nic->topo.pieces[i].dev == dev)
			return true;
	return false;
}

/*
 * The first NIC at or after @index whose chain has @dev, with a reference,
 * @index moved to it; NULL when there is none.
 */
static struct cxlnic_dev *cxlnic_get_next_on(struct device *dev,
					     unsigned long *index)
{
	struct cxlnic_dev *nic;

	mutex_lock(&cxlnic_lock);
	for (nic = xa_find(&cxlnic_devs, index, ULONG_MAX, XA_PRESENT); nic;
	     nic = xa_find_after(&cxlnic_devs, index, ULONG_MAX, XA_PRESENT))
		if (cxlnic_has_piece(nic, dev))
			break;
	cxlnic_get(nic);
	mutex_unlock(&cxlnic_lock);
	return nic;
}

/* A stock NIC's CTPIO is its driver's alone: refuse to move it. */
int cxlnic_check_cooperating(const struct cxlnic_dev *nic,
			     struct netlink_ext_ack *extack)
{
	if (nic->kind == CXLNIC_KIND_COOPERATING)
		return 0;
	NL_SET_ERR_MSG(extack,
		       "a stock NIC's driver sets its CTPIO window at probe; bind the driver again instead");
	return -EOPNOTSUPP;
}

u32 cxlnic_registry_generation(void)
{
	return atomic_read(&cxlnic_gen);
}

/*
 * Called by each cxlnic_notify_*() before its message is built, and only
 * there: one step of the generation per message, so that a reader who
 * misses one sees the gap, and no step without a message.
 */
void cxlnic_changed(struct cxlnic_dev *nic)
{
	lockdep_assert_held(&nic->lock);
	nic->generation++;
	atomic_inc(&cxlnic_gen);
}

static bool cxlnic_reason_is_loss(enum cxlnic_reason reason)
{
	return reason == CXLNIC_REASON_PIECE_UNBOUND ||
	       reason == CXLNIC_REASON_PIECE_REMOVED ||
	       reason == CXLNIC_REASON_DRIVER;
}

/* Remember what was lost and why, for display and for a later return. */
void cxlnic_record_loss(struct cxlnic_dev *nic, enum cxlnic_reason reason,
			const struct cxlnic_piece *piece)
{
	nic->lost = true;
	nic->loss_reason = reason;
	memset(&nic->loss_piece, 0, sizeof(nic->loss_piece));
	if (piece) {
		nic->loss_piece.kind = piece->kind;
		strscpy(nic->loss_piece.name, piece->name,
			sizeof(nic->loss_piece.name));
	}
}

/*
 * The driver's ops, with nic->lock held and no other lock of ours.  While
 * one runs, a bus event it causes on its own NIC's chain re-enters our
 * notifier in this task, which then leaves this NIC alone.
 */
static void cxlnic_op_begin(struct cxlnic_dev *nic)
{
	lockdep_assert_held(&nic->lock);
	lockdep_assert_not_held(&cxlnic_lock);
	WRITE_ONCE(nic->op_task, current);
}

static void cxlnic_op_end(struct cxlnic_dev *nic)
{
	WRITE_ONCE(nic->op_task, NULL);
}

static int cxlnic_op_attach(struct cxlnic_dev *nic,
			    const struct cxlnic_region_info *region)
{
	int rc;

	cxlnic_op_begin(nic);
	rc = nic->ops->attach_cxl(nic, region->base, region->size);
	cxlnic_op_end(nic);
	return rc;
}

static void cxlnic_op_detach(struct cxlnic_dev *nic)
{
	cxlnic_op_begin(nic);
	nic->ops->detach_cxl(nic);
	cxlnic_op_end(nic);
}

static int cxlnic_op_set_mode(struct cxlnic_dev *nic,
			      enum cxlnic_ctpio_mode mode)
{
	int rc;

	cxlnic_op_begin(nic);
	rc = nic->ops->set_mode(nic, mode);
	cxlnic_op_end(nic);
	return rc;
}

/* A stock NIC's driver stops writing into the range it got at probe. */
static void cxlnic_op_quiesce(struct cxlnic_dev *nic)
{
	cxlnic_op_begin(nic);
	nic->quiesce(nic->quiesce_data);
	cxlnic_op_end(nic);
}

/*
 * The driver off the CXL window: a cooperating one by its detach op, our
 * claim then given back; a stock one by the quiesce op it handed us.
 */
static void cxlnic_off_window(struct cxlnic_dev *nic)
{
	if (nic->ops) {
		cxlnic_op_detach(nic);
		cxlnic_unclaim(nic);
	} else {
		cxlnic_op_quiesce(nic);
	}
	nic->attached = false;
}

/* Whether @nic's driver can be moved off CXL before a piece goes. */
static bool cxlnic_can_quiesce(const struct cxlnic_dev *nic)
{
	return nic->ops || nic->quiesce;
}

/**
 * cxlnic_detach - move a NIC's CTPIO off CXL and say why
 * @nic: the NIC, with nic->lock held
 * @reason: why
 * @piece: the piece that went away, or NULL
 *
 * The pieces stay recorded (with their references) so that userspace can see
 * what is missing and hear when a piece comes back; region-detach drops them.
 * Userspace hears a dev-change, then a piece notification for @piece.
 */
void cxlnic_detach(struct cxlnic_dev *nic, enum cxlnic_reason reason,
		   const struct cxlnic_piece *piece)
{
	enum cxlnic_ctpio_mode prev = nic->mode;
	bool loss = cxlnic_reason_is_loss(reason);
	bool fell_back = false;

	lockdep_assert_held(&nic->lock);
	if (nic->attached) {
		cxlnic_off_window(nic);
		if (loss) {
			nic->fallbacks++;
			fell_back = true;
		}
	}
	nic->mode = CXLNIC_CTPIO_MODE_PCI;
	nic->reason = reason;
	if (loss)
		cxlnic_record_loss(nic, reason, piece);
	/* After the state above is final: the dump shows it as of the loss. */
	if (fell_back)
		cxlnic_health_lost(nic, piece, reason);
	cxlnic_notify_change(nic, prev);
	if (piece)
		cxlnic_notify_piece(nic, piece, CXLNIC_PIECE_EVENT_LOST);
}

/**
 * cxlnic_region_detach - userspace's region-detach: off CXL, chain forgotten
 * @nic: a cooperating NIC, with nic->lock held
 *
 * A NIC with neither a window nor a recorded chain has nothing to detach:
 * nothing changes and nothing is said.
 */
void cxlnic_region_detach(struct cxlnic_dev *nic)
{
	enum cxlnic_ctpio_mode prev = nic->mode;

	lockdep_assert_held(&nic->lock);
	if (!nic->attached && !nic->topo.n_pieces)
		return;
	if (nic->attached)
		cxlnic_off_window(nic);
	cxlnic_drop_topo(nic);
	nic->mode = CXLNIC_CTPIO_MODE_PCI;
	nic->reason = CXLNIC_REASON_DETACH;
	cxlnic_notify_change(nic, prev);
}

/*
 * Another NIC whose claim covers (part of) @region's range, or NULL; with
 * cxlnic_lock held, which guards every claim.
 */
static struct cxlnic_dev *
cxlnic_region_holder(const struct cxlnic_dev *nic,
		     const struct cxlnic_region_info *region)
{
	struct cxlnic_dev *other;
	unsigned long index;

	lockdep_assert_held(&cxlnic_lock);
	xa_for_each(&cxlnic_devs, index, other) {
		if (other != nic && other->claim &&
		    other->claim->start < region->base + region->size &&
		    region->base <= other->claim->end)
			return other;
	}
	return NULL;
}

/*
 * Check that @topo is still up, that no other NIC is on it and that its
 * range is @nic's to write, and claim that range: one cxlnic_lock section,
 * so that two attaches of one region cannot both pass.
 */
static int cxlnic_check_and_claim(struct cxlnic_dev *nic,
				  const struct cxlnic_topo *topo,
				  u64 paired_serial,
				  struct netlink_ext_ack *extack)
{
	int rc;

	mutex_lock(&cxlnic_lock);
	rc = cxlnic_topo_check_alive(topo, extack);
	if (!rc && cxlnic_region_holder(nic, &topo->region)) {
		/* Two NICs writing into one range would corrupt each other's. */
		NL_SET_ERR_MSG(extack,
			       "another NIC's CTPIO is on that region; detach it first");
		rc = -EBUSY;
	}
	if (!rc)
		rc = cxlnic_claim(nic, topo, paired_serial, extack);
	mutex_unlock(&cxlnic_lock);
	return rc;
}

/**
 * cxlnic_attach - put a NIC's CTPIO on a resolved CXL region
 * @nic: the NIC, with nic->lock held
 * @topo: from cxlnic_topo_resolve(), without our locks; consumed on success
 * @paired_serial: the serial of the memdev userspace named, or 0 (claim.c)
 * @extack: why it failed
 */
int cxlnic_attach(struct cxlnic_dev *nic, struct cxlnic_topo *topo,
		  u64 paired_serial, struct netlink_ext_ack *extack)
{
	enum cxlnic_ctpio_mode prev = nic->mode;
	int rc;

	lockdep_assert_held(&nic->lock);
	if (nic->attached) {
		if (strcmp(nic->topo.region.name, topo->region.name) ||
		    nic->topo.region.base != topo->region.base) {
			NL_SET_ERR_MSG(extack,
				       "NIC is attached to another region; detach it first");
			return -EBUSY;
		}
		/* Same region again: make sure CTPIO is on it, nothing else. */
		cxlnic_topo_put(topo);
		return cxlnic_set_mode(nic, CXLNIC_CTPIO_MODE_CXL, extack);
	}
	rc = cxlnic_check_and_claim(nic, topo, paired_serial, extack);
	if (rc)
		return rc;
	/*
	 * The driver's own failure is EIO to userspace, whatever its error
	 * (logged): the one a rebind of the driver may cure, where the
	 * refusals above are the chain's or the caller's.
	 */
	rc = cxlnic_op_attach(nic, &topo->region);
	if (rc) {
		dev_warn(nic->dev, "driver could not map %s: %d\n",
			 topo->region.name, rc);
		NL_SET_ERR_MSG(extack,
			       "NIC driver could not map the CXL window (its error is in the kernel log)");
		cxlnic_unclaim(nic);
		return -EIO;
	}
	/*
	 * A piece whose teardown began while the driver mapped is past the
	 * notifier's look for the NICs it concerns, which did not find this
	 * one by a chain not yet recorded: undo.
	 */
	rc = cxlnic_take_topo(nic, topo, extack);
	if (rc) {
		cxlnic_op_detach(nic);
		cxlnic_unclaim(nic);
		return rc;
	}
	nic->paired_serial = paired_serial;
	nic->attached = true;
	nic->mode = CXLNIC_CTPIO_MODE_CXL;
	nic->reason = CXLNIC_REASON_ATTACH;
	if (nic->lost) {
		nic->reattaches++;
		nic->lost = false;
		cxlnic_health_reattached(nic);
	}
	cxlnic_notify_change(nic, prev);
	return 0;
}

int cxlnic_set_mode(struct cxlnic_dev *nic, enum cxlnic_ctpio_mode mode,
		    struct netlink_ext_ack *extack)
{
	enum cxlnic_ctpio_mode prev = nic->mode;
	int rc;

	lockdep_assert_held(&nic->lock);
	if (mode == prev)
		return 0;
	if (mode == CXLNIC_CTPIO_MODE_CXL && !nic->attached) {
		NL_SET_ERR_MSG(extack,
			       "no CXL region attached; send region-attach first");
		return -ENODEV;
	}
	rc = cxlnic_op_set_mode(nic, mode);
	if (rc) {
		NL_SET_ERR_MSG(extack, "NIC driver refused the CTPIO mode");
		return rc;
	}
	nic->mode = mode;
	nic->reason = CXLNIC_REASON_USER;
	cxlnic_notify_change(nic, prev);
	return 0;
}

/*
 * A piece of @nic's chain is being unbound or deleted: quiesce first.  A
 * stock NIC whose driver gave no quiesce op keeps writing into the range
 * until the CXL core releases it (upstream does, from a work item, after
 * this); the loss is recorded and said, before that release.  With one, it
 * falls back like a cooperating NIC, and the release comes all the same.
 */
static void cxlnic_piece_lost(struct cxlnic_dev *nic,
			      struct cxlnic_piece *piece,
			      enum cxlnic_reason reason)
{
	if (nic->kind == CXLNIC_KIND_STOCK && nic->attached)
		nic->release_due = true;
	if (nic->attached && cxlnic_can_quiesce(nic)) {
		cxlnic_detach(nic, reason, piece);
	} else {
		/* The first piece to go is the loss; the rest follow it. */
		if (nic->attached && !nic->lost)
			cxlnic_record_loss(nic, reason, piece);
		cxlnic_notify_piece(nic, piece, CXLNIC_PIECE_EVENT_LOST);
	}
	if (reason == CXLNIC_REASON_PIECE_REMOVED)
		cxlnic_forget_piece(piece);
}

static void cxlnic_piece_returned(struct cxlnic_dev *nic,
				  struct cxlnic_piece *piece)
{
	if (!nic->lost)
		return;
	cxlnic_notify_piece(nic, piece, CXLNIC_PIECE_EVENT_RETURNED);
}

/* @dev, a piece of @nic's chain or not, is changing; with nic->lock. */
static void cxlnic_nic_event(struct cxlnic_dev *nic, struct device *dev,
			     unsigned long action)
{
	struct cxlnic_piece *piece;
	unsigned int i;

	for (i = 0; i < nic->topo.n_pieces; i++) {
		piece = &nic->topo.pieces[i];
		if (piece->dev != dev)
			continue;
		if (action == BUS_NOTIFY_DEL_DEVICE)
			cxlnic_piece_lost(nic, piece,
					  CXLNIC_REASON_PIECE_REMOVED);
		else if (action == BUS_NOTIFY_BOUND_DRIVER)
			cxlnic_piece_returned(nic, piece);
		else	/* UNBIND_DRIVER, DRIVER_NOT_BOUND */
			cxlnic_piece_lost(nic, piece,
					  CXLNIC_REASON_PIECE_UNBOUND);
	}
}

/*
 * Each NIC whose chain has @dev, in turn, under its own lock and a
 * reference, none of ours held above it: an event on a device that is no
 * NIC's piece waits for no NIC.  A chain recorded after the transit was
 * recorded failed its check for it (cxlnic_take_topo()).  A NIC whose op,
 * in this very task, caused the event is left alone: its lock is ours
 * already, and it is not yet on CXL or already leaving it.
 */
static void cxlnic_pieces_event(struct device *dev, unsigned long action)
{
	unsigned long index = 0;
	struct cxlnic_dev *nic;

	for (; (nic = cxlnic_get_next_on(dev, &index)); index++) {
		if (READ_ONCE(nic->op_task) != current && cxlnic_lock_live(nic)) {
			cxlnic_nic_event(nic, dev, action);
			mutex_unlock(&nic->lock);
		}
		cxlnic_put(nic);
	}
}

/*
 * Of the platform bus, only the CXL root (ACPI0017, bound to cxl_acpi) can
 * be a piece.  Decided by name, without cxlnic_lock, so that the binding of
 * every other platform device on the system never waits for a NIC; the name
 * stays the same when the driver goes, unlike dev->driver.
 */
static bool cxlnic_may_be_piece(struct device *dev)
{
	return dev->bus != &platform_bus_type ||
	       !strncmp(dev_name(dev), CXLNIC_ROOT_HID, strlen(CXLNIC_ROOT_HID));
}

/*
 * Called by the driver core, for both the CXL bus and the platform bus (where
 * the CXL root, bound to cxl_acpi, lives).  DEL_DEVICE and UNBIND_DRIVER come
 * before the device or its driver goes away, often with the device lock held:
 * we may sleep here, but never take a device lock nor unbind anything.
 *
 * Context: process, the device's lock usually held by the driver core.
 * Takes cxlnic_lock to record the transit, then each NIC's lock, one at a
 * time (cxlnic_pieces_event()).
 */
static int cxlnic_bus_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct device *dev = data;

	switch (action) {
	case BUS_NOTIFY_DEL_DEVICE:
	case BUS_NOTIFY_UNBIND_DRIVER:
	case BUS_NOTIFY_BIND_DRIVER:
	case BUS_NOTIFY_BOUND_DRIVER:
	case BUS_NOTIFY_DRIVER_NOT_BOUND:
	case BUS_NOTIFY_REMOVED_DEVICE:
	case BUS_NOTIFY_UNBOUND_DRIVER:
		break;
	default:
		return NOTIFY_DONE;
	}
	if (!cxlnic_may_be_piece(dev))
		return NOTIFY_DONE;

	mutex_lock(&cxlnic_lock);
	switch (action) {
	case BUS_NOTIFY_DEL_DEVICE:
	case BUS_NOTIFY_UNBIND_DRIVER:
		cxlnic_going_start(dev);
		break;
	case BUS_NOTIFY_REMOVED_DEVICE:
	case BUS_NOTIFY_UNBOUND_DRIVER:
		cxlnic_transit_end(dev, true);
		break;
	case BUS_NOTIFY_BIND_DRIVER:
		/* Not bound yet: attach refuses it until BOUND_DRIVER. */
		cxlnic_binding_start(dev);
		break;
	case BUS_NOTIFY_DRIVER_NOT_BOUND:
	case BUS_NOTIFY_BOUND_DRIVER:
		cxlnic_transit_end(dev, false);
		break;
	}
	mutex_unlock(&cxlnic_lock);

	switch (action) {
	case BUS_NOTIFY_DEL_DEVICE:
	case BUS_NOTIFY_UNBIND_DRIVER:
	/* A failed probe: as good as an unbind for whoever took it. */
	case BUS_NOTIFY_DRIVER_NOT_BOUND:
		cxlnic_pieces_event(dev, action);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
		cxlnic_pieces_event(dev, action);
		if (dev->bus == &cxl_bus_type && is_cxl_region(dev))
			cxlnic_stock_region_bound();
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block cxlnic_cxl_nb = {
	.notifier_call = cxlnic_bus_notify,
};

static struct notifier_block cxlnic_platform_nb = {
	.notifier_call = cxlnic_bus_notify,
};

/**
 * cxlnic_register - make a NIC known to cxlnic
 * @dev: the NIC's device (its PCI function)
 * @ops: the driver's CTPIO operations
 * @priv: returned by cxlnic_priv()
 *
 * The NIC starts in %CXLNIC_CTPIO_MODE_PCI.  Userspace hears of it on the
 * monitor group and attaches it to a region with region-attach.
 *
 * Return: the NIC or an ERR_PTR().
 */
struct cxlnic_dev *cxlnic_register(struct device *dev,
				   const struct cxlnic_ops *ops, void *priv)
{
	struct cxlnic_dev *nic;
	int rc;

	if (!dev || !ops || !ops->attach_cxl || !ops->detach_cxl ||
	    !ops->set_mode || !ops->get_stats)
		return ERR_PTR(-EINVAL);
	nic = cxlnic_alloc(dev, CXLNIC_KIND_COOPERATING);
	if (!nic)
		return ERR_PTR(-ENOMEM);
	nic->ops = ops;
	nic->priv = priv;
	nic->mode = CXLNIC_CTPIO_MODE_PCI;

	rc = cxlnic_insert(nic);
	if (rc < 0) {
		cxlnic_put(nic);
		return ERR_PTR(rc);
	}
	return nic;
}
EXPORT_SYMBOL_NS_GPL(cxlnic_register, CXLNIC_NS);

/**
 * cxlnic_unregister - forget a NIC; its CXL window is detached first
 * @nic: from cxlnic_register()
 *
 * Call it from the driver's remove, before the PCI window goes away, and
 * without devl_lock held if the NIC still has a health reporter: its work
 * would outlive the NIC, so it is destroyed here (cxlnic_health_destroy()).
 * No op is called once it returns.  May sleep.
 */
void cxlnic_unregister(struct cxlnic_dev *nic)
{
	cxlnic_health_destroy(nic);
	mutex_lock(&nic->lock);
	if (nic->attached)
		cxlnic_detach(nic, CXLNIC_REASON_UNREGISTER, NULL);
	cxlnic_erase(nic);
	mutex_unlock(&nic->lock);
	/* A walker may hold the NIC a moment longer; it finds it dead. */
	cxlnic_put(nic);
}
EXPORT_SYMBOL_NS_GPL(cxlnic_unregister, CXLNIC_NS);

void *cxlnic_priv(const struct cxlnic_dev *nic)
{
	return nic->priv;
}
EXPORT_SYMBOL_NS_GPL(cxlnic_priv, CXLNIC_NS);

/**
 * cxlnic_cxl_lost - the NIC driver learnt on its own that CXL is gone
 * @nic: the NIC
 *
 * For a Type 2 driver's CXL detach callback: one call moves CTPIO to PCI,
 * waits out its writers and tells userspace.  Called from inside one of the
 * NIC's own ops (the CXL core calling back while the op tears its region
 * down) it does nothing: that op is the NIC's way off CXL.  May sleep.
 */
void cxlnic_cxl_lost(struct cxlnic_dev *nic)
{
	if (READ_ONCE(nic->op_task) == current)
		return;
	mutex_lock(&nic->lock);
	if (nic->attached)
		cxlnic_detach(nic, CXLNIC_REASON_DRIVER, NULL);
	mutex_unlock(&nic->lock);
}
EXPORT_SYMBOL_NS_GPL(cxlnic_cxl_lost, CXLNIC_NS);

static int __init cxlnic_init(void)
{
	int rc;

	rc = cxlnic_netlink_init();
	if (rc)
		return rc;
	rc = bus_register_notifier(&cxl_bus_type, &cxlnic_cxl_nb);
	if (rc)
		goto err_netlink;
	rc = bus_register_notifier(&platform_bus_type, &cxlnic_platform_nb);
	if (rc)
		goto err_cxl_nb;
	rc = cxlnic_stock_init();
	if (rc)
		goto err_platform_nb;
	return 0;

err_platform_nb:
	bus_unregister_notifier(&platform_bus_type, &cxlnic_platform_nb);
err_cxl_nb:
	bus_unregister_notifier(&cxl_bus_type, &cxlnic_cxl_nb);
err_netlink:
	cxlnic_netlink_exit();
	return rc;
}

static void __exit cxlnic_exit(void)
{
	struct cxlnic_transit *t, *next;

	cxlnic_stock_exit();
	bus_unregister_notifier(&platform_bus_type, &cxlnic_platform_nb);
	bus_unregister_notifier(&cxl_bus_type, &cxlnic_cxl_nb);
	cxlnic_netlink_exit();
	/* NIC drivers import our symbols, so none can still be registered. */
	WARN_ON(!xa_empty(&cxlnic_devs));
	list_for_each_entry_safe(t, next, &cxlnic_transit_list, node)
		cxlnic_transit_free(t);
}

module_init(cxlnic_init);
module_exit(cxlnic_exit);
MODULE_DESCRIPTION("Keep CXL-attached NIC CTPIO safe when the CXL chain changes");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(CXLNIC_NS_CXL);
