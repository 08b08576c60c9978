// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnic health: a devlink health reporter named "cxl" on the NIC driver's
 * devlink instance, for the CXL side of one NIC.
 *
 * error is a loss of a piece of the CXL chain while CTPIO was on it, healthy
 * is CTPIO on CXL again.  The reporter's recover op re-attaches and nothing
 * more; rebuilding the chain is cxlnicd's (see cxlnic.h, DOC section).
 *
 * The loss is seen from a CXL bus notifier, under device locks and the
 * NIC's lock, while devlink_health_report() may take devl_lock() and call
 * our recover op, which takes the NIC's lock: so the loss path only takes a
 * snapshot and queues it, and a work item reports it with no lock held.
 * Returns to CXL go through the same queue, so devlink sees them in order.
 *
 * The reporter's priv is the NIC's handle, not a pointer: devlink 6.1 lets
 * a health dump run without the instance lock while the reporter is being
 * destroyed, and a stale handle is simply not found in the registry.
 */
#include <linux/device.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/devlink.h>
#include "cxlnic_internal.h"

#define CXLNIC_HEALTH_REPORTER	"cxl"

struct cxlnic_health_piece {
	enum cxlnic_piece_kind kind;
	enum cxlnic_piece_state state;
	char name[CXLNIC_NAME_MAX];
	u64 serial;
};

/* What diagnose shows now, and what dump shows as of a loss. */
struct cxlnic_health_snap {
	enum cxlnic_ctpio_mode mode;
	bool attached;
	bool lost;
	enum cxlnic_reason reason;
	enum cxlnic_reason loss_reason;
	struct cxlnic_health_piece loss_piece;	/* .kind 0: none */
	struct cxlnic_region_info region;	/* valid if n_pieces */
	unsigned int n_pieces;
	struct cxlnic_health_piece pieces[CXLNIC_MAX_PIECES];
	struct cxlnic_stats stats;
	u64 fallbacks;
	u64 reattaches;
	u32 generation;
};

enum cxlnic_health_event_type {
	CXLNIC_HEALTH_EV_LOST,		/* report an error */
	CXLNIC_HEALTH_EV_BACK,		/* on CXL again, not by our recover */
};

struct cxlnic_health_event {
	struct list_head node;
	enum cxlnic_health_event_type type;
	char msg[80];
	struct cxlnic_health_snap snap;	/* LOST: the NIC at the loss */
};

struct cxlnic_health {
	struct cxlnic_dev *nic;
	struct devlink *devlink;
	struct devlink_health_reporter *reporter;
	struct work_struct work;
	/* The rest is guarded by nic->lock. */
	struct list_head events;
	bool error;		/* the reporter's state as we last made it */
	bool recovering;	/* our recover op is attaching */
	bool stopped;		/* drained: nothing queues any more */
};

static const char *const cxlnic_mode_names[] = {
	[CXLNIC_CTPIO_MODE_OFF] = "off",
	[CXLNIC_CTPIO_MODE_PCI] = "pci",
	[CXLNIC_CTPIO_MODE_CXL] = "cxl",
};

static const char *const cxlnic_kind_names[] = {
	[CXLNIC_PIECE_ROOT] = "root",
	[CXLNIC_PIECE_PORT] = "port",
	[CXLNIC_PIECE_ENDPOINT] = "endpoint",
	[CXLNIC_PIECE_MEMDEV] = "memdev",
	[CXLNIC_PIECE_DECODER] = "decoder",
	[CXLNIC_PIECE_REGION] = "region",
};

static const char *const cxlnic_state_names[] = {
	[CXLNIC_PIECE_STATE_ABSENT] = "absent",
	[CXLNIC_PIECE_STATE_PRESENT] = "present",
	[CXLNIC_PIECE_STATE_BOUND] = "bound",
};

static const char *const cxlnic_reason_names[] = {
	[CXLNIC_REASON_NONE] = "none",
	[CXLNIC_REASON_USER] = "user",
	[CXLNIC_REASON_ATTACH] = "attach",
	[CXLNIC_REASON_DETACH] = "detach",
	[CXLNIC_REASON_PIECE_UNBOUND] = "piece-unbound",
	[CXLNIC_REASON_PIECE_REMOVED] = "piece-removed",
	[CXLNIC_REASON_DRIVER] = "driver",
	[CXLNIC_REASON_UNREGISTER] = "unregister",
};

