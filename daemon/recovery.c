// SPDX-License-Identifier: GPL-2.0-only
/*
 * The recovery engine: a reconcile dumps the NICs, scans each one's chain
 * with a fresh libcxl context and takes policy_next_step() until the NIC is
 * where its policy wants it or must wait for a piece to return.  Every step
 * that changes the system is recorded in the state file before it is taken.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>
#include <uuid/uuid.h>

#include "actions.h"
#include "cxlnic_names.h"
#include "daemon.h"
#include "dax.h"
#include "fault.h"
#include "log.h"
#include "policy.h"
#include "stock.h"
#include "topology.h"

#define MAX_STEPS	12

uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

bool nic_bound(const struct nic *nic)
{
	return nic->present && nic->info.mode != CXLNIC_CTPIO_MODE_OFF;
}

struct nic *nic_lookup(struct daemon *d, const char *pci_addr, bool create)
{
	struct nic *nics;
	size_t i;

	for (i = 0; i < d->n_nics; i++)
		if (!strcmp(d->nics[i].pci_addr, pci_addr))
			return &d->nics[i];
	if (!create)
		return NULL;
	nics = realloc(d->nics, (d->n_nics + 1) * sizeof(*nics));
	if (!nics)
		return NULL;
	d->nics = nics;
	memset(&nics[d->n_nics], 0, sizeof(*nics));
	snprintf(nics[d->n_nics].pci_addr, sizeof(nics->pci_addr), "%s",
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
		if (!nic->present && cxlnic_pci_addr_matches(nic->pci_addr, name))
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

	config_policy_for(&d->cfg, nic->pci_addr,
			  nic->present ? nic->info.driver : nic->driver, p);
	/* Checked when they were set; a bad one here is skipped. */
	for (i = 0; i < nic->n_overrides; i++)
		config_set_key(&ovr, nic->overrides[i].key,
			       nic->overrides[i].value, err, sizeof(err));
	config_policy_overlay(p, &ovr);
}

void daemon_note(struct daemon *d, int priority, enum history_kind kind,
		 const char *nic, const char *what, int error, long ms,
		 const char *fmt, ...)
{
	const struct history_entry *e;
	struct json_object *o;
	char msg[200];
	char *line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_note(priority, nic, what, error, ms, msg);
	e = history_add(&d->history, kind, nic, what, error, ms, "%s", msg);
	if (!d->ctl)
		return;
	o = history_entry_to_json(e);
	if (asprintf(&line, "%s\n", json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN)) > 0) {
		control_broadcast(d->ctl, line);
		free(line);
	}
	json_object_put(o);
}

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

/* Run the reconcile at most @delay_ms from now (sooner if already due). */
void schedule_reconcile(struct daemon *d, uint64_t delay_ms)
{
	uint64_t when = now_usec() + delay_ms * 1000, cur;
	int enabled;

	sd_event_source_get_enabled(d->timer, &enabled);
	sd_event_source_get_time(d->timer, &cur);
	if (enabled != SD_EVENT_OFF && cur <= when)
		return;
	sd_event_source_set_time(d->timer, when);
	sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
}

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
		.unbound_by_us = nic->unbound_by_us,
		.user_chose_pci = nic->operator_pci,
		.held = nic->held,
		.hold_placed = nic->hold_placed,
		.bind_requested = nic->bind_requested,
		.recover_requested = nic->recover_requested,
		.memdev_bind_failures = nic->memdev_bind_failures,
		.attach_failures = nic->attach_failures,
	};
}

/*
 * An operator's detach or dev-set to pci is intent: kept here and in the
 * state file, since the kernel's reason says only the last change and the
 * next loss overwrites it.  Seen on CXL again, the choice is over.
 */
static void observe_operator_choice(struct daemon *d, struct nic *nic,
				    unsigned int mode, unsigned int reason)
{
	bool chose = policy_operator_chose_pci(nic->operator_pci,
					       mode == CXLNIC_CTPIO_MODE_CXL,
					       cxlnic_reason_is_operator(reason));

	if (chose == nic->operator_pci)
		return;
	nic->operator_pci = chose;
	daemon_note(d, LOG_INFO, HISTORY_DAEMON, nic->pci_addr,
		    "operator-choice", 0, -1, "%s",
		    chose ? "put on PCI by an operator: cxlnicd leaves it there until it is attached again or 'cxlnicctl recover' asks for CXL" :
			    "on CXL again: the operator's choice of PCI is over");
	save_state(d);
}

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
	nic->unbound_by_us = true;
	nic_driver_released(nic);
}

/*
 * Once the unbind is done the NIC is ours to bind again: a bind that fails
 * here is retried as bind-nic, with backoff, like after an unbind policy.
 */
