// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include "policy.h"

static const char *const step_names[] = {
	[STEP_DONE] = "done",
	[STEP_WAIT] = "wait",
	[STEP_UNBIND_NIC] = "unbind-nic",
	[STEP_DELETE_STALE_REGION] = "delete-stale-region",
	[STEP_FREE_DPA] = "free-dpa",
	[STEP_BIND_MEMDEV] = "bind-memdev",
	[STEP_RESET_MEMDEV] = "reset-memdev",
	[STEP_CREATE_REGION] = "create-region",
	[STEP_ENABLE_REGION] = "enable-region",
	[STEP_BIND_NIC] = "bind-nic",
	[STEP_REBIND_NIC] = "rebind-nic",
	[STEP_ATTACH] = "attach",
	[STEP_HOLD_NIC] = "hold-nic",
	[STEP_RELEASE_HOLD] = "release-hold",
};

bool policy_attach_failure_escalates(int err)
{
	return err == -EIO;
}

bool policy_step_needs_record(enum step step)
{
	return step == STEP_RESET_MEMDEV || step == STEP_UNBIND_NIC ||
	       step == STEP_REBIND_NIC || step == STEP_CREATE_REGION ||
	       step == STEP_HOLD_NIC || step == STEP_RELEASE_HOLD;
}

const char *step_name(enum step step)
{
	return step_names[step];
}

/*
 * libcxl builds pmem regions, which decode host-only (HDM-H): 6.1 lets
 * userspace create no other kind.  A device-coherent region comes from the
 * NIC's driver, or not at all.
 */
static bool region_creatable(const struct nic_policy *p)
{
	return p->region_auto && p->decoder_mode != DECODER_DEVICE_COHERENT;
}

/*
 * The namespaces on the region, against the dax key: STEP_DONE when the
 * NIC may have it.  An operator's namespace is never cxlnicd's to remove;
 * with dax=any the kernel's ownership check decides.
 */
static enum step dax_step(const struct nic_policy *p,
			  const struct chain_view *c)
{
	return p->dax == DAX_NONE && c->region_namespace ? STEP_WAIT :
							   STEP_DONE;
}

/*
 * The CXL chain alone: a NIC already on it stays, whatever namespace an
 * operator makes afterwards (the dax key is checked before an attach).
 */
static bool chain_complete(const struct chain_view *c)
{
	return c->root && c->memdev_enabled && c->region && c->region_enabled;
}

/* Root, memdev, region: each rebuilt only once what it stands on is back. */
static enum step chain_step(const struct nic_policy *p,
			    const struct nic_view *n,
			    const struct chain_view *c)
{
	if (!c->root || !c->memdev)
		return STEP_WAIT;
	/* A stale region pins the host bridge decoder a new one needs. */
	if (c->stale_region)
		return STEP_DELETE_STALE_REGION;
	/* ...and so does DPA taken with no region: the next create fails. */
	if (c->orphan_dpa)
		return STEP_FREE_DPA;
	if (!c->memdev_enabled)
		return n->memdev_bind_failures ? STEP_RESET_MEMDEV :
						 STEP_BIND_MEMDEV;
	if (!c->region)
		return region_creatable(p) ? STEP_CREATE_REGION : STEP_WAIT;
	if (!c->region_enabled)
		return STEP_ENABLE_REGION;
	return dax_step(p, c);
}

bool policy_request_step(const struct nic_view *n, enum step *step)
{
	if (n->held)
		*step = n->registered || !n->hold_placed ? STEP_HOLD_NIC :
							   STEP_DONE;
	else if (n->hold_placed)
		*step = STEP_RELEASE_HOLD;
	else if (n->bind_requested && !n->registered)
		*step = STEP_BIND_NIC;
	else
		return false;
	return true;
}

enum step policy_next_step(const struct nic_policy *p,
			   const struct nic_view *n,
			   const struct chain_view *c)
{
	enum step step;

	/* A NIC on CXL stays, on its own region whatever its mode. */
	if (n->held ||
	    (n->on_cxl && (chain_complete(c) ||
			   (c->root && c->memdev_enabled && c->nic_region_whole))))
		return STEP_DONE;
	/*
	 * The kernel said CXL, yet the scan that followed its dump finds the
	 * root or the memdev gone: the dump came just before a loss, which
	 * the kernel handles before the piece goes and whose notification is
	 * on its way.  Wait for it, rather than rebuild on a half-old view.
	 */
	if (n->on_cxl && (!c->root || !c->memdev_enabled))
		return STEP_WAIT;
	/* none leaves a NIC that lost CXL alone; one never attached gets it. */
	if (!n->recover_requested &&
	    ((p->on_loss == ON_LOSS_NONE && n->lost) || n->user_chose_pci))
		return STEP_DONE;
	/* Only a loss unbinds: a NIC that never had its region just gets one. */
	if (p->on_loss == ON_LOSS_UNBIND && n->registered && n->lost &&
	    !chain_complete(c))
		return STEP_UNBIND_NIC;
	if (!p->recovery_auto && !n->recover_requested)
		return STEP_DONE;
	/*
	 * A NIC someone else unbound, or one hot-removed, is not cxlnicd's:
	 * its chain is left as it is until the NIC is back.
	 */
	if (!n->registered && !n->unbound_by_us)
		return STEP_WAIT;
	step = chain_step(p, n, c);
	if (step != STEP_DONE)
		return step;
	if (!n->registered)
		return n->unbound_by_us ? STEP_BIND_NIC : STEP_WAIT;
	if (p->escalate_after && n->attach_failures >= p->escalate_after)
		return STEP_REBIND_NIC;
	return STEP_ATTACH;
}

