// SPDX-License-Identifier: GPL-2.0-only
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"

int log_max_priority = LOG_INFO;

void log_nic(int priority, const char *nic, const char *step, long ms,
	     const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (priority > log_max_priority)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Under systemd stderr already is the journal: send fields instead. */
	if (!getenv("JOURNAL_STREAM") ||
	    access("/run/systemd/journal/socket", F_OK)) {
		fprintf(stderr, "cxlnicd: %s%s%s\n", nic ? nic : "",
			nic ? ": " : "", msg);
		return;
	}
	sd_journal_send("MESSAGE=%s%s%s", nic ? nic : "", nic ? ": " : "", msg,
			"PRIORITY=%d", priority,
			"CXLNIC_NIC=%s", nic ? nic : "",
			"CXLNIC_STEP=%s", step ? step : "",
			"CXLNIC_DURATION_MS=%ld", ms,
			"SYSLOG_IDENTIFIER=cxlnicd", NULL);
}