static int do_rebind_nic(struct nic *nic)
{
	int rc = action_unbind_nic(nic->pci_addr, nic->driver,
				   sizeof(nic->driver));

	nic->attach_failures = 0;
	if (rc)
		return rc;
	nic_unbound_by_us(nic);
	rc = action_bind_nic(nic->pci_addr, nic->driver);
	if (!rc)
		nic->unbound_by_us = false;
	return rc;
}

/*
 * The hold that makes an operator's unbind stick: no probe binds a
 * function whose driver_override names no driver.  Taken once (a restart
 * finds it taken, what it replaced already saved), then the unbind.
 */
static int do_hold_nic(struct nic *nic)
{
	char saved[sizeof(nic->held_override)];
	int rc = action_hold_nic(nic->pci_addr, saved, sizeof(saved));

	if (rc && rc != -EALREADY)
		return rc;
	if (!rc)
		snprintf(nic->held_override, sizeof(nic->held_override), "%s",
			 saved);
	nic->hold_placed = true;
	if (!nic_bound(nic))
		return 0;
	rc = action_unbind_nic(nic->pci_addr, nic->driver,
			       sizeof(nic->driver));
	if (!rc)
		nic_driver_released(nic);
	return rc;
}

static int do_release_hold(struct nic *nic)
{
	int rc = action_release_hold(nic->pci_addr, nic->held_override);

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
		rc = action_unbind_nic(nic->pci_addr, nic->driver,
				       sizeof(nic->driver));
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
					    nic->region_uuid, region,
					    sizeof(region));
		/* Made, or undone by itself: nothing left to reclaim. */
		nic->region_uuid[0] = '\0';
		snprintf(detail, len, "%s on %s", rc ? "-" : region, n->memdev);
		return rc;
	case STEP_FREE_DPA:
		snprintf(detail, len, "%s", n->orphan_decoder);
		return topology_free_dpa(n->orphan_decoder);
	case STEP_ENABLE_REGION:
		snprintf(detail, len, "%s", n->region);
		return topology_enable_region(n->region);
	case STEP_BIND_NIC:
		rc = action_bind_nic(nic->pci_addr, nic->driver);
		if (!rc) {
			nic->unbound_by_us = false;
			nic->bind_requested = false;
		}
		return rc;
	case STEP_HOLD_NIC:
		snprintf(detail, len, "%s: unbound on request, held by its driver_override",
			 nic->driver[0] ? nic->driver : "its driver");
		return do_hold_nic(nic);
	case STEP_RELEASE_HOLD:
		snprintf(detail, len, "driver_override back to '%s'",
			 nic->held_override);
		return do_release_hold(nic);
	case STEP_REBIND_NIC:
		if (nic_is_stock(nic))
			snprintf(detail, len, "%s: its chain is back, and its CTPIO moves only at probe",
				 nic->driver);
		else
			daemon_note(d, LOG_WARNING, HISTORY_DAEMON,
				    nic->pci_addr, "escalate", 0, -1,
				    "re-attach failed %u times: escalating to an unbind and bind of %s",
				    nic->attach_failures,
				    nic->driver[0] ? nic->driver : "its driver");
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
	uuid_unparse(uu, nic->region_uuid);
}