static const char *const cxlnic_decoder_mode_names[] = {
	[CXLNIC_DECODER_MODE_UNKNOWN] = "unknown",
	[CXLNIC_DECODER_MODE_HOSTONLY] = "host-only",
	[CXLNIC_DECODER_MODE_DEVMEM] = "device-coherent",
};

/* The same spellings as cxlnicctl's, so the two outputs compare. */
static const char *cxlnic_name(const char *const *table, size_t n,
			       unsigned int v)
{
	return v < n && table[v] ? table[v] : "unknown";
}

static const char *cxlnic_mode_name(enum cxlnic_ctpio_mode v)
{
	return cxlnic_name(cxlnic_mode_names, ARRAY_SIZE(cxlnic_mode_names), v);
}

static const char *cxlnic_kind_name(enum cxlnic_piece_kind v)
{
	return cxlnic_name(cxlnic_kind_names, ARRAY_SIZE(cxlnic_kind_names), v);
}

static const char *cxlnic_state_name(enum cxlnic_piece_state v)
{
	return cxlnic_name(cxlnic_state_names, ARRAY_SIZE(cxlnic_state_names),
			   v);
}

static const char *cxlnic_reason_name(enum cxlnic_reason v)
{
	return cxlnic_name(cxlnic_reason_names,
			   ARRAY_SIZE(cxlnic_reason_names), v);
}

static const char *cxlnic_decoder_mode_name(enum cxlnic_decoder_mode v)
{
	return cxlnic_name(cxlnic_decoder_mode_names,
			   ARRAY_SIZE(cxlnic_decoder_mode_names), v);
}

/* @nic's lock, if it is still in the registry and @reporter its reporter. */
static bool cxlnic_health_relock(struct cxlnic_dev *nic,
				 struct devlink_health_reporter *reporter)
{
	if (!cxlnic_lock_live(nic))
		return false;
	if (nic->health && nic->health->reporter == reporter)
		return true;
	mutex_unlock(&nic->lock);
	return false;
}

/*
 * The NIC @reporter is still the reporter of, locked and with a reference
 * (cxlnic_health_unlock()), or NULL.
 */
static struct cxlnic_dev *
cxlnic_health_lock(struct devlink_health_reporter *reporter)
{
	unsigned long handle = (unsigned long)devlink_health_reporter_priv(reporter);
	struct cxlnic_dev *nic = cxlnic_get_by_handle(handle);

	if (nic && !cxlnic_health_relock(nic, reporter)) {
		cxlnic_put(nic);
		nic = NULL;
	}
	return nic;
}

static void cxlnic_health_unlock(struct cxlnic_dev *nic)
{
	mutex_unlock(&nic->lock);
	cxlnic_put(nic);
}

static void cxlnic_health_snap_piece(struct cxlnic_health_piece *dst,
				     const struct cxlnic_piece *src,
				     enum cxlnic_piece_state state)
{
	dst->kind = src->kind;
	dst->state = state;
	dst->serial = src->serial;
	strscpy(dst->name, src->name, sizeof(dst->name));
}

/*
 * @going is the piece being lost, or NULL: the notifier runs before the
 * driver core unbinds or deletes it, so show it as it is about to be.
 */
static void cxlnic_health_snap(struct cxlnic_dev *nic,
			       const struct cxlnic_piece *going,
			       enum cxlnic_reason reason,
			       struct cxlnic_health_snap *s)
{
	const struct cxlnic_piece *piece;
	enum cxlnic_piece_state state;
	unsigned int i;

	lockdep_assert_held(&nic->lock);
	memset(s, 0, sizeof(*s));
	s->mode = nic->mode;
	s->attached = nic->attached;
	s->lost = nic->lost;
	s->reason = nic->reason;
	s->loss_reason = nic->loss_reason;
	s->loss_piece.kind = nic->loss_piece.kind;
	s->loss_piece.state = CXLNIC_PIECE_STATE_ABSENT;
	strscpy(s->loss_piece.name, nic->loss_piece.name,
		sizeof(s->loss_piece.name));
	s->region = nic->topo.region;
	s->n_pieces = nic->topo.n_pieces;
	for (i = 0; i < s->n_pieces; i++) {
		piece = &nic->topo.pieces[i];
		state = cxlnic_piece_state(piece);
		if (piece == going)
			state = reason == CXLNIC_REASON_PIECE_REMOVED ?
				CXLNIC_PIECE_STATE_ABSENT :
				CXLNIC_PIECE_STATE_PRESENT;
		cxlnic_health_snap_piece(&s->pieces[i], piece, state);
	}
	nic->ops->get_stats(nic, &s->stats);
	s->fallbacks = nic->fallbacks;
	s->reattaches = nic->reattaches;
	s->generation = nic->generation;
}

