// SPDX-License-Identifier: GPL-2.0-only
/*
 * nlprobe: sends the cxlnic family malformed requests and checks that each
 * is refused with the right errno and an extack message that says why.
 *   nlprobe                 malformed requests (run as root)
 *   nlprobe --expect-eperm  every mutating op must fail with EPERM while a
 *                           dump works (run as an unprivileged user)
 *   nlprobe --region NAME   region-attach to the committed region NAME
 *                           with a wrong memdev, endpoint or decoder name:
 *                           the extack must blame that attribute (run as
 *                           root; the first NIC must not be attached)
 * Exits 0 when every case behaved, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "cxlnic_nl.h"

struct probe {
	const char *name;
	uint8_t cmd;
	int expect;		/* negative errno */
	void (*fill)(struct nl_msg *msg, uint32_t handle);
	int blame;		/* the attribute the extack must point at, or 0 */
};

/* The committed region of --region. */
static const char *probe_region;

static void put_handle(struct nl_msg *msg, uint32_t handle)
{
	nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, handle);
}

static void fill_handle_u8(struct nl_msg *msg, uint32_t handle)
{
	nla_put_u8(msg, CXLNIC_A_DEV_HANDLE, (uint8_t)handle);
}

static void fill_unknown_handle(struct nl_msg *msg, uint32_t handle)
{
	(void)handle;
	nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, 999999);
}

static void fill_handle_only(struct nl_msg *msg, uint32_t handle)
{
	put_handle(msg, handle);
}

static void fill_mode_7(struct nl_msg *msg, uint32_t handle)
{
	put_handle(msg, handle);
	nla_put_u8(msg, CXLNIC_A_DEV_MODE, 7);
}

/* Off is a mode the kernel reports, never one it is asked for. */
static void fill_mode_off(struct nl_msg *msg, uint32_t handle)
{
	put_handle(msg, handle);
	nla_put_u8(msg, CXLNIC_A_DEV_MODE, CXLNIC_CTPIO_MODE_OFF);
}

static void fill_mode_pci(struct nl_msg *msg, uint32_t handle)
{
	put_handle(msg, handle);
	nla_put_u8(msg, CXLNIC_A_DEV_MODE, CXLNIC_CTPIO_MODE_PCI);
}

static void fill_long_region(struct nl_msg *msg, uint32_t handle)
{
	char name[200];

	memset(name, 'r', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	put_handle(msg, handle);
	nla_put_string(msg, CXLNIC_A_DEV_REGION, name);
}

static void fill_no_region(struct nl_msg *msg, uint32_t handle)
{
	put_handle(msg, handle);
	nla_put_string(msg, CXLNIC_A_DEV_REGION, "nosuchregion");
}

static void fill_region0(struct nl_msg *msg, uint32_t handle)
{
	put_handle(msg, handle);
	nla_put_string(msg, CXLNIC_A_DEV_REGION, "region0");
}

static void fill_region_named(struct nl_msg *msg, uint32_t handle,
			      int type, const char *name)
{
	put_handle(msg, handle);
	nla_put_string(msg, CXLNIC_A_DEV_REGION, probe_region);
	nla_put_string(msg, type, name);
}

static void fill_wrong_memdev(struct nl_msg *msg, uint32_t handle)
{
	fill_region_named(msg, handle, CXLNIC_A_DEV_MEMDEV, "mem99");
}

static void fill_wrong_endpoint(struct nl_msg *msg, uint32_t handle)
{
	fill_region_named(msg, handle, CXLNIC_A_DEV_ENDPOINT, "endpoint99");
}

static void fill_wrong_decoder(struct nl_msg *msg, uint32_t handle)
{
	fill_region_named(msg, handle, CXLNIC_A_DEV_DECODER, "decoder99.0");
}

static void fill_unknown_attr(struct nl_msg *msg, uint32_t handle)
{
	put_handle(msg, handle);
	nla_put_u32(msg, 200, 1);
}

static void fill_foreign_attr(struct nl_msg *msg, uint32_t handle)
{
	/* Known to the family, but not to dev-set's policy. */
	put_handle(msg, handle);
	nla_put_u8(msg, CXLNIC_A_DEV_MODE, CXLNIC_CTPIO_MODE_PCI);
	nla_put_string(msg, CXLNIC_A_DEV_REGION, "region0");
}

static const struct probe malformed[] = {
	{ "dev-get handle as u8", CXLNIC_CMD_DEV_GET, -EINVAL, fill_handle_u8, 0 },
	{ "dev-get unknown handle", CXLNIC_CMD_DEV_GET, -ENODEV, fill_unknown_handle, 0 },
	{ "dev-get without handle", CXLNIC_CMD_DEV_GET, -EINVAL, NULL, 0 },
	{ "dev-set without mode", CXLNIC_CMD_DEV_SET, -EINVAL, fill_handle_only, 0 },
	/* The policy's range (the spec's checks), with the attribute blamed. */
	{ "dev-set mode 7", CXLNIC_CMD_DEV_SET, -ERANGE, fill_mode_7, CXLNIC_A_DEV_MODE },
	{ "dev-set mode off", CXLNIC_CMD_DEV_SET, -ERANGE, fill_mode_off, CXLNIC_A_DEV_MODE },
	{ "dev-set with a region attribute", CXLNIC_CMD_DEV_SET, -EINVAL, fill_foreign_attr, 0 },
	{ "region-attach without region", CXLNIC_CMD_REGION_ATTACH, -EINVAL, fill_handle_only, 0 },
	{ "region-attach 199-byte region name", CXLNIC_CMD_REGION_ATTACH, -EINVAL, fill_long_region, 0 },
	{ "region-attach unknown region", CXLNIC_CMD_REGION_ATTACH, -ENODEV, fill_no_region,
	  CXLNIC_A_DEV_REGION },
	{ "region-detach unknown handle", CXLNIC_CMD_REGION_DETACH, -ENODEV, fill_unknown_handle, 0 },
	{ "dev-get attribute type 200", CXLNIC_CMD_DEV_GET, -EINVAL, fill_unknown_attr, 0 },
	{ "command 99", 99, -EOPNOTSUPP, fill_handle_only, 0 },
};

static const struct probe named[] = {
	{ "region-attach wrong memdev name", CXLNIC_CMD_REGION_ATTACH, -ENODEV,
	  fill_wrong_memdev, CXLNIC_A_DEV_MEMDEV },
	{ "region-attach wrong endpoint name", CXLNIC_CMD_REGION_ATTACH, -ENODEV,
	  fill_wrong_endpoint, CXLNIC_A_DEV_ENDPOINT },
	{ "region-attach wrong decoder name", CXLNIC_CMD_REGION_ATTACH, -ENODEV,
	  fill_wrong_decoder, CXLNIC_A_DEV_DECODER },
};

static const struct probe mutating[] = {
	{ "dev-set as unprivileged", CXLNIC_CMD_DEV_SET, -EPERM, fill_mode_pci, 0 },
	{ "region-attach as unprivileged", CXLNIC_CMD_REGION_ATTACH, -EPERM, fill_region0, 0 },
	{ "region-detach as unprivileged", CXLNIC_CMD_REGION_DETACH, -EPERM, fill_handle_only, 0 },
};

/* "EINVAL" for -EINVAL: what the kernel code and the test plan say. */
static const char *errno_name(int err)
{
	const char *name = strerrorname_np(-err);

	return name ? name : strerror(-err);
}

/* Where attribute @type of @msg starts, from its netlink header. */
static uint32_t attr_offset(struct nl_msg *msg, int type)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *attr = nlmsg_find_attr(nlh, GENL_HDRLEN, type);

	return attr ? (uint32_t)((char *)attr - (char *)nlh) : 0;
}

