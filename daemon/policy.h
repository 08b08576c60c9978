/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy engine: from what is known of one NIC and of its CXL chain,
 * the next recovery step.  Pure logic; cxlnicd takes the step, rescans and
 * asks again, so the order below is the order of recovery.
 */
#ifndef CXLNICD_POLICY_H
#define CXLNICD_POLICY_H

#include <stdbool.h>

#include "config.h"

/* The NIC's CXL chain, as a fresh libcxl scan sees it. */
struct chain_view {
	bool root;		/* a CXL root decoder exists (cxl_acpi bound) */
	bool memdev;		/* the paired memdev exists */
	bool memdev_enabled;	/* bound to cxl_mem, with its endpoint */
	bool stale_region;	/* a decommitted region still holds decoders */
	bool orphan_dpa;	/* a create-region cut short left an endpoint
				 * decoder's DPA taken with no region */
	bool region;		/* a committed region on the memdev, in the
				 * policy's decoder mode */
	bool region_enabled;
	bool region_other_mode;	/* one in another decoder mode */
	bool nic_region_whole;	/* the NIC's own region (the last it was
				 * attached to) committed and enabled, in
				 * whatever mode */
	bool region_namespace;	/* a namespace on the region, active or
				 * sized (devdax, fsdax, sector or raw) */
};

struct nic_view {
	bool registered;	/* in the family: its driver is bound */
	bool on_cxl;		/* CTPIO on that region's window */
	bool lost;		/* on PCI because a CXL piece went away */
	bool unbound_by_us;	/* cxlnicd released its driver */
	bool user_chose_pci;	/* an operator put it on PCI: respect it */
	bool held;		/* to be held unbound: an operator's unbind */
	bool hold_placed;	/* its driver_override holds it unbound */
	bool bind_requested;	/* an operator's bind, not yet taken */
	bool recover_requested;	/* an operator asked for CXL: overrides
				 * recovery=manual, on_loss=none and a
				 * hand-chosen PCI mode */
	unsigned int memdev_bind_failures;
	unsigned int attach_failures;
};

enum step {
	STEP_DONE,		/* where the policy wants it */
	STEP_WAIT,		/* a piece must return first (udev wakes us) */
	STEP_UNBIND_NIC,	/* on_loss=unbind: release the NIC's driver */
	STEP_DELETE_STALE_REGION,
	STEP_FREE_DPA,		/* of a create-region a crash cut short */
	STEP_BIND_MEMDEV,	/* bind cxl_mem */
	STEP_RESET_MEMDEV,	/* cxl_mem refused: reset under cxl_pci */
	STEP_CREATE_REGION,
	STEP_ENABLE_REGION,
	STEP_BIND_NIC,
	STEP_REBIND_NIC,	/* escalation: attach kept failing */
	STEP_ATTACH,
	STEP_HOLD_NIC,		/* an operator's unbind: hold it, unbind */
	STEP_RELEASE_HOLD,	/* an operator's bind: end the hold */
};

enum step policy_next_step(const struct nic_policy *policy,
			   const struct nic_view *nic,
			   const struct chain_view *chain);
/*
 * An operator's unbind or bind, which comes before any policy, for a NIC
 * of either kind, paired or not: true and its step in @step when one is
 * due (STEP_DONE: held unbound, nothing left to do), false when none is.
 * A held NIC found bound (its hold cleared by hand) is unbound again;
 * 'cxlnicctl bind' ends a hold.
 */
bool policy_request_step(const struct nic_view *nic, enum step *step);

/*
 * A stock NIC (kind stock: sfc on 7.3): its driver maps its region at
 * probe and cannot fall back live; on a loss the CXL core releases it and
 * nothing binds it again.  Its chain above the memdev, as libcxl sees it
 * (the memdev, its endpoint and region are the driver's probe to make).
 */
struct stock_view {
	bool bound;		/* its driver is bound (mode pci or cxl) */
	bool on_cxl;		/* bound on its region, nothing lost since */
	bool releasing;		/* on CXL with a piece gone: the core's
				 * release is coming */
	bool released;		/* unbound by the CXL core after a loss */
	bool lost;		/* that loss not repaired: not on CXL since */
	bool root;		/* a CXL root (cxl_acpi bound) */
	bool ports;		/* every port of its last chain enabled */
	bool settling;		/* just bound with its chain whole: its
				 * region may still be binding */
	bool region_not_kept;	/* bound with its chain whole, no region:
				 * the platform did not keep it */
	bool held;		/* unbound on an operator's request */
	bool recover_requested;
};

