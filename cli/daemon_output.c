// SPDX-License-Identifier: GPL-2.0-only
/* Human output of what cxlnicd replies (its JSON shapes: docs/json.md). */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "output.h"

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v)
		return NULL;
	return json_object_get_string(v);
}

static int64_t num(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

void print_daemon_status(FILE *f, struct json_object *st)
{
	int64_t up = num(st, "uptime_ms") / 1000;

	fprintf(f, "cxlnicd %s, pid %" PRId64 ", up %" PRId64 "h%02" PRId64
		"m%02" PRId64 "s\n", str(st, "version"), num(st, "pid"),
		up / 3600, up / 60 % 60, up % 60);
	fprintf(f, "  NICs:         %" PRId64 " known, %" PRId64
		" registered, %" PRId64 " on CXL\n", num(st, "nics"),
		num(st, "registered"), num(st, "on_cxl"));
	fprintf(f, "  config:       %s\n", str(st, "config"));
	fprintf(f, "  state file:   %s\n", str(st, "state_file"));
	fprintf(f, "  read group:   %s\n",
		*str(st, "read_group") ? str(st, "read_group") : "(root only)");
	fprintf(f, "  resyncs:      %" PRId64 ", history %" PRId64 " entries\n",
		num(st, "resyncs"), num(st, "history_entries"));
}

/* A policy value for people: memdev_serial as serials are shown. */
static const char *policy_value(const char *key, struct json_object *v,
				char *buf, size_t len)
{
	if (!v)
		return "-";
	if (!strcmp(key, "memdev_serial") &&
	    json_object_is_type(v, json_type_int))
		return format_serial(json_object_get_uint64(v), buf, len);
	return json_object_get_string(v);
}

void print_policy(FILE *f, struct json_object *policy,
		  struct json_object *changes)
{
	char buf[SERIAL_BUF_LEN];

	json_object_object_foreach(policy, key, v) {
		struct json_object *c = NULL;

		fprintf(f, "  %-15s %s%s\n", key,
			policy_value(key, v, buf, sizeof(buf)),
			changes && json_object_object_get_ex(changes, key, &c) ?
			"  (changed at run time)" : "");
	}
}

/* cxlnicd's waiting_for, as the words of a sentence. */
static const char *waiting_phrase(const char *what)
{
	static const struct { const char *what, *phrase; } phrases[] = {
		{ "root", "the CXL root" },
		{ "memdev", "the memdev" },
		{ "region", "a region (region=manual)" },
		{ "decoder-mode", "a region in its decoder mode" },
		{ "grace-period", "the grace period to end" },
		{ "loss-grace", "grace_ms after the loss to pass" },
		{ "dax", "the namespace on its region to go (dax policy)" },
	};
	size_t i;

	for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		if (!strcmp(what, phrases[i].what))
			return phrases[i].phrase;
	return what;
}

void print_daemon_nic(FILE *f, struct json_object *nic)
{
	struct json_object *policy = NULL, *changes = NULL, *dev = NULL;
	const char *s;

	fprintf(f, "%s: %s", str(nic, "pci_addr"), str(nic, "state"));
	if ((s = str(nic, "waiting_for")))
		fprintf(f, ", waiting for %s", waiting_phrase(s));
	if (json_object_object_get_ex(nic, "nic", &dev)) {
		struct json_object *region;

		fprintf(f, ", mode %s", str(dev, "mode"));
		if (json_object_object_get_ex(dev, "region", &region) && region)
			fprintf(f, ", region %s", str(region, "name"));
	}
	if ((s = str(nic, "dax_device")))
		fprintf(f, ", /dev/%s", s);
	if (!json_object_get_boolean(json_object_object_get(nic, "managed")))
		fprintf(f, " (not managed: no memdev_serial paired)");
	fputc('\n', f);
	if ((s = str(nic, "last_step")))
		fprintf(f, "  last step:      %s%s%s\n", s,
			str(nic, "last_error") ? ": " : "",
			str(nic, "last_error") ? str(nic, "last_error") : "");
	if (num(nic, "failures"))
		fprintf(f, "  failures:       %" PRId64 ", next try in %" PRId64
			" ms\n", num(nic, "failures"), num(nic, "retry_in_ms"));
	json_object_object_get_ex(nic, "policy", &policy);
	json_object_object_get_ex(nic, "policy_changes", &changes);
	if (policy)
		print_policy(f, policy, changes);
}

void print_history_entry(FILE *f, struct json_object *e)
{
	time_t t = (time_t)(num(e, "time_usec") / 1000000);
	char stamp[32];

	strftime(stamp, sizeof(stamp), "%F %T", localtime(&t));
	fprintf(f, "%s.%03" PRId64 " %-7s %-12s %s", stamp,
		num(e, "time_usec") / 1000 % 1000, str(e, "kind"),
		str(e, "nic") ? str(e, "nic") : "-", str(e, "message"));
	if (str(e, "error") && !strstr(str(e, "message"), str(e, "error")))
		fprintf(f, " (%s)", str(e, "error"));
	fputc('\n', f);
	fflush(f);
}
