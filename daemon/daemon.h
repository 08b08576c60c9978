/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicd's own state, shared by its parts, and what each part offers the
 * others, by file.  Everything runs on the one sd-event loop thread: no
 * locks.
 *
 * Calls go one way, from the events down to the actions; a file uses only
 * those listed before it (and the static inlines below, which any may):
 *
 *   note.c             daemon_note(): journal, history, monitors (control.c)
 *   nic_table.c        the NICs: lookup, find, bound, policy, status, count
 *   persist.c          the state file                 (nic_table, note)
 *   operator_choice.c  an operator's choice of PCI    (note, persist)
 *   stock.c            what a stock NIC needs         (nic_table, note)
 *   steps.c            run_step() and the do_*() actions: the system
 *                      changes here  (nic_table, note, persist,
 *                      operator_choice, stock; actions.c, topology.h)
 *   recover.c          recover_nic() for one NIC      (steps, stock,
 *                      persist, note, nic_table; topology.h, devlink.c)
 *   family.c           the family gone, back, rejoined (note)
 *   reconcile.c        the full resync    (recover, family, operator_choice,
 *                      persist, note, nic_table)
 *   events.c           the family's news: a reconcile asked for (family,
 *                      operator_choice, nic_table, note)
 *   metrics.c          the metrics file and its timer (nic_table)
 *   requests.c         reload, an operator's intent   (reconcile, metrics,
 *                      persist, stock, note, nic_table)
 *   commands.c         the control socket's commands  (requests, stock,
 *                      note, nic_table)
 *   cxlnicd.c          the loop: its events and timers call in (all above)
 *
 * topology.h's functions are cxl_worker.c's here: each runs libcxl and
 * libndctl (topology.c, dax.c) in a cxlnicd-cxl worker process, so that
 * the daemon never loads them (cxl_worker.h says why).
 */
#ifndef CXLNICD_DAEMON_H
#define CXLNICD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "config.h"
#include "control.h"
#include "cxlnic_names.h"
#include "cxlnic_nl.h"
#include "devlink.h"
#include "history.h"
#include "state.h"

struct nic {
	/*
	 * What the state file holds of it (state.h): its address, the intents
	 * of cxlnicd and of the operator, the step under way.  Saved as it
	 * is; a load takes it back, with what a step cut short implies
	 * (persist.c).
	 */
	struct nic_state st;

	/* The kernel's view and the system's, as last read. */
	struct cxlnic_dev_info info;
	bool present;			/* registered in the family */
	bool hold_placed;		/* driver_override holds it unbound */
	char dax_device[32];		/* daxX.Y on its region, last scan */
	uint64_t devlink_grace_ms;	/* its reporter's, last read */

	/* Intent not kept across a crash. */
	bool bind_requested;		/* an operator's, until taken */
	/*
	 * st.region_uuid found at a start: that create-region was cut short
	 * and its region is reclaimed, until nothing is left of it.
	 */
	bool reclaiming;

	/* A loss and the way back (times in CLOCK_MONOTONIC usec). */
	uint64_t lost_at;		/* of the loss */
	uint64_t back_at;		/* of the last recovery */
	uint64_t stock_bound_at;	/* stock: when bound on a whole chain */
	bool region_not_kept;		/* stock: bound on its whole chain,
					 * no region came */

	/* Backoff, and the failures in a row that escalate a step. */
	unsigned int failures;		/* consecutive failed steps */
	uint64_t retry_at;		/* CLOCK_MONOTONIC usec, 0: none */
	unsigned int memdev_bind_failures;
	unsigned int attach_failures;	/* re-attach: then a rebind */

	/* Observability: status, metrics. */
	char waiting_for[32];		/* the missing piece, if waiting */
	char last_step[32];
	int last_error;			/* of last_step, an errno > 0 */
	uint64_t recoveries;		/* returns to CXL after a loss */
	uint64_t recovery_ms_sum;
	uint64_t last_recovery_ms;
	uint64_t step_failures;

	/* Logged once: set when said, cleared when it may be said again. */
	bool unpaired_logged;
	bool grace_noted;		/* this wait is in the history */
};