/* Record the step, take it, record that it is over.  0 or -errno. */
static int run_step(struct daemon *d, struct nic *nic, enum step step,
		    const struct nic_policy *p, const struct chain_names *names)
{
	char detail[256] = "";
	uint64_t t0;
	long ms;
	int rc;

	/* Written down before it is done, for a restart to finish. */
	snprintf(nic->pending, sizeof(nic->pending), "%s", step_name(step));
	if (step == STEP_CREATE_REGION)
		new_region_uuid(nic);
	snprintf(nic->pending_memdev, sizeof(nic->pending_memdev), "%s",
		 names->memdev);
	snprintf(nic->pending_memdev_host, sizeof(nic->pending_memdev_host),
		 "%s", names->memdev_host);
	rc = save_state(d);
	if (rc && policy_step_needs_record(step)) {
		nic->pending[0] = '\0';
		nic->region_uuid[0] = '\0';
		daemon_note(d, LOG_ERR, HISTORY_ACTION, nic->pci_addr,
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
	nic->pending[0] = '\0';
	save_state(d);
	ms = (long)((now_usec() - t0) / 1000);
	snprintf(nic->last_step, sizeof(nic->last_step), "%s", step_name(step));
	nic->last_error = -rc;
	daemon_note(d, rc ? LOG_WARNING : LOG_INFO, HISTORY_ACTION,
		    nic->pci_addr, step_name(step), rc, ms, "%s%s%s%s%s (%ld ms)",
		    step_name(step), detail[0] ? " " : "", detail,
		    rc ? ": " : "", rc ? strerror(-rc) : "", ms);
	return rc;
}

/* Backed off, or given up on.  When to look again, in ms (0: never). */
static uint64_t nic_failed(struct daemon *d, struct nic *nic,
			   const struct nic_policy *p)
{
	uint64_t ms;

	nic->failures++;
	if (p->max_attempts && nic->failures >= p->max_attempts) {
		daemon_note(d, LOG_ERR, HISTORY_DAEMON, nic->pci_addr,
			    "give-up", 0, -1,
			    "giving up after %u failed attempts; 'cxlnicctl recover' or SIGHUP retries",
			    nic->failures);
		nic->retry_at = UINT64_MAX;
		nic->recover_requested = false;
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
		log_nic(LOG_NOTICE, nic->pci_addr, NULL, -1,
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
	rc = devlink_reporter_get(d->devlink, nic->pci_addr, "cxl", &r);
	if (rc)
		log_nic(LOG_DEBUG, nic->pci_addr, NULL, -1,
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
		daemon_note(d, LOG_NOTICE, HISTORY_DAEMON, nic->pci_addr,
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
	daemon_note(d, LOG_WARNING, HISTORY_DAEMON, nic->pci_addr,
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
	daemon_note(d, LOG_WARNING, HISTORY_DAEMON, nic->pci_addr, "dax",
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
	if (!nic->lost_at && (nv->lost || nic->unbound_by_us))
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
	daemon_note(d, LOG_INFO, HISTORY_DAEMON, nic->pci_addr, "recovered", 0,
		    (long)ms, "back on CXL %llu ms after the loss",
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
		snprintf(nic->last_region, sizeof(nic->last_region), "%s",
			 nic->info.region);
	rc = topology_scan(p->memdev_serial,
			   nic->last_region[0] ? nic->last_region : NULL,
			   nic->reclaiming ? nic->region_uuid : NULL,
			   p->decoder_mode, &plan->view, &plan->names);
	if (rc)
		return rc;
	/* A create-region a crash cut short: reclaimed once nothing is left. */
	if (nic->reclaiming && !plan->view.stale_region &&
	    !plan->view.orphan_dpa) {
		nic->reclaiming = false;
		nic->region_uuid[0] = '\0';
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
		log_nic(LOG_WARNING, nic->pci_addr, NULL, -1,
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
	if (nic->recover_requested && nic_view_of(nic).on_cxl) {
		nic->recover_requested = false;
		save_state(d);
	}
	/* Not a backoff: the chain may still be rebuilt meanwhile. */
	return grace_until ? ms_until(grace_until) : 0;
}

/*
 * cxlnic.ko went away, and its NICs with it: nothing the last dump said
 * holds.  Said once, however many requests find the family gone.
 */
static void family_went(struct daemon *d, const char *how)
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
static int family_refresh(struct daemon *d)
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

		if (nic->present || action_pci_function_exists(nic->pci_addr)) {
			i++;
			continue;
		}
		daemon_note(d, LOG_INFO, HISTORY_DAEMON, nic->pci_addr,
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
			nic->unbound_by_us = false;
			nic->bind_requested = false;
		}
		snprintf(nic->driver, sizeof(nic->driver), "%s",
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
	char pci_addr[sizeof(nic->pci_addr)];

	snprintf(pci_addr, sizeof(pci_addr), "%s", nic->pci_addr);
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

	if (!nic_bound(nic) && !nic->held && !nic->unbound_by_us &&
	    !nic_is_stock(nic))
		return -ENODEV;
	nic->held = true;
	nic->bind_requested = false;
	/* Unbound by the policy, or a stock NIC the core released. */
	nic->unbound_by_us = false;
	nic = *nicp = act_on_request(d, nic);
	if (!nic)
		return -ENODEV;
	if (nic->hold_placed && !nic_bound(nic))
		return 0;
	nic->held = false;
	return request_failed(d, request_error(nic, STEP_HOLD_NIC));
}

int nic_request_bind(struct daemon *d, struct nic **nicp)
{
	struct nic *nic = *nicp;
	bool was_held = nic->held;

	if (nic_bound(nic))
		return 0;
	if (!nic->driver[0])
		return -ENODEV;
	nic->held = false;
	nic->bind_requested = true;
	nic = *nicp = act_on_request(d, nic);
	if (!nic)
		return -ENODEV;
	if (!nic->bind_requested)
		return 0;
	nic->bind_requested = false;
	nic->held = was_held;
	return request_failed(d, request_error(nic, nic->hold_placed ?
						    STEP_RELEASE_HOLD :
						    STEP_BIND_NIC));
}

void nic_request_recover(struct daemon *d, struct nic **nicp)
{
	(*nicp)->recover_requested = true;
	/* Kept: a recover a crash cut short goes on after the restart. */
	*nicp = act_on_request(d, *nicp);
}