static void cxlnic_health_queue(struct cxlnic_health *health,
				struct cxlnic_health_event *ev)
{
	lockdep_assert_held(&health->nic->lock);
	list_add_tail(&ev->node, &health->events);
	schedule_work(&health->work);
}

/**
 * cxlnic_health_lost - CTPIO fell back to PCI because CXL went away
 * @nic: the NIC, with nic->lock held, its state already updated
 * @piece: the piece being lost, or NULL when the NIC driver said so
 * @reason: why
 *
 * Called from the bus notifier: no devlink call here, only a snapshot for
 * the dump and an event for the work item.  May sleep.
 */
void cxlnic_health_lost(struct cxlnic_dev *nic,
			const struct cxlnic_piece *piece,
			enum cxlnic_reason reason)
{
	struct cxlnic_health *health = nic->health;
	struct cxlnic_health_event *ev;

	lockdep_assert_held(&nic->lock);
	if (!health || health->stopped)
		return;
	ev = kzalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev) {
		dev_warn(nic->dev, "CXL loss not reported to devlink: no memory\n");
		return;
	}
	ev->type = CXLNIC_HEALTH_EV_LOST;
	if (piece)
		snprintf(ev->msg, sizeof(ev->msg), "CXL %s %s %s",
			 cxlnic_kind_name(piece->kind),
			 piece->name,
			 reason == CXLNIC_REASON_PIECE_REMOVED ?
			 "removed" : "unbound");
	else
		strscpy(ev->msg, "CXL lost, said the NIC driver",
			sizeof(ev->msg));
	cxlnic_health_snap(nic, piece, reason, &ev->snap);
	cxlnic_health_queue(health, ev);
}

/**
 * cxlnic_health_reattached - CTPIO is on CXL again after a loss
 * @nic: the NIC, with nic->lock held
 *
 * A re-attach by our own recover op is counted by devlink itself.
 */
void cxlnic_health_reattached(struct cxlnic_dev *nic)
{
	struct cxlnic_health *health = nic->health;
	struct cxlnic_health_event *ev;

	lockdep_assert_held(&nic->lock);
	if (!health || health->stopped || health->recovering)
		return;
	ev = kzalloc(sizeof(*ev), GFP_KERNEL);
	if (!ev) {
		dev_warn(nic->dev, "CXL return not reported to devlink: no memory\n");
		return;
	}
	ev->type = CXLNIC_HEALTH_EV_BACK;
	cxlnic_health_queue(health, ev);
}

/* Someone else re-attached: what devlink's recover would have counted. */
static void cxlnic_health_back(struct cxlnic_health *health)
{
	bool was_error;

	/* devlink's own recover path runs under the instance lock too. */
	devl_lock(health->devlink);
	mutex_lock(&health->nic->lock);
	was_error = health->error;
	health->error = false;
	mutex_unlock(&health->nic->lock);
	if (was_error) {
		devlink_health_reporter_recovery_done(health->reporter);
		devlink_health_reporter_state_update(health->reporter,
						     DEVLINK_HEALTH_REPORTER_STATE_HEALTHY);
	}
	devl_unlock(health->devlink);
}

static void cxlnic_health_work(struct work_struct *work)
{
	struct cxlnic_health *health = container_of(work, struct cxlnic_health,
						    work);
	struct cxlnic_health_event *ev;

	for (;;) {
		mutex_lock(&health->nic->lock);
		ev = list_first_entry_or_null(&health->events,
					      struct cxlnic_health_event, node);
		if (ev) {
			list_del(&ev->node);
			/* Before the report, which may recover at once. */
			if (ev->type == CXLNIC_HEALTH_EV_LOST)
				health->error = true;
		}
		mutex_unlock(&health->nic->lock);
		if (!ev)
			return;
		/*
		 * No lock held: devlink takes its instance lock to auto-recover
		 * and our recover op takes the NIC's lock.  A failed auto-recover
		 * leaves the reporter in error, which is what it should say.
		 */
		if (ev->type == CXLNIC_HEALTH_EV_LOST)
			devlink_health_report(health->reporter, ev->msg,
					      &ev->snap);
		else
			cxlnic_health_back(health);
		kfree(ev);
	}
}

