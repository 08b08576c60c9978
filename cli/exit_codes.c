// SPDX-License-Identifier: GPL-2.0-only
/* Which exit code a failure of cxlnicd's says (cxlnicctl(8), EXIT STATUS). */
#include <errno.h>
#include <string.h>

#include "cxlnic_ctl.h"
#include "exit_codes.h"

enum cxlnicctl_exit daemon_exit_code(const char *cmd, int err, bool answered)
{
	switch (err) {
	case -CXLNIC_ENODAEMON:
		return EXIT_NO_DAEMON;
	/* The protocol's "busy": no room for the connection. */
	case -EAGAIN:
		return EXIT_BUSY;
	/*
	 * A timeout cxlnicd itself sent is an idle connection closed; the
	 * library's is a reply that did not come in time, as while a
	 * recovery step runs: busy.
	 */
	case -ETIMEDOUT:
		return answered ? EXIT_FAIL : EXIT_BUSY;
	case -EPERM:
	case -EACCES:
		return EXIT_PERM;
	case -ENODEV:
		return EXIT_NOT_FOUND;
	/*
	 * A bad request or value, but reload takes none: its EINVAL is the
	 * configuration file's (the reply names its line), not the command
	 * line's.
	 */
	case -EINVAL:
		return strcmp(cmd, "reload") ? EXIT_USAGE : EXIT_FAIL;
	/*
	 * EBUSY is no "try again": cxlnicd says it of a NIC held unbound on
	 * request, which stays so until a bind.
	 */
	default:
		return EXIT_FAIL;
	}
}
