// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz the client library's parsing of a family message's attributes (what
 * cxlnicctl and cxlnicd do with everything the kernel sends), and the JSON
 * built from the result.  The input is the attribute stream; its first byte
 * picks the command.  The same bytes are also read as a notice of nlctrl's
 * (a generic netlink header and its attributes), as the monitor does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>

#include "cxlnic_dev.h"
#include "cxlnic_json.h"
#include "cxlnic_nl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_ctrl_notice(const uint8_t *data, size_t size)
{
	struct nlmsghdr *nlh = aligned_alloc(4, NLMSG_ALIGN(NLMSG_HDRLEN + size));

	if (!nlh)
		return;
	memset(nlh, 0, NLMSG_HDRLEN);
	nlh->nlmsg_len = NLMSG_HDRLEN + size;
	nlh->nlmsg_type = GENL_ID_CTRL;
	memcpy((char *)nlh + NLMSG_HDRLEN, data, size);
	cxlnic_family_change_of(nlh);
	free(nlh);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cxlnic_dev_info dev;
	struct json_object *o;
	void *attrs;
	uint8_t cmd;

	if (size < 1 || size > 65536)
		return 0;
	cmd = data[0] % (CXLNIC_CMD_MAX + 1);
	/* Netlink attributes are 4-byte aligned in a real message. */
	attrs = aligned_alloc(4, (size + 3) & ~(size_t)3);
	if (!attrs)
		return 0;
	memcpy(attrs, data + 1, size - 1);
	if (!cxlnic_dev_parse(attrs, (int)size - 1, cmd, &dev)) {
		o = cmd >= CXLNIC_CMD_DEV_ADD_NTF ? cxlnic_event_to_json(&dev) :
						    cxlnic_dev_to_json(&dev);
		json_object_to_json_string(o);
		json_object_put(o);
	}
	free(attrs);
	fuzz_ctrl_notice(data + 1, size - 1);
	return 0;
}