static bool stock_chain_whole(const struct stock_view *s)
{
	return s->root && s->ports;
}

/* An unbound stock NIC: bound again after the core's release only. */
static enum step stock_unbound_step(const struct nic_policy *p,
				    const struct stock_view *s)
{
	if (s->recover_requested)
		return STEP_BIND_NIC;
	/* Released again after its probe: the bind does not help. */
	if (s->region_not_kept)
		return STEP_WAIT;
	if (!s->released)
		return STEP_DONE;
	if (stock_chain_whole(s) || p->on_loss == ON_LOSS_FALLBACK)
		return STEP_BIND_NIC;
	return STEP_WAIT;
}

/* A stock NIC bound on PCI: bound again if that brings CXL back. */
static enum step stock_on_pci_step(const struct stock_view *s)
{
	if (!s->lost)
		return STEP_DONE;
	if (s->settling ||
	    (s->region_not_kept && !s->recover_requested) ||
	    !stock_chain_whole(s))
		return STEP_WAIT;
	return STEP_REBIND_NIC;
}

enum step policy_stock_next_step(const struct nic_policy *p,
				 const struct stock_view *s)
{
	if (s->held || s->on_cxl)
		return STEP_DONE;
	if (s->releasing)
		return STEP_WAIT;
	if (!s->recover_requested &&
	    (p->on_loss == ON_LOSS_NONE || !p->recovery_auto))
		return STEP_DONE;
	return s->bound ? stock_on_pci_step(s) : stock_unbound_step(p, s);
}

const char *policy_stock_missing_piece(const struct stock_view *s)
{
	if (s->releasing)
		return "release";
	if (!s->root)
		return "root";
	if (!s->ports)
		return "port";
	if (s->settling || s->region_not_kept)
		return "region";
	return NULL;
}

const char *policy_missing_piece(const struct nic_policy *p,
				 const struct chain_view *c)
{
	if (!c->root)
		return "root";
	if (!c->memdev)
		return "memdev";
	if (!c->region && !p->region_auto)
		return "region";
	if (!c->region && !region_creatable(p))
		return "decoder-mode";
	if (c->region && c->region_enabled && dax_step(p, c) == STEP_WAIT)
		return "dax";
	return NULL;
}

static bool step_returns_nic(enum step step)
{
	return step == STEP_BIND_NIC || step == STEP_REBIND_NIC ||
	       step == STEP_ATTACH;
}

bool policy_memdev_bind_refused(int err)
{
	return err == -EIO || err == -ENXIO;
}

bool policy_reset_may_follow(int err)
{
	return !err || err == -ENODEV;
}

bool policy_operator_chose_pci(bool was, bool on_cxl, bool by_operator)
{
	return !on_cxl && (was || by_operator);
}

bool policy_family_stale(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP;
}

#define RESYNC_BACKOFF_MS	1000
#define RESYNC_BACKOFF_MAX_MS	30000

uint64_t policy_resync_backoff_ms(unsigned int failures)
{
	uint64_t ms = RESYNC_BACKOFF_MS;

	while (failures-- > 1 && ms < RESYNC_BACKOFF_MAX_MS)
		ms *= 2;
	return ms < RESYNC_BACKOFF_MAX_MS ? ms : RESYNC_BACKOFF_MAX_MS;
}

uint64_t policy_loss_grace_until(const struct nic_policy *policy,
				 const struct nic_view *nic,
				 uint64_t now_usec, uint64_t lost_usec)
{
	uint64_t until;

	if (nic->recover_requested || !lost_usec || !policy->grace_ms)
		return 0;
	until = lost_usec + (uint64_t)policy->grace_ms * 1000;
	return until > now_usec ? until : 0;
}

uint64_t policy_grace_until(enum step step, const struct nic_view *nic,
			    uint64_t now_usec, uint64_t last_back_usec,
			    uint64_t grace_ms)
{
	uint64_t until;

	/* An operator's recover means now; a first loss has no period. */
	if (!step_returns_nic(step) || nic->recover_requested ||
	    !last_back_usec || !grace_ms)
		return 0;
	until = last_back_usec + grace_ms * 1000;
	return until > now_usec ? until : 0;
}
