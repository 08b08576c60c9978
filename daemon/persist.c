// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NIC table and the state file: what of each NIC a crash must not
 * lose (intent, the step under way), kept in it as its struct nic_state,
 * written as it is and read back at start, where a reset a crash cut short
 * is finished.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "daemon.h"
#include "fault.h"
#include "log.h"

static bool nic_worth_saving(const struct nic *nic)
{
	const struct nic_state *st = &nic->st;

	return st->unbound_by_us || st->held || st->operator_pci ||
	       st->recover_requested || st->pending[0] ||
	       st->region_uuid[0] || st->n_overrides;
}

/* Record what a crash must not lose.  0 or -errno (logged). */
int save_state(struct daemon *d)
{
	struct nic_state *st = calloc(d->n_nics ? d->n_nics : 1, sizeof(*st));
	size_t i, n = 0;
	int rc;

	if (!st) {
		log_err("cannot write %s: out of memory", d->state_path);
		return -ENOMEM;
	}
	for (i = 0; i < d->n_nics; i++)
		if (nic_worth_saving(&d->nics[i]))
			st[n++] = d->nics[i].st;
	rc = fault_check(FAULT_STATE_WRITE);
	if (!rc)
		rc = state_save(d->state_path, st, n);
	if (rc)
		log_err("cannot write %s: %s", d->state_path, strerror(-rc));
	free(st);
	return rc;
}

static void nic_from_state(struct nic *nic, const struct nic_state *st)
{
	nic->st = *st;
	/*
	 * An unbind under way may have happened: assume it did (a rebind's
	 * too).  If the NIC is bound after all, the first dump says so.
	 */
	if ((!strcmp(st->pending, "unbind-nic") && !st->held) ||
	    !strcmp(st->pending, "rebind-nic"))
		nic->st.unbound_by_us = true;
	/*
	 * A hold under way may not be placed yet, a release under way not
	 * done: both steps are taken again, and both may be.
	 */
	nic->hold_placed = (st->held && strcmp(st->pending, "hold-nic")) ||
			   !strcmp(st->pending, "release-hold");
	/* Recorded and never cleared: that create-region was cut short. */
	nic->reclaiming = st->region_uuid[0];
}

/*
 * Killed between a reset's cxl_pci unbind and its bind, the last run left
 * the memdev with no driver, and so with no memdev for a scan to find:
 * bind cxl_pci to the recorded PCI function (EBUSY when it is bound).
 */
static void finish_interrupted_reset(struct daemon *d, struct nic *nic)
{
	int rc;

	if (strcmp(nic->st.pending, "reset-memdev") || !nic->st.memdev_host[0])
		return;
	rc = action_bind_memdev_host(nic->st.memdev_host);
	daemon_note(d, rc && rc != -EBUSY ? LOG_WARNING : LOG_INFO,
		    HISTORY_ACTION, nic->st.pci_addr, "bind-memdev-host",
		    rc == -EBUSY ? 0 : rc, -1,
		    "finishing an interrupted reset-memdev: cxl_pci bind of %s: %s",
		    nic->st.memdev_host,
		    rc == -EBUSY ? "already bound" : rc ? strerror(-rc) : "done");
}

void load_state(struct daemon *d)
{
	struct nic_state *st;
	struct nic *nic;
	size_t i, n;
	int rc = state_load(d->state_path, &st, &n);

	if (rc) {
		log_err("ignoring unreadable %s: %s", d->state_path, strerror(-rc));
		return;
	}
	for (i = 0; i < n; i++) {
		nic = nic_lookup(d, st[i].pci_addr, true);
		if (!nic)
			break;
		nic_from_state(nic, &st[i]);
		finish_interrupted_reset(d, nic);
		daemon_note(d, LOG_INFO, HISTORY_DAEMON, nic->st.pci_addr,
			    "restored", 0, -1,
			    "from the last run: %s%s%s%s",
			    nic->st.held ? "unbound on request" :
			    nic->st.unbound_by_us ? "unbound by cxlnicd" :
			    nic->st.operator_pci ? "bound, on PCI by an operator's choice" :
			    "bound",
			    nic->st.pending[0] ? ", interrupted in " : "",
			    nic->st.pending,
			    nic->st.n_overrides ? ", policy changed at run time" : "");
		/*
		 * An intent is acted on once: an unbind or rebind is taken as
		 * done above, a reset finished, an unfinished create-region
		 * reclaimed by its uuid (reclaiming, until nothing is left).
		 */
		nic->st.pending[0] = '\0';
	}
	free(st);
	if (n)
		save_state(d);
}
