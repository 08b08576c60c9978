/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicd's history: a bounded ring of what happened (family events, resyncs)
 * and what cxlnicd did about it (recovery steps with their result and
 * duration, policy changes, requests over the control socket).  The oldest
 * entry makes room for the newest; each has a sequence number, so a reader
 * can tell what it missed.
 */
#ifndef CXLNICD_HISTORY_H
#define CXLNICD_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define HISTORY_DEFAULT_SIZE 512

enum history_kind {
	HISTORY_EVENT,		/* the kernel or udev told us something */
	HISTORY_ACTION,		/* a recovery step cxlnicd took */
	HISTORY_CONTROL,	/* a request that changed something */
	HISTORY_DAEMON,		/* start, reload, resync, give-up */
};

struct history_entry {
	uint64_t seq;
	uint64_t time_usec;	/* CLOCK_REALTIME */
	enum history_kind kind;
	char nic[32];		/* "" when about no single NIC */
	char what[32];		/* event or step name */
	int error;		/* 0 or a positive errno */
	long duration_ms;	/* -1 when not timed */
	char message[200];
};

struct history {
	struct history_entry *ring;
	size_t size;
	size_t len;
	uint64_t next_seq;	/* seq of the next entry; the first is 1 */
};

int history_init(struct history *h, size_t size);
void history_free(struct history *h);
/* Append and return the new entry (owned by the ring). */
const struct history_entry *
history_add(struct history *h, enum history_kind kind, const char *nic,
	    const char *what, int error, long duration_ms, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* The i-th oldest entry still held, NULL past the end. */
const struct history_entry *history_at(const struct history *h, size_t i);
const char *history_kind_name(enum history_kind kind);

struct json_object *history_entry_to_json(const struct history_entry *e);
/* The newest @limit entries (0: all), of @nic only when not NULL, oldest first. */
struct json_object *history_to_json(const struct history *h, const char *nic,
				    size_t limit);

#endif