/*
 * A recover that cannot re-attach yet says which kind of piece is missing.
 * On 6.1 an extack message must be a literal that outlives the op (there
 * are no formatted ones), so the piece is named by kind; diagnose gives its
 * name.
 */
#define CXLNIC_MISSING(what)	KBUILD_MODNAME ": CXL " what \
	"; recover only re-attaches, rebuild the chain first (cxlnicd does)"

/* False for a deleted piece that comes back under another name. */
static bool cxlnic_health_say_missing(struct netlink_ext_ack *extack,
				      enum cxlnic_piece_kind kind,
				      enum cxlnic_piece_state state)
{
	bool absent = state == CXLNIC_PIECE_STATE_ABSENT;

	switch (kind) {
	case CXLNIC_PIECE_ROOT:
		if (absent)
			NL_SET_ERR_MSG(extack, CXLNIC_MISSING("root missing (removed)"));
		else
			NL_SET_ERR_MSG(extack, CXLNIC_MISSING("root missing (cxl_acpi not bound)"));
		return true;
	case CXLNIC_PIECE_MEMDEV:
		if (absent)
			NL_SET_ERR_MSG(extack,
				       CXLNIC_MISSING("memdev missing (removed)"));
		else
			NL_SET_ERR_MSG(extack,
				       CXLNIC_MISSING("memdev missing (cxl_mem not bound)"));
		return true;
	case CXLNIC_PIECE_PORT:
		if (absent)
			return false;
		NL_SET_ERR_MSG(extack, CXLNIC_MISSING("port missing (cxl_port not bound)"));
		return true;
	case CXLNIC_PIECE_ENDPOINT:
		if (absent)
			return false;
		NL_SET_ERR_MSG(extack, CXLNIC_MISSING("endpoint missing (cxl_port not bound)"));
		return true;
	case CXLNIC_PIECE_REGION:
		if (absent)
			return false;
		NL_SET_ERR_MSG(extack, CXLNIC_MISSING("region missing (disabled)"));
		return true;
	default:
		return false;
	}
}

/*
 * Why the last topology cannot be found again: the first missing piece from
 * the root down.  Ports, endpoints, decoders and regions are deleted and
 * made again under new names, so a deleted one says nothing by itself; the
 * memdev is judged by serial, since it too may come back as another memN.
 */
static void cxlnic_health_explain(const struct cxlnic_topo *topo,
				  struct netlink_ext_ack *extack)
{
	static const enum cxlnic_piece_kind order[] = {
		CXLNIC_PIECE_ROOT, CXLNIC_PIECE_PORT, CXLNIC_PIECE_MEMDEV,
		CXLNIC_PIECE_ENDPOINT, CXLNIC_PIECE_REGION,
	};
	const struct cxlnic_piece *piece;
	enum cxlnic_piece_state state;
	unsigned int k, i;

	for (k = 0; k < ARRAY_SIZE(order); k++) {
		for (i = 0; i < topo->n_pieces; i++) {
			piece = &topo->pieces[i];
			if (piece->kind != order[k])
				continue;
			state = cxlnic_piece_state(piece);
			if (state == CXLNIC_PIECE_STATE_BOUND ||
			    (state == CXLNIC_PIECE_STATE_PRESENT &&
			     !cxlnic_piece_needs_driver(piece)))
				continue;
			if (piece->kind == CXLNIC_PIECE_MEMDEV && piece->serial &&
			    cxlnic_memdev_serial_bound(piece->serial))
				continue;
			if (cxlnic_health_say_missing(extack, piece->kind,
						      state))
				return;
		}
	}
	NL_SET_ERR_MSG(extack,
		       CXLNIC_MISSING("region missing (none enabled on the memdev)"));
}

/*
 * What recover goes back to: @last, the last chain by name and serial, for
 * a lookup without the NIC's lock.  With nic->lock held.
 *
 * Return: 0 with @last filled, 1 if the NIC is attached (on CXL, or on PCI
 * by the user's choice: nothing to do), -ENOENT if it has no chain.
 */
static int cxlnic_health_last(struct cxlnic_dev *nic, struct cxlnic_topo *last,
			      struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&nic->lock);
	if (nic->attached)
		return 1;
	if (!nic->topo.n_pieces) {
		NL_SET_ERR_MSG_MOD(extack,
				   "no CXL region to go back to: none was attached, or region-detach dropped it");
		return -ENOENT;
	}
	cxlnic_topo_copy_names(last, &nic->topo);
	return 0;
}

