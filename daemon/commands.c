// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control socket's commands: what cxlnicd knows and does, as JSON.
 * The shapes are documented in docs/json.md ("cxlnicd").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cxlnic_json.h"
#include "cxlnic_names.h"
#include "daemon.h"
#include "log.h"
#include "stock.h"

#ifndef CXLNIC_VERSION
#define CXLNIC_VERSION "unknown"
#endif

static struct json_object *policy_to_json(const struct nic_policy *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "on_loss",
			       json_object_new_string(on_loss_name(p->on_loss)));
	json_object_object_add(o, "region", json_object_new_string(
			       p->region_auto ? "auto" : "manual"));
	json_object_object_add(o, "recovery", json_object_new_string(
			       p->recovery_auto ? "auto" : "manual"));
	json_object_object_add(o, "grace_ms", json_object_new_int64(p->grace_ms));
	json_object_object_add(o, "backoff_ms",
			       json_object_new_int64(p->backoff_ms));
	json_object_object_add(o, "backoff_max_ms",
			       json_object_new_int64(p->backoff_max_ms));
	json_object_object_add(o, "max_attempts",
			       json_object_new_int64(p->max_attempts));
	json_object_object_add(o, "escalate_after",
			       json_object_new_int64(p->escalate_after));
	json_object_object_add(o, "region_size",
			       json_object_new_uint64(p->region_size));
	json_object_object_add(o, "decoder_mode", json_object_new_string(
			       decoder_mode_name(p->decoder_mode)));
	json_object_object_add(o, "dax", json_object_new_string(
			       dax_policy_name(p->dax)));
	json_object_object_add(o, "memdev_serial", p->has_memdev_serial ?
			       json_object_new_uint64(p->memdev_serial) : NULL);
	return o;
}

enum nic_status nic_status_of(const struct nic *nic)
{
	if (nic->held)
		return NIC_STATUS_HELD;
	if (!nic->present)
		return nic->unbound_by_us ? NIC_STATUS_UNBOUND : NIC_STATUS_ABSENT;
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

static void add_string_if(struct json_object *o, const char *key,
			  const char *value)
{
	if (value[0])
		json_object_object_add(o, key, json_object_new_string(value));
}

static struct json_object *nic_to_json(const struct daemon *d,
				       const struct nic *nic)
{
	struct json_object *o = json_object_new_object();
	uint64_t now = now_usec();
	struct nic_policy p;

	nic_policy(d, nic, &p);
	json_object_object_add(o, "pci_addr", json_object_new_string(nic->pci_addr));
	json_object_object_add(o, "state",
			       json_object_new_string(nic_state_name(nic)));
	json_object_object_add(o, "driver", json_object_new_string(nic->driver));
	/* A stock NIC's memdev is known through the family: no pairing. */
	json_object_object_add(o, "managed",
			       json_object_new_boolean(p.has_memdev_serial ||
						       nic_is_stock(nic)));
	if (nic->present)
		json_object_object_add(o, "nic", cxlnic_dev_to_json(&nic->info));
	add_string_if(o, "waiting_for", nic->waiting_for);
	add_string_if(o, "dax_device", nic->dax_device);
	add_string_if(o, "pending", nic->pending);
	add_string_if(o, "last_step", nic->last_step);
	if (nic->last_step[0] && nic->last_error)
		json_object_object_add(o, "last_error",
				json_object_new_string(strerror(nic->last_error)));
	json_object_object_add(o, "failures", json_object_new_int64(nic->failures));
	if (nic->retry_at && nic->retry_at != UINT64_MAX)
		json_object_object_add(o, "retry_in_ms", json_object_new_int64(
			nic->retry_at > now ? (int64_t)(nic->retry_at - now) / 1000 : 0));
	json_object_object_add(o, "recover_requested",
			       json_object_new_boolean(nic->recover_requested));
	json_object_object_add(o, "operator_pci",
			       json_object_new_boolean(nic->operator_pci));
	json_object_object_add(o, "policy", policy_to_json(&p));
	json_object_object_add(o, "policy_changes",
			       policy_overrides_to_json(nic->overrides,
							nic->n_overrides));
	return o;
}

static struct json_object *status_to_json(const struct daemon *d)
{
	struct json_object *o = json_object_new_object();
	size_t i, on_cxl = 0, present = 0;

