// SPDX-License-Identifier: GPL-2.0-only
/*
 * Taking one step: run_step() records it in the state file, takes it and
 * notes how it went.  The do_*() actions here are the only code of the
 * recovery that changes the system (through actions.c and topology.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-daemon.h>
#include <uuid/uuid.h>

#include "actions.h"
#include "daemon.h"
#include "fault.h"
#include "log.h"
#include "policy.h"
#include "steps.h"
#include "stock.h"
#include "topology.h"

/*
 * region-attach; on a refusal, the kernel's reason in @why (run_step()
 * logs it).
 */
static int do_attach(struct daemon *d, struct nic *nic,
		     const struct chain_names *names, const char **why)
{
	struct cxlnic_attach_args args = {
		.region = names->region, .memdev = names->memdev,
	};
	int rc = fault_check(FAULT_NETLINK);

	*why = NULL;
	if (rc)
		return rc;
	rc = cxlnic_region_attach(d->nl, nic->info.handle, &args);
	if (rc) {
		*why = cxlnic_client_extack(d->nl);
		if (policy_attach_failure_escalates(rc))
			nic->attach_failures++;
		return rc;
	}
	nic->attach_failures = 0;
	rc = cxlnic_dev_get(d->nl, nic->info.handle, &nic->info);
	if (!rc)
		observe_operator_choice(d, nic, nic->info.mode, nic->info.reason);
	return rc;
}

/*
 * Its driver was released.  A cooperating NIC leaves the family with its
 * driver; a stock one stays, in mode off.
 */
static void nic_driver_released(struct nic *nic)
{
	if (nic_is_stock(nic))
		nic->info.mode = CXLNIC_CTPIO_MODE_OFF;
	else
		nic->present = false;
}

/* Its driver released by cxlnicd, to be bound again by it. */
static void nic_unbound_by_us(struct nic *nic)
{
	nic->st.unbound_by_us = true;
	nic_driver_released(nic);
}

/*
 * Once the unbind is done the NIC is ours to bind again: a bind that fails
 * here is retried as bind-nic, with backoff, like after an unbind policy.
 */
static int do_rebind_nic(struct nic *nic)
{
	int rc = action_unbind_nic(nic->st.pci_addr, nic->st.driver,
				   sizeof(nic->st.driver));

	nic->attach_failures = 0;
	if (rc)
		return rc;
	nic_unbound_by_us(nic);
	rc = action_bind_nic(nic->st.pci_addr, nic->st.driver);
	if (!rc)
		nic->st.unbound_by_us = false;
	return rc;
}

/*
 * The hold that makes an operator's unbind stick: no probe binds a
 * function whose driver_override names no driver.  Taken once (a restart
 * finds it taken, what it replaced already saved), then the unbind.
 */
static int do_hold_nic(struct nic *nic)
{
	char saved[sizeof(nic->st.held_override)];
	int rc = action_hold_nic(nic->st.pci_addr, saved, sizeof(saved));

	if (rc && rc != -EALREADY)
		return rc;
	if (!rc)
		snprintf(nic->st.held_override, sizeof(nic->st.held_override),
			 "%s", saved);
	nic->hold_placed = true;
	if (!nic_bound(nic))
		return 0;
	rc = action_unbind_nic(nic->st.pci_addr, nic->st.driver,
			       sizeof(nic->st.driver));
	if (!rc)
		nic_driver_released(nic);
	return rc;
}

static int do_release_hold(struct nic *nic)
{
	int rc = action_release_hold(nic->st.pci_addr, nic->st.held_override);

	if (!rc)
		nic->hold_placed = false;
	return rc;
}

