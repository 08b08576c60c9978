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

/* The keys of config.c's table in its order, the order docs/json.md has. */
static struct json_object *policy_to_json(const struct nic_policy *p)
{
	struct json_object *o = json_object_new_object();
	struct config_value v;
	unsigned int i;

	for (i = 0; !config_key_value(p, i, &v); i++)
		json_object_object_add(o, config_key_name(i), v.name ?
				       json_object_new_string(v.name) :
				       v.unset ? NULL :
				       json_object_new_uint64(v.number));
	return o;
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
	json_object_object_add(o, "pci_addr", json_object_new_string(nic->st.pci_addr));
	json_object_object_add(o, "state",
			       json_object_new_string(nic_state_name(nic)));
	json_object_object_add(o, "driver", json_object_new_string(nic->st.driver));
	/* A stock NIC's memdev is known through the family: no pairing. */
	json_object_object_add(o, "managed",
			       json_object_new_boolean(p.has_memdev_serial ||
						       nic_is_stock(nic)));
	if (nic->present)
		json_object_object_add(o, "nic", cxlnic_dev_to_json(&nic->info));
	add_string_if(o, "waiting_for", nic->waiting_for);
	add_string_if(o, "dax_device", nic->dax_device);
	add_string_if(o, "pending", nic->st.pending);
	add_string_if(o, "last_step", nic->last_step);
	if (nic->last_step[0] && nic->last_error)
		json_object_object_add(o, "last_error",
				json_object_new_string(strerror(nic->last_error)));
	json_object_object_add(o, "failures", json_object_new_int64(nic->failures));
	if (nic->retry_at && nic->retry_at != UINT64_MAX)
		json_object_object_add(o, "retry_in_ms", json_object_new_int64(
			nic->retry_at > now ? (int64_t)(nic->retry_at - now) / 1000 : 0));
	json_object_object_add(o, "recover_requested",
			       json_object_new_boolean(nic->st.recover_requested));
	json_object_object_add(o, "operator_pci",
			       json_object_new_boolean(nic->st.operator_pci));
	json_object_object_add(o, "policy", policy_to_json(&p));
	json_object_object_add(o, "policy_changes",
			       policy_overrides_to_json(nic->st.overrides,
							nic->st.n_overrides));
	return o;
}

static struct json_object *status_to_json(const struct daemon *d)
{
	struct json_object *o = json_object_new_object();
	struct nic_counts c = nic_count(d);

	json_object_object_add(o, "version", json_object_new_string(CXLNIC_VERSION));
	json_object_object_add(o, "pid", json_object_new_int(getpid()));
	json_object_object_add(o, "uptime_ms", json_object_new_int64(
			       (int64_t)(now_usec() - d->started_usec) / 1000));
	json_object_object_add(o, "config", json_object_new_string(d->config_path));
	json_object_object_add(o, "state_file", json_object_new_string(d->state_path));
	json_object_object_add(o, "read_group",
			       json_object_new_string(d->cfg.read_group));
	json_object_object_add(o, "nics",
			       json_object_new_int64((int64_t)c.known));
	json_object_object_add(o, "registered",
			       json_object_new_int64((int64_t)c.registered));
	json_object_object_add(o, "on_cxl",
			       json_object_new_int64((int64_t)c.on_cxl));
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
	if (nic_request_policy(d, nic, req->key, req->value, peer->who))
		return control_reply_error(ENOSPC, "too many policy changes");
	return control_reply_ok(req->method, nic_to_json(d, nic));
}

