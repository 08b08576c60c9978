// SPDX-License-Identifier: GPL-2.0-only
/*
 * The family's news: a NIC's event, and nlctrl's notice that cxlnic.ko
 * went or came.  Each is noted and turned into a reconcile, sooner or
 * later; nothing is done here.
 */
#include "cxlnic_names.h"
#include "daemon.h"
#include "log.h"

void on_family_event(const struct cxlnic_dev_info *ev, void *arg)
{
	struct daemon *d = arg;
	struct nic *nic = nic_lookup(d, ev->pci_addr, false);
	struct nic_policy p;

	daemon_note(d, LOG_INFO, HISTORY_EVENT, ev->pci_addr,
		    cxlnic_event_name(ev->cmd), 0, -1,
		    "%s: mode %s, reason %s%s%s", cxlnic_event_name(ev->cmd),
		    cxlnic_mode_name(ev->mode), cxlnic_reason_name(ev->reason),
		    ev->has_piece ? ", piece " : "",
		    ev->has_piece ? ev->piece.name : "");
	/*
	 * A NIC we do not know, or one registered again (a new handle, whose
	 * generations start over): look at it afresh, no events were lost.
	 * A gap in a known NIC's generations is a loss: resync.  An event
	 * older than what our own requests already showed is no gap.
	 */
	if (!nic || !nic->present || ev->handle != nic->info.handle) {
		schedule_reconcile(d, 0);
		return;
	}
	if (ev->generation > nic->info.generation + 1) {
		d->resyncs++;
		schedule_reconcile(d, 0);
		return;
	}
	/* Only news: a stale event still shows the loss just repaired. */
	if (ev->generation > nic->info.generation) {
		nic->info.generation = ev->generation;
		observe_operator_choice(d, nic, ev->mode, ev->reason);
		/*
		 * When the loss began is known only here; what it calls
		 * for, the reconcile decides (it reads the devlink grace
		 * period before any unbind too).
		 */
		if (!nic->lost_at && ev->mode == CXLNIC_CTPIO_MODE_PCI &&
		    cxlnic_reason_is_loss(ev->reason))
			nic->lost_at = now_usec();
		/* A stock NIC's loss begins with its first piece's going. */
		if (!nic->lost_at && ev->kind == CXLNIC_KIND_STOCK && ev->lost)
			nic->lost_at = now_usec();
	}
	nic_policy(d, nic, &p);
	schedule_reconcile(d, p.grace_ms);
}

/*
 * nlctrl: cxlnic.ko was unloaded, or loaded.  A new registration ends the
 * old one's NICs just as an unregistration does (which an overrun may have
 * hidden).  The reconcile resolves the family again and resyncs, or finds
 * it gone and only brings the status and metrics up to date.
 */
void on_family_change(enum cxlnic_family_change change, void *arg)
{
	struct daemon *d = arg;

	family_went(d, change == CXLNIC_FAMILY_GONE ?
		    "unregistered: cxlnic.ko unloaded" :
		    "registered anew before its unregistration was seen");
	schedule_reconcile(d, 0);
}