	for (i = 0; i < d->n_nics; i++) {
		present += d->nics[i].present;
		on_cxl += d->nics[i].present &&
			  d->nics[i].info.mode == CXLNIC_CTPIO_MODE_CXL;
	}
	json_object_object_add(o, "version", json_object_new_string(CXLNIC_VERSION));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "uptime_ms", json_object_new_int64(
			       (int64_t)(now_usec() - d->started_usec) / 1000));
	json_object_object_add(o, "config", json_object_new_string(d->config_path));
	json_object_object_add(o, "state_file", json_object_new_string(d->state_path));
	json_object_object_add(o, "read_group",
			       json_object_new_string(d->cfg.read_group));
	json_object_object_add(o, "nics", json_object_new_int64((int64_t)d->n_nics));
	json_object_object_add(o, "registered", json_object_new_int64((int64_t)present));
	json_object_object_add(o, "on_cxl", json_object_new_int64((int64_t)on_cxl));
	json_object_object_add(o, "resyncs", json_object_new_int64(d->resyncs));
	json_object_object_add(o, "history_entries",
			       json_object_new_int64((int64_t)d->history.len));
	return o;
}

static struct json_object *list_to_json(const struct daemon *d)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < d->n_nics; i++)
		json_object_array_add(arr, nic_to_json(d, &d->nics[i]));
	return arr;
}

/* Keep a run-time change of @key; "default" drops it. */
static int set_override(struct nic *nic, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < nic->n_overrides; i++)
		if (!strcmp(nic->overrides[i].key, key))
			break;
	if (!strcmp(value, "default")) {
		if (i < nic->n_overrides)
			nic->overrides[i] = nic->overrides[--nic->n_overrides];
		return 0;
	}
	if (i == STATE_MAX_OVERRIDES)
		return -ENOSPC;
	if (i == nic->n_overrides)
		nic->n_overrides++;
	snprintf(nic->overrides[i].key, sizeof(nic->overrides[i].key), "%s", key);
	snprintf(nic->overrides[i].value, sizeof(nic->overrides[i].value), "%s",
		 value);
	return 0;
}

/* "on_loss, region, ...": the keys a set-policy accepts. */
static void policy_key_list(char *buf, size_t len)
{
	const char *key;
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; (key = config_key_name(i)) && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 key);
}

static char *cmd_set_policy(struct daemon *d, struct nic *nic,
			    const struct control_request *req,
			    const struct control_peer *peer)
{
	struct nic_policy scratch = { 0 };
	char err[160], keys[256];

	if (!config_key_known(req->key)) {
		policy_key_list(keys, sizeof(keys));
		return control_reply_error(EINVAL,
			"unknown policy key '%s'; keys: %s", req->key, keys);
	}
	if (strcmp(req->value, "default") &&
	    config_set_key(&scratch, req->key, req->value, err, sizeof(err)))
		return control_reply_error(EINVAL, "%s (or 'default')", err);
	if (set_override(nic, req->key, req->value))
		return control_reply_error(ENOMEM, "too many policy changes");
	save_state(d);
	daemon_note(d, LOG_NOTICE, HISTORY_CONTROL, nic->pci_addr, "set-policy",
		    0, -1, "policy %s = %s (by %s)", req->key, req->value,
		    peer->who);
	/* The new policy may want something done now. */
	nic->failures = 0;
	nic->retry_at = 0;
	schedule_reconcile(d, 0);
	return control_reply_ok(nic_to_json(d, nic));
}

