// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnicctl's commands that cxlnicd serves over its control socket: status,
 * policy, recover, unbind, bind, history, reload, and their halves of
 * monitor and list --state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cxlnic_ctl.h"
#include "exit_codes.h"
#include "cxlnic_dev.h"
#include "cxlnic_names.h"
#include "output.h"

/* One line for a failed call; the exit code is daemon_exit_code()'s. */
static int daemon_report(struct cxlnic_ctl *c, int err)
{
	const char *msg = c ? cxlnic_ctl_error(c) : "";

	switch (err) {
	case -CXLNIC_ENODAEMON:
		errorf("cxlnicd is not running (systemctl start cxlnicd); '%s' needs it",
		       cmd_name);
		break;
	case -EAGAIN:
		errorf("cxlnicd is busy: too many connections%s%s%s; try again",
		       *msg ? " (" : "", msg, *msg ? ")" : "");
		break;
	case -ECONNRESET:
		errorf("cxlnicd closed the connection without a reply");
		break;
	case -ETIMEDOUT:
		if (*msg)
			errorf("%s", msg);
		else
			errorf("cxlnicd did not answer in time: it answers between the steps of a recovery, and one may still run (a PCI reset); try again, or give --timeout SECONDS (0: no limit)");
		break;
	case -ENODEV:
		errorf("%s (see cxlnicctl list)", msg);
		break;
	default:
		errorf("%s", *msg ? msg : strerror(-err));
		break;
	}
	return daemon_exit_code(cmd_name, err, *msg);
}

/*
 * --timeout SECONDS of a daemon command: how long to wait for the reply
 * (0: no limit); not given (-1), the library's default.
 */
static long reply_timeout = -1;

/* Send @req (consumed); 0 with @result, or the exit code after a report. */
static int call(struct json_object *req, struct json_object **result)
{
	struct cxlnic_ctl *c;
	int rc = cxlnic_ctl_open(&c, NULL);

	*result = NULL;
	if (rc) {
		json_object_put(req);
		return daemon_report(NULL, rc);
	}
	if (reply_timeout >= 0)
		cxlnic_ctl_set_timeout(c, (int)(reply_timeout * 1000));
	rc = cxlnic_ctl_call(c, req, result);
	if (rc)
		rc = daemon_report(c, rc);
	cxlnic_ctl_close(c);
	return rc;
}

/*
 * parse_opts() for a command that asks cxlnicd: its --timeout is the one
 * call() waits for the reply.
 */
static int daemon_opts(int argc, char **argv, const int *allowed,
		       struct opts *o)
{
	int n = parse_opts(argc, argv, allowed, o);

	if (n >= 0)
		reply_timeout = o->timeout;
	return n;
}

int cmd_status(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, OPT_TIMEOUT, 0 };
	struct json_object *res;
	struct opts o = { .timeout = -1 };
	int n, rc;

	n = daemon_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (argc - n > 1)
		return usage_error("status [NIC] [-j|--json] [--timeout S]");
	/* With a NIC: cxlnicd's view of it; without: of itself. */
	rc = call(argc - n ? cxlnic_ctl_request(CXLNIC_M_SHOW, argv[n]) :
			     cxlnic_ctl_request(CXLNIC_M_STATUS, NULL), &res);
	if (rc)
		return rc;
	if (o.json) {
		print_json_pretty(res);
		return EXIT_OK;
	}
	if (argc - n)
		print_daemon_nic(stdout, res);
	else
		print_daemon_status(stdout, res);
	json_object_put(res);
	return EXIT_OK;
}

int cmd_policy(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, OPT_TIMEOUT, 0 };
	struct json_object *req, *res, *policy, *changes;
	struct opts o = { .timeout = -1 };
	int n, rc;

	n = daemon_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (argc - n != 1 && argc - n != 3)
		return usage_error("policy NIC [KEY VALUE] [-j|--json] [--timeout S]");
	req = cxlnic_ctl_request(argc - n == 1 ? CXLNIC_M_SHOW :
				 CXLNIC_M_SET_POLICY, argv[n]);
	if (argc - n == 3) {
		cxlnic_ctl_param(req, "key",
				 json_object_new_string(argv[n + 1]));
		cxlnic_ctl_param(req, "value",
				 json_object_new_string(argv[n + 2]));
	}
	rc = call(req, &res);
	if (rc)
		return rc;
	policy = json_object_object_get(res, "policy");
	changes = json_object_object_get(res, "policy_changes");
	if (o.json) {
		struct json_object *out = json_object_new_object();

		json_object_object_add(out, "pci_addr",
			json_object_get(json_object_object_get(res, "pci_addr")));
		json_object_object_add(out, "policy", json_object_get(policy));
		json_object_object_add(out, "policy_changes",
				       json_object_get(changes));
		print_json_pretty(out);
	} else {
		printf("%s:\n", json_object_get_string(
		       json_object_object_get(res, "pci_addr")));
		print_policy(stdout, policy, changes);
	}
	json_object_put(res);
	return EXIT_OK;
}

/* A recover that waits: on what, from the daemon's own word for it. */
static void say_not_back(struct json_object *res)
{
	const char *waiting = json_object_get_string(
		json_object_object_get(res, "waiting_for"));

	if (waiting)
		errorf("not back on CXL yet: waiting for %s; cxlnicd goes on by itself once that changes",
		       waiting);
	else
		errorf("not back on CXL yet; cxlnicd goes on when the missing piece returns");
}