/*
 * Back to CXL on @topo (consumed on success), found again without the lock
 * (@found: 0, or why not), unless the NIC got there meanwhile.
 */
static int cxlnic_health_reattach(struct cxlnic_dev *nic,
				  struct cxlnic_topo *topo, int found,
				  struct netlink_ext_ack *extack)
{
	struct cxlnic_health *health = nic->health;
	int rc;

	lockdep_assert_held(&nic->lock);
	if (found) {
		cxlnic_health_explain(&nic->topo, extack);
		return found;
	}
	if (nic->attached) {
		cxlnic_topo_put(topo);
		return 0;
	}
	health->recovering = true;
	/* The memdevs are the last attach's by serial, so is the pairing. */
	rc = cxlnic_attach(nic, topo, nic->paired_serial, extack);
	health->recovering = false;
	if (rc)
		cxlnic_topo_put(topo);
	return rc;
}

/*
 * Find @last's region again without the NIC's lock, into @topo, then take
 * the lock back and attach, if @reporter is still the NIC's.
 */
static int cxlnic_health_find_and_attach(struct cxlnic_dev *nic,
					 struct devlink_health_reporter *reporter,
					 const struct cxlnic_topo *last,
					 struct cxlnic_topo *topo,
					 struct netlink_ext_ack *extack)
{
	int found = cxlnic_topo_find_again(last, topo);
	int rc;

	if (!cxlnic_health_relock(nic, reporter)) {
		if (!found)
			cxlnic_topo_put(topo);
		NL_SET_ERR_MSG_MOD(extack, "NIC is going away");
		return -ENODEV;
	}
	rc = cxlnic_health_reattach(nic, topo, found, extack);
	if (!rc)
		nic->health->error = false;	/* devlink marks it healthy */
	mutex_unlock(&nic->lock);
	return rc;
}

/* Context: devl_lock held by devlink; none of ours. */
static int cxlnic_health_recover(struct devlink_health_reporter *reporter,
				 void *priv_ctx,
				 struct netlink_ext_ack *extack)
{
	struct cxlnic_topo *last, *topo;
	struct cxlnic_dev *nic;
	int rc = -ENOMEM;

	last = kzalloc(sizeof(*last), GFP_KERNEL);
	topo = kzalloc(sizeof(*topo), GFP_KERNEL);
	if (!last || !topo)
		goto out_free;
	nic = cxlnic_health_lock(reporter);
	if (!nic) {
		NL_SET_ERR_MSG_MOD(extack, "NIC is going away");
		rc = -ENODEV;
		goto out_free;
	}
	rc = cxlnic_health_last(nic, last, extack);
	mutex_unlock(&nic->lock);
	if (!rc)
		rc = cxlnic_health_find_and_attach(nic, reporter, last, topo,
						   extack);
	cxlnic_put(nic);
out_free:
	kfree(topo);
	kfree(last);
	return rc < 0 ? rc : 0;
}

/*
 * The formatters return nothing: since 6.7 devlink keeps the first error
 * of a message in the message itself and fails the reply with it.  Before
 * 6.7 each put returned it; see cxlnic_compat.h for what ignoring it costs.
 */
static void cxlnic_fmsg_piece(struct devlink_fmsg *fmsg,
			      const struct cxlnic_health_piece *p, bool state)
{
	devlink_fmsg_string_pair_put(fmsg, "kind", cxlnic_kind_name(p->kind));
	devlink_fmsg_string_pair_put(fmsg, "name", p->name);
	if (state)
		devlink_fmsg_string_pair_put(fmsg, "state",
					     cxlnic_state_name(p->state));
	if (p->kind == CXLNIC_PIECE_MEMDEV && p->serial)
		devlink_fmsg_u64_pair_put(fmsg, "serial", p->serial);
}

static void cxlnic_fmsg_region(struct devlink_fmsg *fmsg,
			       const struct cxlnic_health_snap *s)
{
	devlink_fmsg_pair_nest_start(fmsg, "region");
	devlink_fmsg_obj_nest_start(fmsg);
	devlink_fmsg_string_pair_put(fmsg, "name", s->region.name);
	devlink_fmsg_u64_pair_put(fmsg, "base", s->region.base);
	devlink_fmsg_u64_pair_put(fmsg, "size", s->region.size);
	devlink_fmsg_string_pair_put(fmsg, "decoder_mode",
				     cxlnic_decoder_mode_name(s->region.decoder_mode));
	devlink_fmsg_obj_nest_end(fmsg);
	devlink_fmsg_pair_nest_end(fmsg);
}

