// SPDX-License-Identifier: GPL-2.0-only
/*
 * The NIC table: every NIC cxlnicd knows, found by PCI address or by any
 * of its names, what each one is (bound, its merged policy, its status
 * in one word), and how many there are on CXL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"

bool nic_bound(const struct nic *nic)
{
	return nic->present && nic->info.mode != CXLNIC_CTPIO_MODE_OFF;
}

struct nic *nic_lookup(struct daemon *d, const char *pci_addr, bool create)
{
	struct nic *nics;
	size_t i;

	for (i = 0; i < d->n_nics; i++)
		if (!strcmp(d->nics[i].st.pci_addr, pci_addr))
			return &d->nics[i];
	if (!create)
		return NULL;
	nics = realloc(d->nics, (d->n_nics + 1) * sizeof(*nics));
	if (!nics)
		return NULL;
	d->nics = nics;
	memset(&nics[d->n_nics], 0, sizeof(*nics));
	snprintf(nics[d->n_nics].st.pci_addr, sizeof(nics->st.pci_addr), "%s",
		 pci_addr);
	return &nics[d->n_nics++];
}

struct nic *nic_find(struct daemon *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n_nics; i++) {
		struct nic *nic = &d->nics[i];

		if (nic->present && cxlnic_dev_matches(&nic->info, name))
			return nic;
		/*
		 * Unbound, it has only its PCI address for a name: no handle
		 * (its last one may be another NIC's now, and 0 is nobody's).
		 */
		if (!nic->present &&
		    cxlnic_pci_addr_matches(nic->st.pci_addr, name))
			return nic;
	}
	return NULL;
}

void nic_policy(const struct daemon *d, const struct nic *nic,
		struct nic_policy *p)
{
	struct nic_policy ovr = { 0 };
	char err[160];
	size_t i;

	config_policy_for(&d->cfg, nic->st.pci_addr,
			  nic->present ? nic->info.driver : nic->st.driver, p);
	/* Checked when they were set; a bad one here is skipped. */
	for (i = 0; i < nic->st.n_overrides; i++)
		config_set_key(&ovr, nic->st.overrides[i].key,
			       nic->st.overrides[i].value, err, sizeof(err));
	config_policy_overlay(p, &ovr);
}

enum nic_status nic_status_of(const struct nic *nic)
{
	if (nic->st.held)
		return NIC_STATUS_HELD;
	if (!nic->present)
		return nic->st.unbound_by_us ? NIC_STATUS_UNBOUND :
					       NIC_STATUS_ABSENT;
	if (nic->info.mode == CXLNIC_CTPIO_MODE_CXL && !nic->info.lost)
		return NIC_STATUS_ON_CXL;
	if (nic->retry_at == UINT64_MAX)
		return NIC_STATUS_GAVE_UP;
	if (nic->failures)
		return NIC_STATUS_RETRYING;
	if (nic->waiting_for[0])
		return NIC_STATUS_WAITING;
	/* A stock NIC left unbound (on_loss=none, or unbound by someone). */
	return nic_bound(nic) ? NIC_STATUS_ON_PCI : NIC_STATUS_UNBOUND;
}

const char *nic_state_name(const struct nic *nic)
{
	return nic_status_names[nic_status_of(nic)];
}

struct nic_counts nic_count(const struct daemon *d)
{
	struct nic_counts c = { .known = d->n_nics };
	size_t i;

	for (i = 0; i < d->n_nics; i++) {
		c.registered += d->nics[i].present;
		c.on_cxl += d->nics[i].present &&
			    d->nics[i].info.mode == CXLNIC_CTPIO_MODE_CXL;
	}
	return c;
}
