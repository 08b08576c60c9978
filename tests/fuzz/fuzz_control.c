// SPDX-License-Identifier: GPL-2.0-only
/* Fuzz cxlnicd's control request parser (what any local user can send). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_request req;
	char err[256];
	char *reply;
	int rc;

	err[0] = '\0';
	rc = control_parse_request((const char *)data, size, &req, err,
				   sizeof(err));
	if (rc && (rc != -EINVAL || !err[0]))
		abort();	/* every refusal is EINVAL with a reason */
	if (!rc && (req.cmd >= CTL_NR_CMDS || !memchr(req.nic, 0, sizeof(req.nic))))
		abort();
	reply = rc ? control_reply_error(rc, "%s", err) : control_reply_ok(NULL);
	free(reply);
	return 0;
}
