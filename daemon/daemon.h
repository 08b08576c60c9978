/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicd's own state, shared by its parts: the event loop (cxlnicd.c), the
 * recovery engine (recovery.c) and the control commands (commands.c).
 * Everything runs on the one sd-event loop thread: no locks.
 */
#ifndef CXLNICD_DAEMON_H
#define CXLNICD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "config.h"
#include "control.h"
#include "cxlnic_names.h"
#include "cxlnic_nl.h"
#include "devlink.h"
#include "history.h"
#include "state.h"

struct nic {
	char pci_addr[32];
	struct cxlnic_dev_info info;
	bool present;			/* registered in the family */
	bool unbound_by_us;		/* by a policy; bound again by it */
	bool held;			/* to be held unbound: an operator's
					 * unbind, until an operator's bind */
	bool hold_placed;		/* driver_override holds it unbound */
	bool bind_requested;		/* an operator's bind, until taken */
	char held_override[64];		/* its driver_override before */
	bool recover_requested;		/* a manual recover is armed */
	bool operator_pci;		/* an operator put it on PCI */
	bool unpaired_logged;
	bool region_not_kept;		/* stock: bound on its whole chain,
					 * no region came */
	uint64_t stock_bound_at;	/* stock: when bound on a whole chain */
	char driver[64];
	char pending[32];		/* step under way, as recorded */
	char pending_memdev[32];
	char pending_memdev_host[32];	/* its PCI function */
	char last_region[32];		/* stale once decommitted */
	/*
	 * The uuid of the region a create-region is making, recorded before;
	 * found at a start, that step was cut short and is reclaimed.
	 */
	char region_uuid[37];
	bool reclaiming;
	char waiting_for[32];		/* the missing piece, when waiting */
	char dax_device[32];		/* daxX.Y on its region, at the last scan */
	char last_step[32];
	int last_error;			/* of last_step, positive errno */
	unsigned int memdev_bind_failures;
	unsigned int attach_failures;
	unsigned int failures;		/* consecutive failed steps */
	uint64_t retry_at;		/* CLOCK_MONOTONIC usec, 0: none */
	uint64_t lost_at;		/* CLOCK_MONOTONIC usec of the loss */
	uint64_t back_at;		/* CLOCK_MONOTONIC usec, last recovery */
	uint64_t devlink_grace_ms;	/* its reporter's, last read */
	bool grace_noted;		/* this wait is in the history */
	uint64_t recoveries;		/* returns to CXL after a loss */
	uint64_t recovery_ms_sum;
	uint64_t last_recovery_ms;
	uint64_t step_failures;
	size_t n_overrides;		/* policy changed at run time */
	struct policy_override overrides[STATE_MAX_OVERRIDES];
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

uint64_t now_usec(void);
/* Its driver is bound (a stock NIC stays in the family without one). */
bool nic_bound(const struct nic *nic);
struct nic *nic_lookup(struct daemon *d, const char *pci_addr, bool create);
/* A NIC named by PCI address, handle or netdev name; NULL if unknown. */
struct nic *nic_find(struct daemon *d, const char *name);
/* The configuration's policy with the run-time changes on top. */
void nic_policy(const struct daemon *d, const struct nic *nic,
		struct nic_policy *p);

/* Log it, keep it in the history and tell the monitors. */
void daemon_note(struct daemon *d, int priority, enum history_kind kind,
		 const char *nic, const char *what, int error, long ms,
		 const char *fmt, ...) __attribute__((format(printf, 8, 9)));

int save_state(struct daemon *d);
void load_state(struct daemon *d);
void schedule_reconcile(struct daemon *d, uint64_t delay_ms);
void reconcile(struct daemon *d);
uint64_t recover_nic(struct daemon *d, struct nic *nic);
void on_family_event(const struct cxlnic_dev_info *ev, void *arg);
void on_family_change(enum cxlnic_family_change change, void *arg);
int reload_config(struct daemon *d);

/*
 * Operator requests, from the control socket: each sets its intent and
 * runs a reconcile, which acts on it as on any other.  *@nic is the NIC
 * after it (NULL: gone meanwhile).  0 or -errno of the step that failed.
 */
int nic_request_unbind(struct daemon *d, struct nic **nic);
int nic_request_bind(struct daemon *d, struct nic **nic);
void nic_request_recover(struct daemon *d, struct nic **nic);

/* Where the NIC is, in one word (enum and names: lib/cxlnic_names.h). */
enum nic_status nic_status_of(const struct nic *nic);
const char *nic_state_name(const struct nic *nic);

/* Prometheus text format into the configured textfile directory. */
int metrics_write(const struct daemon *d);
/* (Re)start the periodic metrics timer after the configuration changed. */
void metrics_arm(struct daemon *d);

char *control_dispatch(const struct control_request *req,
		       const struct control_peer *peer,
		       void *arg);

#endif
