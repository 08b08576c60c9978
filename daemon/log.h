/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicd's log: one line on stderr (which systemd puts in the journal)
 * and, where journald runs, the same with structured fields: CXLNIC_NIC,
 * CXLNIC_STEP, CXLNIC_DURATION_MS.
 */
#ifndef CXLNICD_LOG_H
#define CXLNICD_LOG_H

#include <syslog.h>

extern int log_max_priority;

void log_nic(int priority, const char *nic, const char *step, long ms,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define log_info(...)	log_nic(LOG_INFO, NULL, NULL, -1, __VA_ARGS__)
#define log_err(...)	log_nic(LOG_ERR, NULL, NULL, -1, __VA_ARGS__)
#define log_debug(...)	log_nic(LOG_DEBUG, NULL, NULL, -1, __VA_ARGS__)

#endif