static char *cmd_unbind_bind(struct daemon *d, struct nic *nic,
			     enum cxlnic_method m,
			     const struct control_peer *peer)
{
	bool unbind = m == CXLNIC_M_UNBIND;
	const char *what = unbind ? "unbind" : "bind";
	char pci_addr[sizeof(nic->st.pci_addr)];
	int rc;

	snprintf(pci_addr, sizeof(pci_addr), "%s", nic->st.pci_addr);
	rc = unbind ? nic_request_unbind(d, &nic) : nic_request_bind(d, &nic);
	daemon_note(d, rc ? LOG_WARNING : LOG_NOTICE, HISTORY_CONTROL,
		    pci_addr, what, rc, -1, "%s on request (by %s)%s%s",
		    what, peer->who, rc ? ": " : "",
		    rc ? strerror(-rc) : "");
	if (rc)
		return control_reply_error(rc, "%s %s: %s", what, pci_addr,
					   strerror(-rc));
	return control_reply_ok(m, nic_to_json(d, nic));
}

static char *cmd_recover(struct daemon *d, struct nic *nic,
			 const struct control_peer *peer)
{
	char pci_addr[sizeof(nic->st.pci_addr)];

	daemon_note(d, LOG_NOTICE, HISTORY_CONTROL, nic->st.pci_addr, "recover",
		    0, -1, "recover on request (by %s)", peer->who);
	if (nic->st.held)
		return control_reply_error(EBUSY,
			"%s was unbound on request: 'bind' it first",
			nic->st.pci_addr);
	snprintf(pci_addr, sizeof(pci_addr), "%s", nic->st.pci_addr);
	nic_request_recover(d, &nic);
	if (!nic)
		return control_reply_error(ENODEV, "%s is gone", pci_addr);
	return control_reply_ok(CXLNIC_M_RECOVER, nic_to_json(d, nic));
}

static char *cmd_reload(struct daemon *d)
{
	int rc = reload_config(d);

	/* reload_config() noted why in the history: the reply says the same. */
	if (rc)
		return control_reply_error(rc, "%s",
			d->history.len ? history_at(&d->history,
				d->history.len - 1)->message : "reload failed");
	return control_reply_ok(CXLNIC_M_RELOAD, status_to_json(d));
}

static char *nic_command(struct daemon *d, const struct control_request *req,
			 const struct control_peer *peer)
{
	struct nic *nic = nic_find(d, req->nic);
	struct nic_policy p;

	if (!nic)
		return control_reply_error(ENODEV, "no NIC '%s'", req->nic);
	switch (req->method) {
	case CXLNIC_M_SHOW:
		return control_reply_ok(req->method, nic_to_json(d, nic));
	case CXLNIC_M_POLICY:
		nic_policy(d, nic, &p);
		return control_reply_ok(req->method, policy_to_json(&p));
	case CXLNIC_M_SET_POLICY:
		return cmd_set_policy(d, nic, req, peer);
	case CXLNIC_M_RECOVER:
		return cmd_recover(d, nic, peer);
	case CXLNIC_M_UNBIND:
	case CXLNIC_M_BIND:
		return cmd_unbind_bind(d, nic, req->method, peer);
	default:
		return control_reply_error(EINVAL, "not a NIC command");
	}
}

/* Monitor's first reply: from here on, every new entry follows. */
static struct json_object *monitor_ready(void)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ready", json_object_new_boolean(true));
	return o;
}

char *control_dispatch(const struct control_request *req,
		       const struct control_peer *peer,
		       void *arg)
{
	struct daemon *d = arg;
	struct nic *nic;

	switch (req->method) {
	case CXLNIC_M_STATUS:
		return control_reply_ok(req->method, status_to_json(d));
	case CXLNIC_M_LIST:
		return control_reply_ok(req->method, list_to_json(d));
	case CXLNIC_M_HISTORY:
		nic = req->nic[0] ? nic_find(d, req->nic) : NULL;
		if (req->nic[0] && !nic)
			return control_reply_error(ENODEV, "no NIC '%s'",
						   req->nic);
		return control_reply_ok(req->method,
			history_to_json(&d->history,
					nic ? nic->st.pci_addr : NULL,
					req->limit));
	case CXLNIC_M_MONITOR:
		return control_reply_parameters(monitor_ready(), true);
	case CXLNIC_M_RELOAD:
		return cmd_reload(d);
	default:
		return nic_command(d, req, peer);
	}
}