/* recover, unbind, bind: a request on one NIC, then where it ended. */
static int nic_action(int argc, char **argv, enum cxlnic_method m)
{
	static const int allowed[] = { OPT_JSON, OPT_TIMEOUT, 0 };
	struct json_object *res;
	struct opts o = { .timeout = -1 };
	char usage[64];
	const char *state;
	int n, rc;

	n = daemon_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (argc - n != 1) {
		snprintf(usage, sizeof(usage),
			 "%s NIC [-j|--json] [--timeout S]", cmd_name);
		return usage_error(usage);
	}
	rc = call(cxlnic_ctl_request(m, argv[n]), &res);
	if (rc)
		return rc;
	state = json_object_get_string(json_object_object_get(res, "state"));
	/* A recovery that has to wait for a piece has not succeeded yet. */
	rc = m != CXLNIC_M_RECOVER || !strcmp(state, "on-cxl") ?
	     EXIT_OK : EXIT_FAIL;
	if (o.json) {
		print_json_pretty(res);
		return rc;
	}
	print_daemon_nic(stdout, res);
	if (rc)
		say_not_back(res);
	json_object_put(res);
	return rc;
}

int cmd_recover(int argc, char **argv)
{
	return nic_action(argc, argv, CXLNIC_M_RECOVER);
}

int cmd_unbind(int argc, char **argv)
{
	return nic_action(argc, argv, CXLNIC_M_UNBIND);
}

int cmd_bind(int argc, char **argv)
{
	return nic_action(argc, argv, CXLNIC_M_BIND);
}

int cmd_history(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, OPT_COUNT, OPT_TIMEOUT, 0 };
	struct json_object *req, *res;
	struct opts o = { .timeout = -1 };
	size_t i;
	int n, rc;

	n = daemon_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (argc - n > 1)
		return usage_error("history [NIC] [--count N] [-j|--json] [--timeout S]");
	req = cxlnic_ctl_request(CXLNIC_M_HISTORY, argc - n ? argv[n] : NULL);
	if (o.count)
		cxlnic_ctl_param(req, "limit", json_object_new_int64(o.count));
	rc = call(req, &res);
	if (rc)
		return rc;
	if (o.json) {
		print_json_pretty(res);
		return EXIT_OK;
	}
	for (i = 0; i < json_object_array_length(res); i++)
		print_history_entry(stdout, json_object_array_get_idx(res, i));
	json_object_put(res);
	return EXIT_OK;
}

/*
 * Re-read cxlnicd.conf, as SIGHUP does: a refused file leaves the old one
 * in force, and cxlnicd's reply names its line.
 */
int cmd_reload(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, OPT_TIMEOUT, 0 };
	struct json_object *res;
	struct opts o = { .timeout = -1 };
	int n, rc;

	n = daemon_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (n != argc)
		return usage_error("reload [-j|--json] [--timeout S]");
	rc = call(cxlnic_ctl_request(CXLNIC_M_RELOAD, NULL), &res);
	if (rc)
		return rc;
	if (o.json) {
		print_json_pretty(res);
		return EXIT_OK;
	}
	printf("cxlnicd reloaded %s; NICs given up on are tried again\n",
	       json_object_get_string(json_object_object_get(res, "config")));
	json_object_put(res);
	return EXIT_OK;
}

int daemon_list(struct json_object **list)
{
	return call(cxlnic_ctl_request(CXLNIC_M_LIST, NULL), list);
}

int daemon_state_of(struct json_object *list, const char *pci_addr)
{
	size_t i;

	for (i = 0; i < json_object_array_length(list); i++) {
		struct json_object *nic = json_object_array_get_idx(list, i);
		const char *addr = json_object_get_string(
			json_object_object_get(nic, "pci_addr"));
		const char *state = json_object_get_string(
			json_object_object_get(nic, "state"));

		if (addr && state && cxlnic_pci_addr_matches(pci_addr, addr))
			return cxlnic_nic_status_from_name(state);
	}
	return -1;
}

struct cxlnic_ctl *daemon_monitor_open(void)
{
	struct json_object *res;
	struct cxlnic_ctl *c;

	if (cxlnic_ctl_open(&c, NULL))
		return NULL;
	if (cxlnic_ctl_call(c, cxlnic_ctl_request(CXLNIC_M_MONITOR, NULL),
			    &res)) {
		errorf("cxlnicd's actions are not shown: %s", cxlnic_ctl_error(c));
		cxlnic_ctl_close(c);
		return NULL;
	}
	json_object_put(res);
	return c;
}

/*
 * Print the entries already read; true while the connection stands.
 * Entries can arrive with Monitor's first reply itself, before any poll()
 * would wake for them.
 */
bool daemon_monitor_drain(struct cxlnic_ctl *c, bool json, long *seen,
			  long limit)
{
	struct json_object *e;
	int rc;

	while ((rc = cxlnic_ctl_next(c, &e)) == 0) {
		if (limit && *seen >= limit) {
			json_object_put(e);
			continue;
		}
		(*seen)++;
		if (json) {
			json_object_object_add(e, "source",
					       json_object_new_string("cxlnicd"));
			print_json_line(e);
		} else {
			print_history_entry(stdout, e);
			json_object_put(e);
		}
	}
	return rc == -EAGAIN;
}

bool daemon_monitor_read(struct cxlnic_ctl *c, bool json, long *seen,
			 long limit)
{
	return !cxlnic_ctl_fill(c) && daemon_monitor_drain(c, json, seen, limit);
}