static void cxlnic_fmsg_pieces(struct devlink_fmsg *fmsg,
			       const struct cxlnic_health_snap *s)
{
	unsigned int i;

	devlink_fmsg_arr_pair_nest_start(fmsg, "pieces");
	for (i = 0; i < s->n_pieces; i++) {
		devlink_fmsg_obj_nest_start(fmsg);
		cxlnic_fmsg_piece(fmsg, &s->pieces[i], true);
		devlink_fmsg_obj_nest_end(fmsg);
	}
	devlink_fmsg_arr_pair_nest_end(fmsg);
}

static void cxlnic_fmsg_stats(struct devlink_fmsg *fmsg,
			      const struct cxlnic_health_snap *s)
{
	const struct {
		const char *name;
		u64 value;
	} stats[] = {
		{ "cxl_bytes", s->stats.cxl_bytes },
		{ "cxl_packets", s->stats.cxl_packets },
		{ "pci_bytes", s->stats.pci_bytes },
		{ "pci_packets", s->stats.pci_packets },
		{ "fallbacks", s->fallbacks },
		{ "reattaches", s->reattaches },
	};
	unsigned int i;

	devlink_fmsg_pair_nest_start(fmsg, "stats");
	devlink_fmsg_obj_nest_start(fmsg);
	for (i = 0; i < ARRAY_SIZE(stats); i++)
		devlink_fmsg_u64_pair_put(fmsg, stats[i].name, stats[i].value);
	devlink_fmsg_obj_nest_end(fmsg);
	devlink_fmsg_pair_nest_end(fmsg);
}

static void cxlnic_fmsg_loss_piece(struct devlink_fmsg *fmsg,
				   const struct cxlnic_health_snap *s)
{
	devlink_fmsg_pair_nest_start(fmsg, "loss_piece");
	devlink_fmsg_obj_nest_start(fmsg);
	cxlnic_fmsg_piece(fmsg, &s->loss_piece, false);
	devlink_fmsg_obj_nest_end(fmsg);
	devlink_fmsg_pair_nest_end(fmsg);
}

/* One layout for diagnose and dump; the names are cxlnicctl's. */
static void cxlnic_fmsg_snap(struct devlink_fmsg *fmsg,
			     const struct cxlnic_health_snap *s)
{
	devlink_fmsg_string_pair_put(fmsg, "mode", cxlnic_mode_name(s->mode));
	devlink_fmsg_bool_pair_put(fmsg, "attached", s->attached);
	devlink_fmsg_bool_pair_put(fmsg, "lost", s->lost);
	devlink_fmsg_string_pair_put(fmsg, "reason",
				     cxlnic_reason_name(s->reason));
	devlink_fmsg_string_pair_put(fmsg, "loss_reason",
				     cxlnic_reason_name(s->loss_reason));
	if (s->loss_piece.kind)
		cxlnic_fmsg_loss_piece(fmsg, s);
	if (s->n_pieces) {
		cxlnic_fmsg_region(fmsg, s);
		cxlnic_fmsg_pieces(fmsg, s);
	}
	cxlnic_fmsg_stats(fmsg, s);
	devlink_fmsg_u32_pair_put(fmsg, "generation", s->generation);
}

/* The NIC as it is now, formatted outside its lock. */
static int cxlnic_fmsg_now(struct devlink_health_reporter *reporter,
			   struct devlink_fmsg *fmsg,
			   struct netlink_ext_ack *extack)
{
	struct cxlnic_health_snap *snap;
	struct cxlnic_dev *nic;
	int err;

	snap = kzalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap)
		return -ENOMEM;
	nic = cxlnic_health_lock(reporter);
	if (nic) {
		cxlnic_health_snap(nic, NULL, CXLNIC_REASON_NONE, snap);
		cxlnic_health_unlock(nic);
		cxlnic_fmsg_snap(fmsg, snap);
		err = 0;
	} else {
		NL_SET_ERR_MSG_MOD(extack, "NIC is going away");
		err = -ENODEV;
	}
	kfree(snap);
	return err;
}

static int cxlnic_health_diagnose(struct devlink_health_reporter *reporter,
				  struct devlink_fmsg *fmsg,
				  struct netlink_ext_ack *extack)
{
	return cxlnic_fmsg_now(reporter, fmsg, extack);
}