/* Take @step; what it worked on goes in @detail for the log. */
static int take_step(struct daemon *d, struct nic *nic, enum step step,
		     const struct nic_policy *p, const struct chain_names *n,
		     char *detail, size_t len)
{
	const char *extack;
	char region[32];
	int rc;

	switch (step) {
	case STEP_UNBIND_NIC:
		rc = action_unbind_nic(nic->st.pci_addr, nic->st.driver,
				       sizeof(nic->st.driver));
		if (!rc)
			nic_unbound_by_us(nic);
		return rc;
	case STEP_DELETE_STALE_REGION:
		snprintf(detail, len, "%s", n->stale_region);
		return action_delete_region(n->stale_root_decoder,
					    n->stale_region);
	case STEP_BIND_MEMDEV:
		rc = action_bind_memdev(n->memdev);
		snprintf(detail, len, "%s%s", n->memdev,
			 policy_memdev_bind_refused(rc) ?
			 " refused, a reset comes next" :
			 rc == -ENODEV ? " gone (renamed?), rescanning" : "");
		if (policy_memdev_bind_refused(rc))
			nic->memdev_bind_failures++;
		return rc;
	case STEP_RESET_MEMDEV:
		nic->memdev_bind_failures = 0;
		snprintf(detail, len, "%s (%s)", n->memdev, n->memdev_host);
		return action_reset_memdev(n->memdev_host);
	case STEP_CREATE_REGION:
		rc = topology_create_region(n->memdev, p->region_size,
					    nic->st.region_uuid, region,
					    sizeof(region));
		/* Made, or undone by itself: nothing left to reclaim. */
		nic->st.region_uuid[0] = '\0';
		snprintf(detail, len, "%s on %s", rc ? "-" : region, n->memdev);
		return rc;
	case STEP_FREE_DPA:
		snprintf(detail, len, "%s", n->orphan_decoder);
		return topology_free_dpa(n->orphan_decoder);
	case STEP_ENABLE_REGION:
		snprintf(detail, len, "%s", n->region);
		return topology_enable_region(n->region);
	case STEP_BIND_NIC:
		rc = action_bind_nic(nic->st.pci_addr, nic->st.driver);
		if (!rc) {
			nic->st.unbound_by_us = false;
			nic->bind_requested = false;
		}
		return rc;
	case STEP_HOLD_NIC:
		snprintf(detail, len, "%s: unbound on request, held by its driver_override",
			 nic->st.driver[0] ? nic->st.driver : "its driver");
		return do_hold_nic(nic);
	case STEP_RELEASE_HOLD:
		snprintf(detail, len, "driver_override back to '%s'",
			 nic->st.held_override);
		return do_release_hold(nic);
	case STEP_REBIND_NIC:
		if (nic_is_stock(nic))
			snprintf(detail, len, "%s: its chain is back, and its CTPIO moves only at probe",
				 nic->st.driver);
		else
			daemon_note(d, LOG_WARNING, HISTORY_DAEMON,
				    nic->st.pci_addr, "escalate", 0, -1,
				    "re-attach failed %u times: escalating to an unbind and bind of %s",
				    nic->attach_failures, nic->st.driver[0] ?
				    nic->st.driver : "its driver");
		return do_rebind_nic(nic);
	case STEP_ATTACH:
		rc = do_attach(d, nic, n, &extack);
		/* The kernel's reason goes in the history, not just the log. */
		snprintf(detail, len, "%s%s%s", n->region,
			 extack ? ", refused: " : "", extack ? extack : "");
		return rc;
	case STEP_DONE:
	case STEP_WAIT:
		break;
	}
	return 0;
}

/* The uuid the region about to be made gets, kept to reclaim it by. */
static void new_region_uuid(struct nic *nic)
{
	uuid_t uu;

	uuid_generate(uu);
	uuid_unparse(uu, nic->st.region_uuid);
}

/* Record the step, take it, record that it is over.  0 or -errno. */
int run_step(struct daemon *d, struct nic *nic, enum step step,
	     const struct nic_policy *p, const struct chain_names *names)
{
	char detail[256] = "";
	uint64_t t0;
	long ms;
	int rc;

	/* Written down before it is done, for a restart to finish. */
	snprintf(nic->st.pending, sizeof(nic->st.pending), "%s",
		 step_name(step));
	if (step == STEP_CREATE_REGION)
		new_region_uuid(nic);
	snprintf(nic->st.memdev, sizeof(nic->st.memdev), "%s", names->memdev);
	snprintf(nic->st.memdev_host, sizeof(nic->st.memdev_host),
		 "%s", names->memdev_host);
	rc = save_state(d);
	if (rc && policy_step_needs_record(step)) {
		nic->st.pending[0] = '\0';
		nic->st.region_uuid[0] = '\0';
		daemon_note(d, LOG_ERR, HISTORY_ACTION, nic->st.pci_addr,
			    step_name(step), rc, -1,
			    "%s refused: its intent could not be recorded in %s (%s), and a crash half-way through would leave it for nobody to finish",
			    step_name(step), d->state_path, strerror(-rc));
		return rc;
	}
	/* A recovery takes many blocking steps in one dispatch. */
	sd_notify(0, "WATCHDOG=1");
	t0 = now_usec();
	rc = take_step(d, nic, step, p, names, detail, sizeof(detail));
	/* Fault injection for the tests: die like kill -9 right after it. */
	fault_crash_at(step_name(step));
	nic->st.pending[0] = '\0';
	save_state(d);
	ms = (long)((now_usec() - t0) / 1000);
	snprintf(nic->last_step, sizeof(nic->last_step), "%s", step_name(step));
	nic->last_error = -rc;
	daemon_note(d, rc ? LOG_WARNING : LOG_INFO, HISTORY_ACTION,
		    nic->st.pci_addr, step_name(step), rc, ms,
		    "%s%s%s%s%s (%ld ms)",
		    step_name(step), detail[0] ? " " : "", detail,
		    rc ? ": " : "", rc ? strerror(-rc) : "", ms);
	return rc;
}
