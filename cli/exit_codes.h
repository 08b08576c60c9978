/* SPDX-License-Identifier: GPL-2.0-only */
/* cxlnicctl's exit codes, documented in cxlnicctl(8) (EXIT STATUS). */
#ifndef CXLNICCTL_EXIT_CODES_H
#define CXLNICCTL_EXIT_CODES_H

#include <stdbool.h>

enum cxlnicctl_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOT_FOUND = 3,	/* no such NIC */
	EXIT_PERM = 4,		/* a change needs root or CAP_NET_ADMIN */
	EXIT_NO_DAEMON = 5,	/* cxlnicd is not running */
	EXIT_NO_MODULE = 6,	/* cxlnic.ko is not loaded */
	EXIT_BUSY = 7,		/* cxlnicd is busy (no room, no answer in
				 * time): the same may work when tried again */
};

/*
 * The exit code of daemon command @cmd ("reload") that failed with @err,
 * a negative errno of the control socket (cxlnic_ctl.h); @answered: cxlnicd
 * replied with a reason, rather than the library giving up on it.
 */
enum cxlnicctl_exit daemon_exit_code(const char *cmd, int err, bool answered);

#endif
