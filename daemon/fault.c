// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "log.h"

static const char *const point_names[FAULT_NR_POINTS] = {
	[FAULT_SYSFS_WRITE] = "sysfs-write",
	[FAULT_LIBCXL] = "libcxl",
	[FAULT_NETLINK] = "netlink",
	[FAULT_STATE_WRITE] = "state-write",
};

static unsigned long remaining[FAULT_NR_POINTS];

static int parse_one(const char *item, size_t len)
{
	unsigned int i;
	char *end;
	size_t n;

	for (i = 0; i < FAULT_NR_POINTS; i++) {
		n = strlen(point_names[i]);
		if (len > n + 1 && !strncmp(item, point_names[i], n) &&
		    item[n] == ':') {
			remaining[i] = strtoul(item + n + 1, &end, 10);
			return end == item + len ? 0 : -EINVAL;
		}
	}
	return -EINVAL;
}

int fault_setup(const char *spec)
{
	const char *item, *comma;
	size_t len;

	memset(remaining, 0, sizeof(remaining));
	for (item = spec; item && *item; item = comma ? comma + 1 : NULL) {
		comma = strchr(item, ',');
		len = comma ? (size_t)(comma - item) : strlen(item);
		if (parse_one(item, len))
			return -EINVAL;
	}
	return 0;
}

void fault_crash_at(const char *point)
{
	const char *want = getenv("CXLNICD_CRASH_AFTER");

	if (want && !strcmp(want, point)) {
		log_nic(LOG_ERR, NULL, "fault", -1,
			"CXLNICD_CRASH_AFTER=%s: killing myself", point);
		raise(SIGKILL);
	}
}

int fault_check(enum fault_point point)
{
	if (!remaining[point])
		return 0;
	remaining[point]--;
	log_nic(LOG_WARNING, NULL, "fault", -1,
		"fault injected: %s fails (%lu more to come)",
		point_names[point], remaining[point]);
	return -EIO;
}
