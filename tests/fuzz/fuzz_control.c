// SPDX-License-Identifier: GPL-2.0-only
/* Fuzz cxlnicd's control call parser (what any local reader can send). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"
#include "control_service.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_refusal why;
	struct control_request req;
	char *reply;
	int rc;

	rc = control_parse_request((const char *)data, size, &req, &why);
	/* Every refusal is EINVAL with a varlink error and a reason. */
	if (rc && (rc != -EINVAL || !why.error || !why.message[0]))
		abort();
	if (!rc && (req.method >= CXLNIC_M_NR ||
		    !memchr(req.nic, 0, sizeof(req.nic)) ||
		    !memchr(req.interface, 0, sizeof(req.interface))))
		abort();
	if (rc)
		reply = control_reply_refusal(&why);
	else if (req.service != CONTROL_DAEMON)
		reply = control_reply_service(&req);
	else
		reply = control_reply_ok(req.method, NULL);
	if (!reply)
		abort();
	free(reply);
	return 0;
}
