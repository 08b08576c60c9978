// SPDX-License-Identifier: GPL-2.0-only
/*
 * The recovery of one NIC: recover_nic() scans its chain with a fresh
 * libcxl context (a stock NIC's through the family), plans the next step
 * with policy_next_step() and has run_step() take it, until the NIC is
 * where its policy wants it, must wait (a piece, a grace period) or backs
 * off after a failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cxlnic_names.h"
#include "daemon.h"
#include "log.h"
#include "policy.h"
#include "steps.h"
#include "stock.h"
#include "topology.h"

#define MAX_STEPS	12

static uint64_t backoff_ms(const struct nic_policy *p, unsigned int failures)
{
	uint64_t ms = p->backoff_ms;

	while (failures-- > 1 && ms < p->backoff_max_ms)
		ms *= 2;
	return ms < p->backoff_max_ms ? ms : p->backoff_max_ms;
}

/* A stock NIC on CXL with a piece gone is about to be released. */
static struct nic_view nic_view_of(const struct nic *nic)
{
	bool on_pci = nic->present && nic->info.mode == CXLNIC_CTPIO_MODE_PCI;
	bool stock = nic_is_stock(nic);

	return (struct nic_view) {
		.registered = nic_bound(nic),
		.on_cxl = nic->present && nic->info.mode == CXLNIC_CTPIO_MODE_CXL &&
			  !stock_lost(nic),
		.lost = stock ? stock_lost(nic) :
			on_pci && cxlnic_reason_is_loss(nic->info.reason),
		.unbound_by_us = nic->st.unbound_by_us,
		.user_chose_pci = nic->st.operator_pci,
		.held = nic->st.held,
		.hold_placed = nic->hold_placed,
		.bind_requested = nic->bind_requested,
		.recover_requested = nic->st.recover_requested,
		.memdev_bind_failures = nic->memdev_bind_failures,
		.attach_failures = nic->attach_failures,
	};
}

/* Backed off, or given up on.  When to look again, in ms (0: never). */
static uint64_t nic_failed(struct daemon *d, struct nic *nic,
			   const struct nic_policy *p)
{
	uint64_t ms;

	nic->failures++;
	if (p->max_attempts && nic->failures >= p->max_attempts) {
		daemon_note(d, LOG_ERR, HISTORY_DAEMON, nic->st.pci_addr,
			    "give-up", 0, -1,
			    "giving up after %u failed attempts; 'cxlnicctl recover' or SIGHUP retries",
			    nic->failures);
		nic->retry_at = UINT64_MAX;
		nic->st.recover_requested = false;
		save_state(d);
		return 0;
	}
	ms = backoff_ms(p, nic->failures);
	nic->retry_at = now_usec() + ms * 1000;
	return ms;
}

/* The ms from now to @until, CLOCK_MONOTONIC usec, rounded up. */
static uint64_t ms_until(uint64_t until)
{
	uint64_t now = now_usec();

	return until > now ? (until - now) / 1000 + 1 : 1;
}

static bool nic_paired(struct daemon *d, struct nic *nic,
		       const struct nic_policy *p)
{
	if (p->has_memdev_serial)
		return true;
	if (!nic->unpaired_logged)
		log_nic(LOG_NOTICE, nic->st.pci_addr, NULL, -1,
			"no memdev_serial paired in %s: not managed",
			d->config_path);
	nic->unpaired_logged = true;
	return false;
}

/*
 * The grace period of the NIC's devlink reporter "cxl", read while its
 * driver is bound (an unbound NIC has no devlink instance: the last value
 * read stands).
 */
static uint64_t devlink_grace_ms(struct daemon *d, struct nic *nic)
{
	struct devlink_reporter r;
	int rc;

	if (!d->devlink || !nic->present)
		return nic->devlink_grace_ms;
	rc = devlink_reporter_get(d->devlink, nic->st.pci_addr, "cxl", &r);
	if (rc)
		log_nic(LOG_DEBUG, nic->st.pci_addr, NULL, -1,
			"devlink reporter cxl: %s", strerror(-rc));
	else
		nic->devlink_grace_ms = r.grace_ms;
	return nic->devlink_grace_ms;
}

/* Whether @step must wait for the reporter's grace period, and until when. */
static uint64_t grace_wait(struct daemon *d, struct nic *nic, enum step step,
			   const struct nic_view *nv)
{
	uint64_t now = now_usec(), grace_ms, until;

	grace_ms = devlink_grace_ms(d, nic);
	until = policy_grace_until(step, nv, now, nic->back_at, grace_ms);
	if (!until) {
		nic->grace_noted = false;
		return 0;
	}
	if (!nic->grace_noted)
		daemon_note(d, LOG_NOTICE, HISTORY_DAEMON, nic->st.pci_addr,
			    "grace-period", 0, -1,
			    "lost again %llu ms after the last recovery, within the devlink reporter's grace period of %llu ms: %s waits %llu ms",
			    (unsigned long long)((now - nic->back_at) / 1000),
			    (unsigned long long)grace_ms, step_name(step),
			    (unsigned long long)((until - now) / 1000));
	nic->grace_noted = true;
	return until;
}

