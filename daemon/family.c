// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cxlnic family itself: gone with cxlnic.ko, back, and resolved and
 * joined again under its new id.
 */
#include "daemon.h"
#include "log.h"

/*
 * cxlnic.ko went away, and its NICs with it: nothing the last dump said
 * holds.  Said once, however many requests find the family gone.
 */
void family_went(struct daemon *d, const char *how)
{
	size_t i;

	d->family_stale = true;
	for (i = 0; i < d->n_nics; i++)
		d->nics[i].present = false;
	if (d->family_gone)
		return;
	d->family_gone = true;
	daemon_note(d, LOG_WARNING, HISTORY_DAEMON, NULL, "family-gone", 0, -1,
		    "the cxlnic family is gone (%s): no NIC is registered; waiting for cxlnic.ko to be loaded again",
		    how);
}

static void family_back(struct daemon *d)
{
	if (!d->family_gone)
		return;
	d->family_gone = false;
	daemon_note(d, LOG_NOTICE, HISTORY_DAEMON, NULL, "family-back", 0, -1,
		    "the cxlnic family is registered again: its group joined again, resyncing every NIC");
}

/*
 * Ask for the family's id and group again and join the group: a reload
 * gives it a new id and drops the old membership.  0 once both are done.
 */
int family_refresh(struct daemon *d)
{
	int rc = cxlnic_client_resolve(d->nl);

	if (rc == 1)
		family_went(d, "registered again under another id");
	if (rc >= 0)
		rc = cxlnic_monitor_rejoin(d->mon);
	if (rc == -CXLNIC_ENOMODULE)
		family_went(d, "not registered: cxlnic.ko is not loaded");
	if (rc)
		return rc;
	d->family_stale = false;
	family_back(d);
	return 0;
}
