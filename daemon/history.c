// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"

static const char *const kind_names[] = {
	[HISTORY_EVENT] = "event",
	[HISTORY_ACTION] = "action",
	[HISTORY_CONTROL] = "control",
	[HISTORY_DAEMON] = "daemon",
};

const char *history_kind_name(enum history_kind kind)
{
	return kind_names[kind];
}

int history_init(struct history *h, size_t size)
{
	memset(h, 0, sizeof(*h));
	h->ring = calloc(size ? size : 1, sizeof(*h->ring));
	if (!h->ring)
		return -ENOMEM;
	h->size = size ? size : 1;
	h->next_seq = 1;
	return 0;
}

void history_free(struct history *h)
{
	free(h->ring);
	memset(h, 0, sizeof(*h));
}

static uint64_t realtime_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

const struct history_entry *
history_add(struct history *h, enum history_kind kind, const char *nic,
	    const char *what, int error, long duration_ms, const char *fmt, ...)
{
	struct history_entry *e;
	va_list ap;

	/* The slot after the newest is the oldest once the ring is full. */
	e = &h->ring[(h->next_seq - 1) % h->size];
	memset(e, 0, sizeof(*e));
	e->seq = h->next_seq++;
	e->time_usec = realtime_usec();
	e->kind = kind;
	snprintf(e->nic, sizeof(e->nic), "%s", nic ? nic : "");
	snprintf(e->what, sizeof(e->what), "%s", what ? what : "");
	e->error = error < 0 ? -error : error;
	e->duration_ms = duration_ms;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	if (h->len < h->size)
		h->len++;
	return e;
}

const struct history_entry *history_at(const struct history *h, size_t i)
{
	uint64_t oldest = h->next_seq - h->len;

	if (i >= h->len)
		return NULL;
	return &h->ring[(oldest + i - 1) % h->size];
}

struct json_object *history_entry_to_json(const struct history_entry *e)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "seq", json_object_new_uint64(e->seq));
	json_object_object_add(o, "time_usec",
			       json_object_new_uint64(e->time_usec));
	json_object_object_add(o, "kind",
			       json_object_new_string(kind_names[e->kind]));
	if (e->nic[0])
		json_object_object_add(o, "nic", json_object_new_string(e->nic));
	json_object_object_add(o, "what", json_object_new_string(e->what));
	json_object_object_add(o, "ok", json_object_new_boolean(!e->error));
	if (e->error)
		json_object_object_add(o, "error",
				       json_object_new_string(strerror(e->error)));
	if (e->duration_ms >= 0)
		json_object_object_add(o, "duration_ms",
				       json_object_new_int64(e->duration_ms));
	json_object_object_add(o, "message", json_object_new_string(e->message));
	return o;
}

struct json_object *history_to_json(const struct history *h, const char *nic,
				    size_t limit)
{
	struct json_object *arr = json_object_new_array();
	const struct history_entry *e;
	size_t i, skip = 0, matching = 0;

	for (i = 0; (e = history_at(h, i)); i++)
		matching += !nic || !strcmp(e->nic, nic);
	if (limit && matching > limit)
		skip = matching - limit;
	for (i = 0; (e = history_at(h, i)); i++) {
		if (nic && strcmp(e->nic, nic))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		json_object_array_add(arr, history_entry_to_json(e));
	}
	return arr;
}