/* @priv_ctx: the snapshot taken at the loss, or NULL for one taken now. */
static int cxlnic_health_dump(struct devlink_health_reporter *reporter,
			      struct devlink_fmsg *fmsg, void *priv_ctx,
			      struct netlink_ext_ack *extack)
{
	if (priv_ctx) {
		cxlnic_fmsg_snap(fmsg, priv_ctx);
		return 0;
	}
	return cxlnic_fmsg_now(reporter, fmsg, extack);
}

static const struct devlink_health_reporter_ops cxlnic_health_ops = {
	.name = CXLNIC_HEALTH_REPORTER,
	.recover = cxlnic_health_recover,
	.dump = cxlnic_health_dump,
	.diagnose = cxlnic_health_diagnose,
	CXLNIC_HEALTH_OPS_GRACE(0)
};

/*
 * Hang @health on @nic; @ev is consumed.  A NIC that already lost CXL
 * starts in error.
 */
static int cxlnic_health_attach(struct cxlnic_dev *nic,
				struct cxlnic_health *health,
				struct cxlnic_health_event *ev)
{
	mutex_lock(&nic->lock);
	if (nic->health) {
		mutex_unlock(&nic->lock);
		kfree(ev);
		return -EEXIST;
	}
	nic->health = health;
	if (nic->lost && !nic->attached) {
		ev->type = CXLNIC_HEALTH_EV_LOST;
		strscpy(ev->msg, "CXL lost before the reporter existed",
			sizeof(ev->msg));
		cxlnic_health_snap(nic, NULL, CXLNIC_REASON_NONE, &ev->snap);
		cxlnic_health_queue(health, ev);
		ev = NULL;
	}
	mutex_unlock(&nic->lock);
	kfree(ev);
	return 0;
}

/* Both creates; @locked: the caller holds the instance lock. */
static int __cxlnic_health_create(struct cxlnic_dev *nic,
				  struct devlink *devlink, bool locked)
{
	struct devlink_health_reporter *reporter;
	struct cxlnic_health_event *ev;
	struct cxlnic_health *health;
	/* The handle, not the NIC: see the top of this file. */
	void *priv = (void *)(unsigned long)nic->handle;
	int rc;

	health = kzalloc(sizeof(*health), GFP_KERNEL);
	ev = kzalloc(sizeof(*ev), GFP_KERNEL);
	if (!health || !ev) {
		rc = -ENOMEM;
		goto err_free;
	}
	health->nic = nic;
	health->devlink = devlink;
	INIT_WORK(&health->work, cxlnic_health_work);
	INIT_LIST_HEAD(&health->events);
	reporter = locked ?
		cxlnic_devl_health_reporter_create(devlink, &cxlnic_health_ops,
						   0, priv) :
		cxlnic_health_reporter_create(devlink, &cxlnic_health_ops, 0,
					      priv);
	if (IS_ERR(reporter)) {
		rc = PTR_ERR(reporter);
		goto err_free;
	}
	health->reporter = reporter;
	rc = cxlnic_health_attach(nic, health, ev);
	if (rc) {
		if (locked)
			cxlnic_devl_health_reporter_destroy(reporter);
		else
			devlink_health_reporter_destroy(reporter);
		goto err_free_health;
	}
	return 0;

err_free:
	kfree(ev);
err_free_health:
	kfree(health);
	return rc;
}

/**
 * cxlnic_health_create - give a NIC a devlink health reporter named "cxl"
 * @nic: from cxlnic_register()
 * @devlink: the NIC driver's devlink instance, already registered
 *
 * Call once per NIC, after devlink_register(), without the instance lock
 * (cxlnic_devl_health_create() is for a caller that holds it): devlink 6.1
 * warns when a reporter changes state on an instance that is not
 * registered.  A NIC that already lost CXL starts in error.  May sleep.
 *
 * Return: 0, -EEXIST if the NIC or the instance already has a "cxl"
 * reporter, or another negative errno.
 */
int cxlnic_health_create(struct cxlnic_dev *nic, struct devlink *devlink)
{
	if (!nic || !devlink)
		return -EINVAL;
	return __cxlnic_health_create(nic, devlink, false);
}
EXPORT_SYMBOL_NS_GPL(cxlnic_health_create, CXLNIC_NS);

/**
 * cxlnic_devl_health_create - cxlnic_health_create() under devl_lock
 * @nic: from cxlnic_register()
 * @devlink: the NIC driver's devlink instance, registered, its lock held
 *
 * For a driver that sets up inside its devl_lock() sections (as sfc's
 * probe does) or from reload_up.  May sleep.
 *
 * Return: as cxlnic_health_create().
 */
