// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "log.h"

int log_max_priority = LOG_INFO;

/*
 * The events an operator searches for whatever their text says
 * (journalctl MESSAGE_ID=...), keyed by their history name.  cxlnicd(8),
 * JOURNAL, lists the same; a unit test checks that it does.
 */
const struct log_message_id log_message_ids[] = {
	{ "give-up",	"dd4d1277a2cd4a4089baccd9ed028868" },
	{ "recovered",	"486bb82ecd004c54aba122652fdcc9c1" },
	{ "resync",	"59d41521991b431083666d79a58ff51a" },
	{ "escalate",	"6a9e6f5d428d4d0eb56b7d15d7cc46f8" },
	{ NULL, NULL }
};

const char *log_message_id_of(const char *step)
{
	const struct log_message_id *m;

	for (m = log_message_ids; step && m->step; m++)
		if (!strcmp(m->step, step))
			return m->id;
	return NULL;
}

/*
 * Whether stderr is the journal's stream: JOURNAL_STREAM names its device
 * and inode, and is inherited by children whose stderr may be elsewhere.
 */
static bool stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!stream || sscanf(stream, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st))
		return false;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

/* Under systemd, stderr is the journal: fields go there instead. */
static bool use_journal(void)
{
	static int cached = -1;

	if (cached < 0)
		cached = stderr_is_journal() &&
			 !access("/run/systemd/journal/socket", F_OK);
	return cached;
}

struct fields {
	struct iovec iov[LOG_MAX_FIELDS];
	char buf[LOG_MAX_FIELDS][600];
	int n;
};

static void __attribute__((format(printf, 2, 3)))
field(struct fields *f, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (f->n == LOG_MAX_FIELDS)
		return;
	va_start(ap, fmt);
	len = vsnprintf(f->buf[f->n], sizeof(f->buf[0]), fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(f->buf[0]))
		len = sizeof(f->buf[0]) - 1;
	f->iov[f->n].iov_base = f->buf[f->n];
	f->iov[f->n].iov_len = len;
	f->n++;
}

/* Only the fields that say something: none empty, no duration of -1. */
static void journal_send(int priority, const char *nic, const char *step,
			 int err, long ms, const char *msg)
{
	const char *id = log_message_id_of(step);
	struct fields f = { .n = 0 };

	field(&f, "MESSAGE=%s%s%s", nic ? nic : "", nic ? ": " : "", msg);
	field(&f, "PRIORITY=%d", priority);
	field(&f, "SYSLOG_IDENTIFIER=cxlnicd");
	if (id)
		field(&f, "MESSAGE_ID=%s", id);
	if (nic && *nic)
		field(&f, "CXLNIC_NIC=%s", nic);
	if (step && *step)
		field(&f, "CXLNIC_STEP=%s", step);
	if (ms >= 0)
		field(&f, "CXLNIC_DURATION_MS=%ld", ms);
	if (err)
		field(&f, "ERRNO=%d", abs(err));
	sd_journal_sendv(f.iov, f.n);
}

void log_note(int priority, const char *nic, const char *step, int err,
	      long ms, const char *msg)
{
	if (priority > log_max_priority)
		return;
	if (use_journal()) {
		journal_send(priority, nic, step, err, ms, msg);
		return;
	}
	fprintf(stderr, "cxlnicd: %s%s%s\n", nic ? nic : "", nic ? ": " : "",
		msg);
}

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
	log_note(priority, nic, step, 0, ms, msg);
}
