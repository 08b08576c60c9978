/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What cxlnicd must not forget across a crash, written before each action
 * that changes the system: which NICs it unbound (and from which driver),
 * which an operator unbound through it, the step it was taking, and the
 * policy changes made at run time.  /run/cxlnicd/state.json, replaced
 * atomically (temporary file, fsync, rename).
 */
#ifndef CXLNICD_STATE_H
#define CXLNICD_STATE_H

#include <stdbool.h>
#include <stddef.h>

#define STATE_MAX_OVERRIDES 16

/* One policy key changed at run time, as the request gave it. */
struct policy_override {
	char key[32];
	char value[64];
};

struct nic_state {
	char pci_addr[32];
	bool unbound_by_us;	/* by a policy; bound again by it */
	char driver[64];
	char pending[32];	/* step being taken, "" when none */
	char memdev[32];	/* for a pending create-region */
	char memdev_host[32];	/* its PCI function, for a pending reset-memdev */
	char region[32];	/* last attached to; stale once decommitted */
	char region_uuid[37];	/* of a create-region under way */
	bool held;		/* unbound on request: stays unbound */
	char held_override[64];	/* its driver_override before the hold */
	bool operator_pci;	/* an operator put it on PCI: stays there */
	bool recover_requested;	/* a manual recover under way */
	size_t n_overrides;
	struct policy_override overrides[STATE_MAX_OVERRIDES];
};

struct json_object;
/* {"key": "value", ...}: the state file's and the control socket's shape. */
struct json_object *policy_overrides_to_json(const struct policy_override *ov,
					     size_t n);

int state_save(const char *path, const struct nic_state *nics, size_t n);
/*
 * Loads into a malloc'ed array; a missing file is an empty state.  An entry
 * with a field of the wrong type or size makes the whole file -EINVAL, and
 * a log line names the field.
 */
int state_load(const char *path, struct nic_state **nics, size_t *n);

#endif
