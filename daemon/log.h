/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicd's log: one line on stderr or, when stderr is the journal's
 * stream (JOURNAL_STREAM matches it), the same with structured fields:
 * CXLNIC_NIC, CXLNIC_STEP, CXLNIC_DURATION_MS, ERRNO where they say
 * something, and MESSAGE_ID for the events of log_message_ids[].
 */
#ifndef CXLNICD_LOG_H
#define CXLNICD_LOG_H

#include <stdbool.h>
#include <syslog.h>

#define LOG_MAX_FIELDS	8

extern int log_max_priority;

struct log_message_id {
	const char *step;		/* the history's name of the event */
	const char *id;			/* sd-id128, 32 hex digits */
};

/* Ends with { NULL, NULL }. */
extern const struct log_message_id log_message_ids[];
const char *log_message_id_of(const char *step);

/* @err: a negative errno or 0; @ms: the step's duration, or -1. */
void log_note(int priority, const char *nic, const char *step, int err,
	      long ms, const char *msg);
void log_nic(int priority, const char *nic, const char *step, long ms,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define log_info(...)	log_nic(LOG_INFO, NULL, NULL, -1, __VA_ARGS__)
#define log_err(...)	log_nic(LOG_ERR, NULL, NULL, -1, __VA_ARGS__)
#define log_debug(...)	log_nic(LOG_DEBUG, NULL, NULL, -1, __VA_ARGS__)

#endif
