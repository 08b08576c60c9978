// SPDX-License-Identifier: GPL-2.0-only
/*
 * daemon_note(): what cxlnicd says of what happens goes three ways at
 * once, to the journal, into the history and to the control socket's
 * monitors, so that none of them tells another story.
 */
#include <stdarg.h>
#include <stdio.h>

#include <json-c/json.h>

#include "daemon.h"
#include "log.h"

void daemon_note(struct daemon *d, int priority, enum history_kind kind,
		 const char *nic, const char *what, int error, long ms,
		 const char *fmt, ...)
{
	const struct history_entry *e;
	struct json_object *o;
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_note(priority, nic, what, error, ms, msg);
	e = history_add(&d->history, kind, nic, what, error, ms, "%s", msg);
	if (!d->ctl)
		return;
	o = history_entry_to_json(e);
	control_broadcast(d->ctl, o);
	json_object_put(o);
}
