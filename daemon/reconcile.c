// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reconcile: a full resync that dumps every NIC the family has,
 * updates the NIC table from it, forgets the hot-removed and recovers
 * each NIC.  Its timer runs it (cxlnicd.c), as schedule_reconcile() asks.
 */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "daemon.h"
#include "fault.h"
#include "log.h"
#include "policy.h"

/*
 * The dump a reconcile starts with.  An id known to be stale is resolved
 * first; a dump whose failure says it is stale is tried once more after.
 */
static int dump_nics(struct daemon *d, struct cxlnic_dev_list *list)
{
	int rc = d->family_stale ? family_refresh(d) : 0;

	if (!rc)
		rc = fault_check(FAULT_NETLINK);
	if (!rc)
		rc = cxlnic_dev_dump(d->nl, list);
	if (!policy_family_stale(rc))
		return rc;
	d->family_stale = true;
	rc = family_refresh(d);
	return rc ? rc : cxlnic_dev_dump(d->nl, list);
}

/* Logged when the failures begin and when their error changes. */
static void dump_failed(struct daemon *d, int rc)
{
	uint64_t ms = policy_resync_backoff_ms(++d->dump_failures);

	if (rc != d->dump_error)
		log_err("dump failed: %s; trying again in %llu ms, with backoff, logged again only if the error changes",
			cxlnic_strerror(rc), (unsigned long long)ms);
	d->dump_error = rc;
	schedule_reconcile(d, ms);
}

static void dump_worked(struct daemon *d)
{
	if (d->dump_failures)
		log_info("dump works again, after %u failures",
			 d->dump_failures);
	d->dump_failures = 0;
	d->dump_error = 0;
}

/*
 * A NIC whose PCI function is gone (hot-removed) is forgotten, whatever
 * was kept of it: its hold went with the function, and a function added
 * at its address later is a new device, seen afresh.
 */
static void prune_removed(struct daemon *d)
{
	size_t i = 0;

	while (i < d->n_nics) {
		struct nic *nic = &d->nics[i];

		if (nic->present ||
		    action_pci_function_exists(nic->st.pci_addr)) {
			i++;
			continue;
		}
		daemon_note(d, LOG_INFO, HISTORY_DAEMON, nic->st.pci_addr,
			    "removed", 0, -1,
			    "its PCI function is gone (hot-removed): forgotten");
		memmove(nic, nic + 1, (d->n_nics - i - 1) * sizeof(*nic));
		d->n_nics--;
		save_state(d);
	}
}

/* Full resync: dump every NIC, then recover each. */
void reconcile(struct daemon *d)
{
	struct cxlnic_dev_list list = { 0 };
	uint64_t ms, next_ms = 0;
	struct nic *nic;
	size_t i;
	int rc = dump_nics(d, &list);

	/* Said once; nlctrl's notice of its return schedules the next. */
	if (rc == -CXLNIC_ENOMODULE)
		return;
	if (rc) {
		dump_failed(d, rc);
		return;
	}
	dump_worked(d);
	for (i = 0; i < d->n_nics; i++)
		d->nics[i].present = false;
	for (i = 0; i < list.n; i++) {
		nic = nic_lookup(d, list.devs[i].pci_addr, true);
		if (!nic)
			continue;
		/* Registered anew: what was concluded of the last is over. */
		if (!nic->present || nic->info.handle != list.devs[i].handle) {
			nic->region_not_kept = false;
			nic->stock_bound_at = 0;
		}
		nic->info = list.devs[i];
		nic->present = true;
		/*
		 * A stock NIC stays in the family, unbound.  A held one found
		 * bound is unbound again (policy_request_step()).
		 */
		if (nic_bound(nic)) {
			nic->st.unbound_by_us = false;
			nic->bind_requested = false;
		}
		snprintf(nic->st.driver, sizeof(nic->st.driver), "%s",
			 list.devs[i].driver);
		observe_operator_choice(d, nic, nic->info.mode,
					nic->info.reason);
	}
	cxlnic_dev_list_free(&list);
	prune_removed(d);
	for (i = 0; i < d->n_nics; i++) {
		ms = recover_nic(d, &d->nics[i]);
		if (ms && (!next_ms || ms < next_ms))
			next_ms = ms;
	}
	if (next_ms)
		schedule_reconcile(d, next_ms);
}