/* Returns true when the probe was refused as expected. */
static bool run_probe(struct cxlnic_client *c, const struct probe *p,
		      uint32_t handle, bool need_extack)
{
	struct nl_msg *msg = cxlnic_request_new(c, p->cmd, 0);
	const char *extack;
	uint32_t blamed;
	int rc;

	if (!msg)
		return false;
	if (p->fill)
		p->fill(msg, handle);
	blamed = p->blame ? attr_offset(msg, p->blame) : 0;
	rc = cxlnic_request_send(c, msg);
	extack = cxlnic_client_extack(c);
	printf("%-36s %-10s %s\n", p->name, rc ? errno_name(rc) : "accepted",
	       extack ? extack : "(no extack)");
	if (rc != p->expect) {
		printf("  FAIL: expected %s\n", errno_name(p->expect));
		return false;
	}
	if (need_extack && !extack) {
		printf("  FAIL: no extack message\n");
		return false;
	}
	if (blamed && cxlnic_client_bad_attr_offset(c) != blamed) {
		printf("  FAIL: extack blames offset %u, not attribute %d at %u\n",
		       cxlnic_client_bad_attr_offset(c), p->blame, blamed);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	bool eperm = argc > 1 && !strcmp(argv[1], "--expect-eperm");
	const struct probe *probes = eperm ? mutating : malformed;
	size_t n = eperm ? sizeof(mutating) / sizeof(mutating[0]) :
			   sizeof(malformed) / sizeof(malformed[0]);

	if (argc > 2 && !strcmp(argv[1], "--region")) {
		probe_region = argv[2];
		probes = named;
		n = sizeof(named) / sizeof(named[0]);
	}
	struct cxlnic_dev_list list = { 0 };
	struct cxlnic_client *c;
	int rc, failed = 0;
	size_t i;

	rc = cxlnic_client_open(&c);
	if (rc) {
		fprintf(stderr, "nlprobe: %s\n", cxlnic_strerror(rc));
		return 1;
	}
	rc = cxlnic_dev_dump(c, &list);
	if (rc || !list.n) {
		fprintf(stderr, "nlprobe: dump failed or no NIC: %s\n",
			rc ? cxlnic_strerror(rc) : "empty");
		return 1;
	}
	printf("dump: %zu NICs\n", list.n);
	for (i = 0; i < n; i++)
		/* EPERM and EOPNOTSUPP come from the genetlink core, bare. */
		failed += !run_probe(c, &probes[i], list.devs[0].handle,
				     !eperm && probes[i].expect != -EOPNOTSUPP);
	cxlnic_dev_list_free(&list);
	cxlnic_client_close(c);
	printf("%zu passed, %d failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
