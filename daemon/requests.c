// SPDX-License-Identifier: GPL-2.0-only
/*
 * Requests from outside, through the control socket or SIGHUP: a reload
 * of the configuration, and an operator's unbind, bind, recover or policy
 * change of a NIC.  Each sets intent and runs a reconcile (or schedules
 * one), which acts on it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "policy.h"
#include "stock.h"

int reload_config(struct daemon *d)
{
	struct config_error err;
	struct config cfg;
	int rc;

	config_init(&cfg);
	if (config_load(d->config_path, &cfg, &err)) {
		daemon_note(d, LOG_ERR, HISTORY_DAEMON, NULL, "reload", EINVAL,
			    -1, "%s:%u: %s; the previous configuration stays in force",
			    err.file, err.line, err.reason);
		return -EINVAL;
	}
	if (d->ctl && control_set_read_group(d->ctl, cfg.read_group)) {
		daemon_note(d, LOG_ERR, HISTORY_DAEMON, NULL, "reload", ENOENT,
			    -1, "%s: read_group '%s' does not exist; the previous configuration stays in force",
			    d->config_path, cfg.read_group);
		control_set_read_group(d->ctl, d->cfg.read_group);
		config_free(&cfg);
		return -ENOENT;
	}
	config_free(&d->cfg);
	d->cfg = cfg;
	metrics_arm(d);
	/* A reload is also the way to retry NICs given up on. */
	for (size_t i = 0; i < d->n_nics; i++) {
		d->nics[i].failures = 0;
		d->nics[i].retry_at = 0;
		d->nics[i].unpaired_logged = false;
	}
	rc = 0;
	daemon_note(d, LOG_INFO, HISTORY_DAEMON, NULL, "reload", 0, -1,
		    "configuration loaded from %s", d->config_path);
	schedule_reconcile(d, 0);
	return rc;
}

/*
 * An operator's request, its intent just set: acted on by a reconcile
 * now, as the timer's would, on the kernel's state as it is now, with
 * backoff reset.  The NIC after it, NULL if it is gone.
 */
static struct nic *act_on_request(struct daemon *d, struct nic *nic)
{
	char pci_addr[sizeof(nic->st.pci_addr)];

	snprintf(pci_addr, sizeof(pci_addr), "%s", nic->st.pci_addr);
	nic->failures = 0;
	nic->retry_at = 0;
	nic->last_step[0] = '\0';
	nic->last_error = 0;
	save_state(d);
	reconcile(d);
	/* The reconcile may have grown the table, or pruned it. */
	return nic_lookup(d, pci_addr, false);
}

/* Why the request's @step did not get done. */
static int request_error(const struct nic *nic, enum step step)
{
	if (!strcmp(nic->last_step, step_name(step)) && nic->last_error)
		return -nic->last_error;
	/* The reconcile did not get to it (the family could not be read). */
	return -EAGAIN;
}

/* A request not done is not kept: the next reconcile undoes its part. */
static int request_failed(struct daemon *d, int rc)
{
	save_state(d);
	schedule_reconcile(d, 0);
	return rc;
}

int nic_request_unbind(struct daemon *d, struct nic **nicp)
{
	struct nic *nic = *nicp;

	if (!nic_bound(nic) && !nic->st.held && !nic->st.unbound_by_us &&
	    !nic_is_stock(nic))
		return -ENODEV;
	nic->st.held = true;
	nic->bind_requested = false;
	/* Unbound by the policy, or a stock NIC the core released. */
	nic->st.unbound_by_us = false;
	nic = *nicp = act_on_request(d, nic);
	if (!nic)
		return -ENODEV;
	if (nic->hold_placed && !nic_bound(nic))
		return 0;
	nic->st.held = false;
	return request_failed(d, request_error(nic, STEP_HOLD_NIC));
}

int nic_request_bind(struct daemon *d, struct nic **nicp)
{
	struct nic *nic = *nicp;
	bool was_held = nic->st.held;

	if (nic_bound(nic))
		return 0;
	if (!nic->st.driver[0])
		return -ENODEV;
	nic->st.held = false;
	nic->bind_requested = true;
	nic = *nicp = act_on_request(d, nic);
	if (!nic)
		return -ENODEV;
	if (!nic->bind_requested)
		return 0;
	nic->bind_requested = false;
	nic->st.held = was_held;
	return request_failed(d, request_error(nic, nic->hold_placed ?
						    STEP_RELEASE_HOLD :
						    STEP_BIND_NIC));
}

void nic_request_recover(struct daemon *d, struct nic **nicp)
{
	(*nicp)->st.recover_requested = true;
	/* Kept: a recover a crash cut short goes on after the restart. */
	*nicp = act_on_request(d, *nicp);
}

/* Keep a run-time change of @key; "default" drops it. */
static int set_override(struct nic_state *st, const char *key,
			const char *value)
{
	size_t i;

	for (i = 0; i < st->n_overrides; i++)
		if (!strcmp(st->overrides[i].key, key))
			break;
	if (!strcmp(value, "default")) {
		if (i < st->n_overrides)
			st->overrides[i] = st->overrides[--st->n_overrides];
		return 0;
	}
	if (i == STATE_MAX_OVERRIDES)
		return -ENOSPC;
	if (i == st->n_overrides)
		st->n_overrides++;
	snprintf(st->overrides[i].key, sizeof(st->overrides[i].key), "%s", key);
	snprintf(st->overrides[i].value, sizeof(st->overrides[i].value), "%s",
		 value);
	return 0;
}

int nic_request_policy(struct daemon *d, struct nic *nic, const char *key,
		       const char *value, const char *who)
{
	int rc = set_override(&nic->st, key, value);

	if (rc)
		return rc;
	save_state(d);
	daemon_note(d, LOG_NOTICE, HISTORY_CONTROL, nic->st.pci_addr,
		    "set-policy", 0, -1, "policy %s = %s (by %s)", key, value, who);
	/* The new policy may want something done now. */
	nic->failures = 0;
	nic->retry_at = 0;
	schedule_reconcile(d, 0);
	return 0;
}
