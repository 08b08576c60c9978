// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stock NICs: a driver that maps its region at probe (sfc on 7.3, the
 * sim's Type 2 kind) cannot fall back live, and the CXL core releases it on
 * any loss.  cxlnicd brings one back by binding its driver again, when the
 * chain above its memdev is back or, for on_loss=fallback, at once on the
 * PCI window and once more when the chain is back; then it checks that the
 * probe found the region again.  The NIC, its memdev and the names of its
 * chain are known through the family: libcxl rejects an accelerator memdev.
 */
#include <errno.h>
#include <string.h>

#include "cxlnic_names.h"
#include "log.h"
#include "netdev.h"
#include "stock.h"
#include "topology.h"

bool nic_is_stock(const struct nic *nic)
{
	return nic->present && nic->info.kind == CXLNIC_KIND_STOCK;
}

bool stock_lost(const struct nic *nic)
{
	return nic_is_stock(nic) && nic->info.lost;
}

/* The ports of its last chain, by name: the probe needs them bound. */
static int stock_chain(const struct nic *nic, struct stock_view *s)
{
	const char *ports[CXLNIC_MAX_PIECES];
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < nic->info.n_pieces; i++)
		if (nic->info.pieces[i].kind == CXLNIC_PIECE_PORT)
			ports[n++] = nic->info.pieces[i].name;
	return topology_stock_chain(ports, n, &s->root, &s->ports);
}

/* Said once per bind: nothing else tells why CXL never comes. */
static void note_region_not_kept(struct daemon *d, struct nic *nic,
				 bool bound)
{
	daemon_note(d, LOG_WARNING, HISTORY_DAEMON, nic->st.pci_addr,
		    "region-not-kept", ENODEV, -1,
		    "%s bound again with its chain whole, but its probe found no region: the platform did not keep it; %s until the platform provides the region again ('cxlnicctl recover' tries once more)",
		    nic->st.driver, bound ? "CTPIO stays on the PCI window" :
		    "the CXL core released the driver after that probe, as upstream does with a Type 2 device without its region, and it stays unbound");
}

/*
 * After a bind on a whole chain that did not put the NIC on CXL: its
 * region may still be binding (its mode follows) for
 * STOCK_REGION_SETTLE_MS; after that, or once the core released the driver
 * after the probe, the platform did not keep the region, and an operator's
 * recover has had its try.  On CXL, or released from CXL, it was kept.
 */
static void stock_check_region(struct daemon *d, struct nic *nic,
			       struct stock_view *s)
{
	bool released_by_core = !s->bound &&
				nic->info.reason == CXLNIC_REASON_RELEASED;
	uint64_t now = now_usec(), until;

	if (s->on_cxl || s->releasing || released_by_core) {
		nic->stock_bound_at = 0;
		nic->region_not_kept = false;
		return;
	}
	if (!s->lost || !nic->stock_bound_at)
		goto out;
	until = nic->stock_bound_at + STOCK_REGION_SETTLE_MS * 1000ULL;
	if (s->bound && now < until) {
		s->settling = true;
		schedule_reconcile(d, (until - now) / 1000 + 1);
		return;
	}
	nic->stock_bound_at = 0;
	nic->region_not_kept = true;
	nic->st.recover_requested = false;
	s->recover_requested = false;
	note_region_not_kept(d, nic, s->bound);
out:
	s->region_not_kept = nic->region_not_kept;
}

int stock_view_of(struct daemon *d, struct nic *nic, struct stock_view *s)
{
	const struct cxlnic_dev_info *info = &nic->info;
	int rc;

	memset(s, 0, sizeof(*s));
	rc = stock_chain(nic, s);
	if (rc)
		return rc;
	s->bound = nic_bound(nic);
	s->on_cxl = info->mode == CXLNIC_CTPIO_MODE_CXL && !info->lost;
	/*
	 * The core's release is coming: on CXL with a piece gone, or moved
	 * off it by the quiesce op its driver gave (the reason is the loss).
	 */
	s->releasing = s->bound && info->lost &&
		       (info->mode == CXLNIC_CTPIO_MODE_CXL ||
			info->reason == CXLNIC_REASON_PIECE_UNBOUND ||
			info->reason == CXLNIC_REASON_PIECE_REMOVED);
	/* Released by the core, or unbound by cxlnicd to be bound again. */
	s->released = !s->bound && (info->reason == CXLNIC_REASON_RELEASED ||
				    nic->st.unbound_by_us);
	s->lost = info->lost;
	s->held = nic->st.held;
	s->recover_requested = nic->st.recover_requested;
	stock_check_region(d, nic, s);
	return 0;
}

/*
 * The new netdev, up if the last one was as its driver left: the kernel
 * read it then.  What cxlnicd saw at its last reconcile may be older than
 * an operator's 'ip link set up' just before the loss.
 */
static void stock_link_up(struct daemon *d, struct nic *nic)
{
	int rc;

	if (!nic->info.link_was_up || !nic->info.ifindex)
		return;
	rc = netdev_set_up((int)nic->info.ifindex);
	daemon_note(d, rc ? LOG_WARNING : LOG_INFO, HISTORY_ACTION,
		    nic->st.pci_addr, "link-up", rc, -1,
		    "%s set up, as its last netdev was%s%s",
		    nic->info.ifname, rc ? ": " : "", rc ? strerror(-rc) : "");
}

int stock_after_bind(struct daemon *d, struct nic *nic, bool chain_whole)
{
	int rc = cxlnic_dev_get(d->nl, nic->info.handle, &nic->info);

	if (rc) {
		log_nic(LOG_WARNING, nic->st.pci_addr, NULL, -1,
			"the family after the bind: %s", cxlnic_strerror(rc));
		return rc;
	}
	nic->present = true;
	nic->st.unbound_by_us = false;
	nic->stock_bound_at = chain_whole &&
			      nic->info.mode != CXLNIC_CTPIO_MODE_CXL ?
			      now_usec() : 0;
	if (!chain_whole && nic->info.mode == CXLNIC_CTPIO_MODE_PCI)
		daemon_note(d, LOG_NOTICE, HISTORY_DAEMON, nic->st.pci_addr,
			    "fallback", 0, -1,
			    "%s bound on the PCI window, its CXL chain incomplete (on_loss=fallback): bound once more when the chain is back",
			    nic->st.driver);
	stock_link_up(d, nic);
	return 0;
}