/* Said once per wait: nothing else tells an operator why CXL never comes. */
static void note_no_region_in_mode(struct daemon *d, struct nic *nic,
				   const struct nic_policy *p,
				   const struct chain_view *view)
{
	daemon_note(d, LOG_WARNING, HISTORY_DAEMON, nic->st.pci_addr,
		    "decoder-mode", EOPNOTSUPP, -1,
		    "no committed %s region on the memdev%s; cxlnicd makes host-only ones only: the NIC stays where it is",
		    decoder_mode_name(p->decoder_mode),
		    view->region_other_mode ? " (one in another mode)" : "");
}

/* Said once per wait, like the decoder mode: the namespace is not ours. */
static void note_dax_refused(struct daemon *d, struct nic *nic,
			     const struct nic_policy *p,
			     const struct chain_names *names)
{
	daemon_note(d, LOG_WARNING, HISTORY_DAEMON, nic->st.pci_addr, "dax",
		    EBUSY, -1,
		    "%s carries %s%s%s, which dax=%s does not allow: the NIC stays where it is until it is destroyed (ndctl destroy-namespace)",
		    names->region, names->namespace,
		    names->dax_chardev[0] ? " with " : "", names->dax_chardev,
		    dax_policy_name(p->dax));
}

/*
 * When the NIC's loss began, if it is lost: first seen here when its event
 * was lost too (a dump after an overrun), or when a policy unbound it.
 */
static void mark_loss_start(struct nic *nic, const struct nic_view *nv)
{
	if (!nic->lost_at && (nv->lost || nic->st.unbound_by_us))
		nic->lost_at = now_usec();
}

/* From a loss to CXL again: the recovery time the metrics report. */
static void track_recovery(struct daemon *d, struct nic *nic)
{
	struct nic_view nv = nic_view_of(nic);
	uint64_t ms;

	mark_loss_start(nic, &nv);
	if (!nic->lost_at || !nv.on_cxl)
		return;
	ms = (now_usec() - nic->lost_at) / 1000;
	nic->lost_at = 0;
	nic->back_at = now_usec();
	devlink_grace_ms(d, nic);
	nic->recoveries++;
	nic->recovery_ms_sum += ms;
	nic->last_recovery_ms = ms;
	daemon_note(d, LOG_INFO, HISTORY_DAEMON, nic->st.pci_addr, "recovered",
		    0, (long)ms, "back on CXL %llu ms after the loss",
		    (unsigned long long)ms);
}

/* Whether the NIC is within grace_ms of its loss, and until when. */
static uint64_t loss_grace_wait(struct nic *nic, const struct nic_policy *p,
				const struct nic_view *nv)
{
	mark_loss_start(nic, nv);
	return policy_loss_grace_until(p, nv, now_usec(), nic->lost_at);
}

/* The next step for one NIC, what it waits for, and what it works on. */
struct plan {
	enum step step;
	bool request;			/* an operator's, before any policy */
	const char *missing;		/* with STEP_WAIT */
	bool chain_whole;		/* stock: the bind's probe may find CXL */
	struct chain_view view;		/* cooperating: libcxl's scan */
	struct chain_names names;
};

/* A cooperating NIC: its paired memdev's chain, as libcxl scans it. */
static int plan_cooperating(struct daemon *d, struct nic *nic,
			    const struct nic_policy *p, struct plan *plan)
{
	struct nic_view nv = nic_view_of(nic);
	int rc;

	if (nic->present && nic->info.has_region)
		snprintf(nic->st.region, sizeof(nic->st.region), "%s",
			 nic->info.region);
	rc = topology_scan(p->memdev_serial,
			   nic->st.region[0] ? nic->st.region : NULL,
			   nic->reclaiming ? nic->st.region_uuid : NULL,
			   p->decoder_mode, &plan->view, &plan->names);
	if (rc)
		return rc;
	/* A create-region a crash cut short: reclaimed once nothing is left. */
	if (nic->reclaiming && !plan->view.stale_region &&
	    !plan->view.orphan_dpa) {
		nic->reclaiming = false;
		nic->st.region_uuid[0] = '\0';
		save_state(d);
	}
	snprintf(nic->dax_device, sizeof(nic->dax_device), "%s",
		 plan->names.dax_chardev);
	plan->step = policy_next_step(p, &nv, &plan->view);
	if (plan->step == STEP_WAIT)
		plan->missing = !nv.registered && !nv.unbound_by_us ? "nic" :
				policy_missing_piece(p, &plan->view);
	return 0;
}