struct daemon {
	sd_event *event;
	const char *config_path;
	const char *state_path;
	const char *control_path;
	int monitor_rcvbuf;		/* 0: the library's default */
	struct config cfg;
	struct cxlnic_client *nl;
	struct cxlnic_monitor *mon;
	struct devlink_client *devlink;	/* NULL: no devlink family */
	struct udev *udev;
	struct udev_monitor *umon;
	struct control *ctl;
	struct history history;
	sd_event_source *timer;
	sd_event_source *metrics_timer;
	struct nic *nics;
	size_t n_nics;
	uint64_t started_usec;		/* CLOCK_MONOTONIC */
	unsigned int resyncs;
	/*
	 * cxlnic.ko unloaded: no NIC is registered, nothing is asked of the
	 * family until it is back.  Stale: its id and group must be resolved
	 * (and the group joined) again before the next request.
	 */
	bool family_gone;
	bool family_stale;
	unsigned int dump_failures;	/* in a row; the first one is logged */
	int dump_error;			/* of the last one logged */
	int metrics_error;		/* of the last write, to log changes */
	bool ready;
};

/* CLOCK_MONOTONIC in usec: what every deadline here is in. */
static inline uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * The reconcile timer: any part may ask for a reconcile, from any layer,
 * without a call up into reconcile.c; only the timer and requests.c run
 * one.
 */
/* Run the reconcile at most @delay_ms from now (sooner if already due). */
static inline void schedule_reconcile(struct daemon *d, uint64_t delay_ms)
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

/* nic_table.c */
/* Its driver is bound (a stock NIC stays in the family without one). */
bool nic_bound(const struct nic *nic);
struct nic *nic_lookup(struct daemon *d, const char *pci_addr, bool create);
/* A NIC named by PCI address, handle or netdev name; NULL if unknown. */
struct nic *nic_find(struct daemon *d, const char *name);
/* The configuration's policy with the run-time changes on top. */
void nic_policy(const struct daemon *d, const struct nic *nic,
		struct nic_policy *p);

/* Where the NIC is, in one word (enum and names: lib/cxlnic_names.h). */
enum nic_status nic_status_of(const struct nic *nic);
const char *nic_state_name(const struct nic *nic);

/* The NICs known, those registered, and those of them on CXL. */
struct nic_counts {
	size_t known;
	size_t registered;
	size_t on_cxl;
};
struct nic_counts nic_count(const struct daemon *d);

/* note.c: log it, keep it in the history and tell the monitors. */
void daemon_note(struct daemon *d, int priority, enum history_kind kind,
		 const char *nic, const char *what, int error, long ms,
		 const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* persist.c */
int save_state(struct daemon *d);
void load_state(struct daemon *d);

/* operator_choice.c: from a NIC's @mode and @reason, as the family says. */
void observe_operator_choice(struct daemon *d, struct nic *nic,
			     unsigned int mode, unsigned int reason);

/* recover.c */
uint64_t recover_nic(struct daemon *d, struct nic *nic);

/* family.c: gone (@how, for the note), and resolved and joined again. */
void family_went(struct daemon *d, const char *how);
int family_refresh(struct daemon *d);

/* reconcile.c */
void reconcile(struct daemon *d);

/* events.c */
void on_family_event(const struct cxlnic_dev_info *ev, void *arg);
void on_family_change(enum cxlnic_family_change change, void *arg);

/* requests.c */
int reload_config(struct daemon *d);
/*
 * Operator requests, from the control socket: each sets its intent and
 * runs a reconcile, which acts on it as on any other.  *@nic is the NIC
 * after it (NULL: gone meanwhile).  0 or -errno of the step that failed.
 */
int nic_request_unbind(struct daemon *d, struct nic **nic);
int nic_request_bind(struct daemon *d, struct nic **nic);
void nic_request_recover(struct daemon *d, struct nic **nic);
/*
 * A run-time change of policy @key to @value (already checked; "default"
 * drops the change), by @who.  0, or -ENOSPC with too many changes.
 */
int nic_request_policy(struct daemon *d, struct nic *nic, const char *key,
		       const char *value, const char *who);

/* metrics.c */
/* Its timer, added to the loop and armed as the configuration says. */
int metrics_start(struct daemon *d);
/* (Re)start the periodic metrics timer after the configuration changed. */
void metrics_arm(struct daemon *d);
/*
 * Prometheus text format into the configured textfile directory; a
 * failure is logged when it starts and ends.
 */
void metrics_update(struct daemon *d);

char *control_dispatch(const struct control_request *req,
		       const struct control_peer *peer,
		       void *arg);

#endif