/*
 * What each policy means for a NIC that cannot fall back live (see
 * cxlnicd.conf(5)): on_loss=fallback binds its driver again at once, on the
 * PCI window while the chain is incomplete, and binds it once more (an
 * unbind and a bind: its CTPIO moves only at probe) when the chain is back;
 * on_loss=unbind leaves it unbound until the chain is back, then binds it;
 * on_loss=none and recovery=manual leave it as upstream does, unbound,
 * until 'cxlnicctl recover'.  STEP_BIND_NIC, STEP_REBIND_NIC, STEP_WAIT
 * or STEP_DONE.
 */
enum step policy_stock_next_step(const struct nic_policy *policy,
				 const struct stock_view *nic);
/* Why a stock NIC waits: "root", "port", "region" or "release"; or NULL. */
const char *policy_stock_missing_piece(const struct stock_view *nic);
const char *step_name(enum step step);
/*
 * devlink's rule for a reporter's auto_recover, kept by cxlnicd too: after
 * a recovery, a NIC that fails again within the reporter's grace period does
 * not go back before the period ends (the chain may be rebuilt meanwhile;
 * only the steps that return the NIC wait).  The CLOCK_MONOTONIC usec to
 * wait until, or 0 when @step may run now.
 */
uint64_t policy_grace_until(enum step step, const struct nic_view *nic,
			    uint64_t now_usec, uint64_t last_back_usec,
			    uint64_t grace_ms);
/*
 * A bind of cxl_mem that the memdev's probe refused (-EIO, -ENXIO: the
 * device needs a reset), as opposed to a name gone stale (-ENODEV: renamed
 * or removed, a rescan finds it) or any other failure (backed off).
 */
bool policy_memdev_bind_refused(int err);
/*
 * Whether a failed region-attach counts toward escalate_after: only the
 * NIC driver's own failure (EIO from the family), which a rebind of the
 * driver may cure.  A piece going away (EAGAIN), a region another NIC is on
 * (EBUSY), a stale handle or name (ENODEV, ENOENT, ENXIO) do not: a rebind
 * would stop the NIC's traffic for nothing.
 */
bool policy_attach_failure_escalates(int err);
/*
 * Whether @step may be taken only once its intent is in the state file:
 * the steps a crash half-way through would leave for a restart to finish
 * or undo (a memdev without cxl_pci, a NIC without its driver, a region
 * half made, found again by its uuid).  Without the record they are
 * refused.
 */
bool policy_step_needs_record(enum step step);
/* Whether a reset of the memdev's PCI function may follow the unbind of
 * cxl_pci that returned @err: done (0) or nothing was bound (-ENODEV). */
bool policy_reset_may_follow(int err);

/*
 * The policy's grace_ms: no step at all is taken for a NIC within grace_ms
 * of its loss (@lost_usec, CLOCK_MONOTONIC, 0: not lost), so a piece that
 * comes back by itself meets a NIC nothing was done to.  The usec to wait
 * until, or 0 when a step may run now.  An operator's recover does not wait.
 */
uint64_t policy_loss_grace_until(const struct nic_policy *policy,
				 const struct nic_view *nic,
				 uint64_t now_usec, uint64_t lost_usec);
/*
 * An operator's choice of PCI (dev-set to pci or a detach; @was until now)
 * after the NIC was seen @on_cxl or not, moved there @by_operator or not:
 * it lasts until the NIC is seen on CXL again (an operator's attach or
 * recover), whatever losses come meanwhile, which the kernel reports with
 * reasons of their own.
 */
bool policy_operator_chose_pci(bool was, bool on_cxl, bool by_operator);
/*
 * A request of the family's failed with @err: whether that says its id is
 * stale (cxlnic.ko unloaded, or loaded again under a new id), so that it
 * must be resolved again before anything is retried.  -ENOENT: no family
 * has the id; -EOPNOTSUPP: another family has it now, without our command.
 */
bool policy_family_stale(int err);
/*
 * The wait before a dump that failed @failures times in a row is tried
 * again: 1 s, doubled each time, at most 30 s.
 */
uint64_t policy_resync_backoff_ms(unsigned int failures);

/*
 * Why a NIC waits: "root", "memdev", "region" (region=manual),
 * "decoder-mode" (no region in that mode and none can be made), "dax" (a
 * namespace on the region the dax key does not allow), or NULL.
 */
const char *policy_missing_piece(const struct nic_policy *policy,
				 const struct chain_view *chain);

#endif
