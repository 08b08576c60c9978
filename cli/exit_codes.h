/* SPDX-License-Identifier: GPL-2.0-only */
/* cxlnicctl's exit codes, documented in cxlnicctl(8). */
#ifndef CXLNICCTL_EXIT_CODES_H
#define CXLNICCTL_EXIT_CODES_H

enum cxlnicctl_exit {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NOT_FOUND = 3,	/* no such NIC */
	EXIT_PERM = 4,		/* a change needs root or CAP_NET_ADMIN */
	EXIT_NO_DAEMON = 5,	/* cxlnicd is not running */
	EXIT_NO_MODULE = 6,	/* cxlnic.ko is not loaded */
	EXIT_BUSY = 7,		/* cxlnicd has no room: try again */
};

#endif
