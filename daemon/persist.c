// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NIC table and the state file: what of each NIC a crash must not
 * lose (intent, the step under way), written as struct nic_state and read
 * back at start, where a reset a crash cut short is finished.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "daemon.h"
#include "fault.h"
#include "log.h"

static bool nic_worth_saving(const struct nic *nic)
{
	return nic->unbound_by_us || nic->held || nic->operator_pci ||
	       nic->recover_requested || nic->pending[0] ||
	       nic->region_uuid[0] || nic->n_overrides;
}

static void nic_to_state(const struct nic *nic, struct nic_state *st)
{
	snprintf(st->pci_addr, sizeof(st->pci_addr), "%s", nic->pci_addr);
	st->unbound_by_us = nic->unbound_by_us;
	st->held = nic->held;
	snprintf(st->held_override, sizeof(st->held_override), "%s",
		 nic->held_override);
	st->operator_pci = nic->operator_pci;
	st->recover_requested = nic->recover_requested;
	snprintf(st->driver, sizeof(st->driver), "%s", nic->driver);
	snprintf(st->pending, sizeof(st->pending), "%s", nic->pending);
	snprintf(st->memdev, sizeof(st->memdev), "%s", nic->pending_memdev);
	snprintf(st->memdev_host, sizeof(st->memdev_host), "%s",
		 nic->pending_memdev_host);
	snprintf(st->region, sizeof(st->region), "%s", nic->last_region);
	snprintf(st->region_uuid, sizeof(st->region_uuid), "%s",
		 nic->region_uuid);
	st->n_overrides = nic->n_overrides;
	memcpy(st->overrides, nic->overrides, sizeof(st->overrides));
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
			nic_to_state(&d->nics[i], &st[n++]);
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
	/*
	 * An unbind under way may have happened: assume it did (a rebind's
	 * too).  If the NIC is bound after all, the first dump says so.
	 */
	nic->unbound_by_us = st->unbound_by_us ||
			     (!strcmp(st->pending, "unbind-nic") && !st->held) ||
			     !strcmp(st->pending, "rebind-nic");
	nic->held = st->held;
	/*
	 * A hold under way may not be placed yet, a release under way not
	 * done: both steps are taken again, and both may be.
	 */
	nic->hold_placed = (st->held && strcmp(st->pending, "hold-nic")) ||
			   !strcmp(st->pending, "release-hold");
	snprintf(nic->held_override, sizeof(nic->held_override), "%s",
		 st->held_override);
	nic->operator_pci = st->operator_pci;
	nic->recover_requested = st->recover_requested;
	snprintf(nic->driver, sizeof(nic->driver), "%s", st->driver);
	snprintf(nic->pending, sizeof(nic->pending), "%s", st->pending);
	snprintf(nic->pending_memdev, sizeof(nic->pending_memdev), "%s",
		 st->memdev);
	snprintf(nic->pending_memdev_host, sizeof(nic->pending_memdev_host),
		 "%s", st->memdev_host);
	snprintf(nic->last_region, sizeof(nic->last_region), "%s", st->region);
	/* Recorded and never cleared: that create-region was cut short. */
	snprintf(nic->region_uuid, sizeof(nic->region_uuid), "%s",
		 st->region_uuid);
	nic->reclaiming = st->region_uuid[0];
	nic->n_overrides = st->n_overrides;
	memcpy(nic->overrides, st->overrides, sizeof(nic->overrides));
}

/*
 * Killed between a reset's cxl_pci unbind and its bind, the last run left
 * the memdev with no driver, and so with no memdev for a scan to find:
 * bind cxl_pci to the recorded PCI function (EBUSY when it is bound).
 */
static void finish_interrupted_reset(struct daemon *d, struct nic *nic)
{
	int rc;

	if (strcmp(nic->pending, "reset-memdev") || !nic->pending_memdev_host[0])
		return;
	rc = action_bind_memdev_host(nic->pending_memdev_host);
	daemon_note(d, rc && rc != -EBUSY ? LOG_WARNING : LOG_INFO,
		    HISTORY_ACTION, nic->pci_addr, "bind-memdev-host",
		    rc == -EBUSY ? 0 : rc, -1,
		    "finishing an interrupted reset-memdev: cxl_pci bind of %s: %s",
		    nic->pending_memdev_host,
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
		daemon_note(d, LOG_INFO, HISTORY_DAEMON, nic->pci_addr,
			    "restored", 0, -1,
			    "from the last run: %s%s%s%s",
			    nic->held ? "unbound on request" :
			    nic->unbound_by_us ? "unbound by cxlnicd" :
			    nic->operator_pci ? "bound, on PCI by an operator's choice" :
			    "bound",
			    nic->pending[0] ? ", interrupted in " : "",
			    nic->pending,
			    nic->n_overrides ? ", policy changed at run time" : "");
		/*
		 * An intent is acted on once: an unbind or rebind is taken as
		 * done above, a reset finished, an unfinished create-region
		 * reclaimed by its uuid (reclaiming, until nothing is left).
		 */
		nic->pending[0] = '\0';
	}
	free(st);
	if (n)
		save_state(d);
}