int cxlnic_devl_health_create(struct cxlnic_dev *nic, struct devlink *devlink)
{
	if (!nic || !devlink)
		return -EINVAL;
	devl_assert_locked(devlink);
	return __cxlnic_health_create(nic, devlink, true);
}
EXPORT_SYMBOL_NS_GPL(cxlnic_devl_health_create, CXLNIC_NS);

/* Nothing queues for @health after this, and no report is in flight. */
static void cxlnic_health_drain(struct cxlnic_health *health)
{
	struct cxlnic_health_event *ev, *next;
	LIST_HEAD(events);

	mutex_lock(&health->nic->lock);
	health->stopped = true;
	mutex_unlock(&health->nic->lock);
	cancel_work_sync(&health->work);
	mutex_lock(&health->nic->lock);
	list_splice_init(&health->events, &events);
	mutex_unlock(&health->nic->lock);
	list_for_each_entry_safe(ev, next, &events, node) {
		list_del(&ev->node);
		kfree(ev);
	}
}

/**
 * cxlnic_health_stop - stop reporting to devlink, and wait for a report
 * @nic: the NIC; nothing happens if it has no reporter
 *
 * Call without the instance lock: a report in flight takes it.  The
 * reporter stays, its diagnose, dump and recover answering, until
 * cxlnic_devl_health_destroy() (or cxlnic_health_destroy()).  A driver that
 * destroys the reporter under devl_lock (reload_down, a devl_lock() section
 * of its remove) calls this first, before it takes the lock.  May sleep.
 */
void cxlnic_health_stop(struct cxlnic_dev *nic)
{
	struct cxlnic_health *health;

	mutex_lock(&nic->lock);
	health = nic->health;
	mutex_unlock(&nic->lock);
	if (health)
		cxlnic_health_drain(health);
}
EXPORT_SYMBOL_NS_GPL(cxlnic_health_stop, CXLNIC_NS);

/* The NIC's reporter state, taken from it: no loss or return finds it. */
static struct cxlnic_health *cxlnic_health_take(struct cxlnic_dev *nic)
{
	struct cxlnic_health *health;

	mutex_lock(&nic->lock);
	health = nic->health;
	nic->health = NULL;
	mutex_unlock(&nic->lock);
	return health;
}

/**
 * cxlnic_health_destroy - remove the NIC's "cxl" reporter
 * @nic: the NIC; nothing happens if it has no reporter
 *
 * Call before devlink_unregister(), with no devlink instance lock held: it
 * waits for a report in flight, which takes that lock
 * (cxlnic_devl_health_destroy() is for a caller that holds it).
 * cxlnic_unregister() calls it for a reporter left behind.  May sleep.
 */
void cxlnic_health_destroy(struct cxlnic_dev *nic)
{
	struct cxlnic_health *health = cxlnic_health_take(nic);

	if (!health)
		return;
	cxlnic_health_drain(health);
	devlink_health_reporter_destroy(health->reporter);
	kfree(health);
}
EXPORT_SYMBOL_NS_GPL(cxlnic_health_destroy, CXLNIC_NS);

/**
 * cxlnic_devl_health_destroy - cxlnic_health_destroy() under devl_lock
 * @nic: the NIC, cxlnic_health_stop() called on it; nothing happens if it
 *	has no reporter
 *
 * With the instance lock held it cannot wait for a report in flight (the
 * report waits for that lock), hence cxlnic_health_stop() first.  Without
 * it, a report only queued is cancelled; one already running keeps the
 * reporter alive, with a warning, since freeing it would leave that report
 * with a freed reporter.  May sleep.
 */
void cxlnic_devl_health_destroy(struct cxlnic_dev *nic)
{
	struct cxlnic_health *health = cxlnic_health_take(nic);

	if (!health)
		return;
	devl_assert_locked(health->devlink);
	if (!health->stopped) {
		cancel_work(&health->work);
		if (WARN_ONCE(work_busy(&health->work),
			      "cxlnic: %s: reporter destroyed under devl_lock while reporting: call cxlnic_health_stop() first\n",
			      dev_name(nic->dev)))
			return;
		cxlnic_health_drain(health);
	}
	cxlnic_devl_health_reporter_destroy(health->reporter);
	kfree(health);
}
EXPORT_SYMBOL_NS_GPL(cxlnic_devl_health_destroy, CXLNIC_NS);