/* A stock NIC: the family's view and the ports above its memdev. */
static int plan_stock(struct daemon *d, struct nic *nic,
		      const struct nic_policy *p, struct plan *plan)
{
	struct stock_view s;
	int rc = stock_view_of(d, nic, &s);

	if (rc)
		return rc;
	plan->step = policy_stock_next_step(p, &s);
	plan->missing = plan->step == STEP_WAIT ?
			policy_stock_missing_piece(&s) : NULL;
	plan->chain_whole = s.root && s.ports;
	return 0;
}

static int plan_next(struct daemon *d, struct nic *nic,
		     const struct nic_policy *p, struct plan *plan)
{
	struct nic_view nv = nic_view_of(nic);

	memset(plan, 0, sizeof(*plan));
	plan->request = policy_request_step(&nv, &plan->step);
	if (plan->request)
		return 0;
	/* Unpaired, a cooperating NIC has no chain to scan: not managed. */
	if (!nic_is_stock(nic) && !p->has_memdev_serial) {
		plan->step = STEP_DONE;
		return 0;
	}
	return nic_is_stock(nic) ? plan_stock(d, nic, p, plan) :
				   plan_cooperating(d, nic, p, plan);
}

/* What a step left to check: a stock NIC's bind, its region. */
static int after_step(struct daemon *d, struct nic *nic, enum step step,
		      const struct plan *plan, int rc)
{
	/*
	 * A refused bind is no failure: the reset follows.  Nor is a memdev
	 * name gone stale: the next scan finds its new one.
	 */
	if (step == STEP_BIND_MEMDEV &&
	    (policy_memdev_bind_refused(rc) || rc == -ENODEV))
		return 0;
	/* An operator's bind is theirs: no policy's fallback, no link. */
	if (!rc && nic_is_stock(nic) && !plan->request &&
	    (step == STEP_BIND_NIC || step == STEP_REBIND_NIC))
		return stock_after_bind(d, nic, plan->chain_whole);
	return rc;
}

/*
 * Take steps for one NIC until it is done, must wait, or a step fails.
 * When it wants another look, in ms (a backoff, a grace period), or 0.
 */
uint64_t recover_nic(struct daemon *d, struct nic *nic)
{
	const char *missing = NULL;
	struct nic_view nv;
	uint64_t grace_until = 0;
	struct nic_policy p;
	struct plan plan;
	enum step step = STEP_DONE;
	int i, rc = 0;

	nic_policy(d, nic, &p);
	nv = nic_view_of(nic);
	/*
	 * A stock NIC is known through the family, with its memdev; an
	 * unpaired one still takes an operator's unbind and bind.
	 */
	if (!nic_is_stock(nic) && !policy_request_step(&nv, &step) &&
	    !nic_paired(d, nic, &p))
		return 0;
	/*
	 * Backing off.  An event may have pulled the reconcile earlier than
	 * this NIC's retry: it comes back for it.
	 */
	if (nic->retry_at > now_usec())
		return nic->retry_at == UINT64_MAX ? 0 : ms_until(nic->retry_at);
	for (i = 0; i < MAX_STEPS; i++) {
		rc = plan_next(d, nic, &p, &plan);
		if (rc)
			break;
		step = plan.step;
		missing = plan.missing;
		if (step == STEP_DONE || step == STEP_WAIT)
			break;
		nv = nic_view_of(nic);
		/* An operator's request waits for no grace period. */
		grace_until = plan.request ? 0 : loss_grace_wait(nic, &p, &nv);
		if (grace_until) {
			missing = "loss-grace";
			break;
		}
		grace_until = plan.request ? 0 : grace_wait(d, nic, step, &nv);
		if (grace_until) {
			missing = "grace-period";
			break;
		}
		rc = after_step(d, nic, step, &plan,
				run_step(d, nic, step, &p, &plan.names));
		/* Bound, it registers anew: its notification says the rest. */
		if (rc || (plan.request && step == STEP_BIND_NIC))
			break;
	}
	if (i == MAX_STEPS) {
		/* Steps that each succeed and never converge: back off. */
		log_nic(LOG_WARNING, nic->st.pci_addr, NULL, -1,
			"no convergence after %d steps (last %s): backing off",
			MAX_STEPS, step_name(step));
		rc = -ELOOP;
	}
	if (missing && !strcmp(missing, "decoder-mode") &&
	    strcmp(nic->waiting_for, missing))
		note_no_region_in_mode(d, nic, &p, &plan.view);
	if (missing && !strcmp(missing, "dax") &&
	    strcmp(nic->waiting_for, missing))
		note_dax_refused(d, nic, &p, &plan.names);
	snprintf(nic->waiting_for, sizeof(nic->waiting_for), "%s",
		 missing ? missing : "");
	track_recovery(d, nic);
	if (rc) {
		nic->step_failures++;
		return nic_failed(d, nic, &p);
	}
	nic->failures = 0;
	nic->retry_at = 0;
	if (nic->st.recover_requested && nic_view_of(nic).on_cxl) {
		nic->st.recover_requested = false;
		save_state(d);
	}
	/* Not a backoff: the chain may still be rebuilt meanwhile. */
	return grace_until ? ms_until(grace_until) : 0;
}
