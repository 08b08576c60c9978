// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz the state file loader (what cxlnicd reads after a crash), and check
 * that whatever it accepts survives a save and a load unchanged.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "state.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fwrite(data, 1, size, f);
	return fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64], again[64];
	struct nic_state *st, *st2;
	size_t n, n2;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/cxlnic-fuzz-state.%d", getpid());
		snprintf(again, sizeof(again), "%s.again", path);
	}
	if (write_file(path, data, size))
		return 0;
	if (state_load(path, &st, &n) == 0) {
		if (state_save(again, st, n) || state_load(again, &st2, &n2) ||
		    n2 != n || (n && memcmp(st, st2, n * sizeof(*st))))
			abort();	/* what loads must round-trip */
		free(st2);
		free(st);
	}
	unlink(path);
	unlink(again);
	return 0;
}