static char *cmd_unbind_bind(struct daemon *d, struct nic *nic, bool unbind,
			     const struct control_peer *peer)
{
	const char *what = unbind ? "unbind" : "bind";
	char pci_addr[sizeof(nic->pci_addr)];
	int rc;

	snprintf(pci_addr, sizeof(pci_addr), "%s", nic->pci_addr);
	rc = unbind ? nic_request_unbind(d, &nic) : nic_request_bind(d, &nic);
	daemon_note(d, rc ? LOG_WARNING : LOG_NOTICE, HISTORY_CONTROL,
		    pci_addr, what, rc, -1, "%s on request (by %s)%s%s",
		    what, peer->who, rc ? ": " : "",
		    rc ? strerror(-rc) : "");
	if (rc)
		return control_reply_error(rc, "%s %s: %s", what, pci_addr,
					   strerror(-rc));
	return control_reply_ok(nic_to_json(d, nic));
}

static char *cmd_recover(struct daemon *d, struct nic *nic,
			 const struct control_peer *peer)
{
	char pci_addr[sizeof(nic->pci_addr)];

	daemon_note(d, LOG_NOTICE, HISTORY_CONTROL, nic->pci_addr, "recover",
		    0, -1, "recover on request (by %s)", peer->who);
	if (nic->held)
		return control_reply_error(EBUSY,
			"%s was unbound on request: 'bind' it first",
			nic->pci_addr);
	snprintf(pci_addr, sizeof(pci_addr), "%s", nic->pci_addr);
	nic_request_recover(d, &nic);
	if (!nic)
		return control_reply_error(ENODEV, "%s is gone", pci_addr);
	return control_reply_ok(nic_to_json(d, nic));
}

static char *cmd_reload(struct daemon *d)
{
	int rc = reload_config(d);

	/* reload_config() noted why in the history: the reply says the same. */
	if (rc)
		return control_reply_error(rc, "%s",
			d->history.len ? history_at(&d->history,
				d->history.len - 1)->message : "reload failed");
	return control_reply_ok(status_to_json(d));
}

static char *nic_command(struct daemon *d, const struct control_request *req,
			 const struct control_peer *peer)
{
	struct nic *nic = nic_find(d, req->nic);
	struct nic_policy p;

	if (!nic)
		return control_reply_error(ENODEV, "no NIC '%s'", req->nic);
	switch (req->cmd) {
	case CTL_SHOW:
		return control_reply_ok(nic_to_json(d, nic));
	case CTL_POLICY:
		nic_policy(d, nic, &p);
		return control_reply_ok(policy_to_json(&p));
	case CTL_SET_POLICY:
		return cmd_set_policy(d, nic, req, peer);
	case CTL_RECOVER:
		return cmd_recover(d, nic, peer);
	case CTL_UNBIND:
	case CTL_BIND:
		return cmd_unbind_bind(d, nic, req->cmd == CTL_UNBIND, peer);
	default:
		return control_reply_error(EINVAL, "not a NIC command");
	}
}

char *control_dispatch(const struct control_request *req,
		       const struct control_peer *peer,
		       void *arg)
{
	struct daemon *d = arg;
	struct nic *nic;

	switch (req->cmd) {
	case CTL_STATUS:
		return control_reply_ok(status_to_json(d));
	case CTL_LIST:
		return control_reply_ok(list_to_json(d));
	case CTL_HISTORY:
		nic = req->nic[0] ? nic_find(d, req->nic) : NULL;
		if (req->nic[0] && !nic)
			return control_reply_error(ENODEV, "no NIC '%s'", req->nic);
		return control_reply_ok(history_to_json(&d->history,
				nic ? nic->pci_addr : NULL, req->limit));
	case CTL_MONITOR:
		return control_reply_ok(NULL);
	case CTL_RELOAD:
		return cmd_reload(d);
	default:
		return nic_command(d, req, peer);
	}
}
