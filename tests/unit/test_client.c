// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the client library's pure logic (cmocka). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "cxlnic_dev.h"
#include "cxlnic_json.h"
#include "cxlnic_names.h"

static void test_mode_names_round_trip(void **state)
{
	unsigned int m;

	(void)state;
	for (m = CXLNIC_CTPIO_MODE_OFF; m <= CXLNIC_CTPIO_MODE_CXL; m++)
		assert_int_equal(cxlnic_mode_from_name(cxlnic_mode_name(m)), m);
	assert_int_equal(cxlnic_mode_from_name("fast"), -1);
	assert_string_equal(cxlnic_mode_name(42), "unknown");
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(cxlnic_piece_kind_name(CXLNIC_PIECE_ENDPOINT),
			    "endpoint");
	assert_string_equal(cxlnic_piece_kind_name(0), "unknown");
	assert_string_equal(cxlnic_reason_name(CXLNIC_REASON_PIECE_UNBOUND),
			    "piece-unbound");
	assert_string_equal(cxlnic_decoder_mode_name(CXLNIC_DECODER_MODE_HOSTONLY),
			    "host-only");
	assert_string_equal(cxlnic_event_name(CXLNIC_CMD_PIECE_NTF), "piece");
}

static void test_dev_matches(void **state)
{
	struct cxlnic_dev_info dev = { .handle = 7 };

	(void)state;
	strcpy(dev.pci_addr, "0000:00:04.0");
	assert_true(cxlnic_dev_matches(&dev, "0000:00:04.0"));
	assert_true(cxlnic_dev_matches(&dev, "00:04.0"));
	assert_true(cxlnic_dev_matches(&dev, "7"));
	assert_false(cxlnic_dev_matches(&dev, "70"));
	assert_false(cxlnic_dev_matches(&dev, "7x"));
	assert_false(cxlnic_dev_matches(&dev, "00:05.0"));
	assert_false(cxlnic_dev_matches(&dev, ""));
	strcpy(dev.ifname, "eth1");
	dev.ifindex = 3;
	assert_true(cxlnic_dev_matches(&dev, "eth1"));
}

static void put_piece(struct nl_msg *msg, int type, uint8_t kind,
		      const char *name, uint8_t st)
{
	struct nlattr *nest = nla_nest_start(msg, type);

	nla_put_u8(msg, CXLNIC_A_PIECE_KIND, kind);
	nla_put_string(msg, CXLNIC_A_PIECE_NAME, name);
	nla_put_u8(msg, CXLNIC_A_PIECE_STATE, st);
	nla_nest_end(msg, nest);
}

/* A message shaped like the kernel's dev-change-ntf, parsed back. */
static struct nl_msg *sample_msg(void)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlattr *stats;

	nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, 3);
	nla_put_string(msg, CXLNIC_A_DEV_PCI_ADDR, "0000:00:05.0");
	nla_put_string(msg, CXLNIC_A_DEV_DRIVER, "cxlnic_sim");
	nla_put_u8(msg, CXLNIC_A_DEV_MODE, CXLNIC_CTPIO_MODE_PCI);
	nla_put_u32(msg, CXLNIC_A_DEV_GENERATION, 9);
	nla_put_u8(msg, CXLNIC_A_DEV_REASON, CXLNIC_REASON_PIECE_UNBOUND);
	nla_put_u8(msg, CXLNIC_A_DEV_LOSS_REASON, CXLNIC_REASON_PIECE_UNBOUND);
	put_piece(msg, CXLNIC_A_DEV_LOSS_PIECE, CXLNIC_PIECE_MEMDEV, "mem1", 0);
	nla_put_string(msg, CXLNIC_A_DEV_REGION, "region2");
	nla_put_u64(msg, CXLNIC_A_DEV_REGION_BASE, 0x510000000ULL);
	nla_put_u64(msg, CXLNIC_A_DEV_REGION_SIZE, 256ULL << 20);
	nla_put_u8(msg, CXLNIC_A_DEV_DECODER_MODE, CXLNIC_DECODER_MODE_HOSTONLY);
	put_piece(msg, CXLNIC_A_DEV_PIECES, CXLNIC_PIECE_REGION, "region2", 2);
	put_piece(msg, CXLNIC_A_DEV_PIECES, CXLNIC_PIECE_MEMDEV, "mem1", 1);
	stats = nla_nest_start(msg, CXLNIC_A_DEV_STATS);
	nla_put_u64(msg, CXLNIC_A_STATS_CXL_PACKETS, 1000);
	nla_put_u64(msg, CXLNIC_A_STATS_FALLBACKS, 1);
	nla_nest_end(msg, stats);
	nla_put_u8(msg, CXLNIC_A_DEV_PREV_MODE, CXLNIC_CTPIO_MODE_CXL);
	nla_put_u32(msg, 250, 1);	/* from a newer kernel: ignored */
	return msg;
}

static void test_dev_parse(void **state)
{
	struct nl_msg *msg = sample_msg();
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct cxlnic_dev_info dev;

	(void)state;
	assert_int_equal(cxlnic_dev_parse(nlmsg_attrdata(nlh, 0),
					  nlmsg_attrlen(nlh, 0),
					  CXLNIC_CMD_DEV_CHANGE_NTF, &dev), 0);
	assert_int_equal(dev.handle, 3);
	assert_string_equal(dev.pci_addr, "0000:00:05.0");
	assert_int_equal(dev.mode, CXLNIC_CTPIO_MODE_PCI);
	assert_true(dev.has_prev_mode);
	assert_int_equal(dev.prev_mode, CXLNIC_CTPIO_MODE_CXL);
	assert_true(dev.has_region);
	assert_int_equal(dev.region_size, 256ULL << 20);
	assert_int_equal(dev.n_pieces, 2);
	assert_string_equal(dev.pieces[1].name, "mem1");
	assert_true(dev.has_loss_piece);
	assert_int_equal(dev.stats.cxl_packets, 1000);
	assert_int_equal(dev.stats.fallbacks, 1);
	nlmsg_free(msg);
}

static void test_dev_parse_rejects_bad_length(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nlmsghdr *nlh;
	struct cxlnic_dev_info dev;

	(void)state;
	nla_put_u8(msg, CXLNIC_A_DEV_HANDLE, 3);	/* u32 expected */
	nlh = nlmsg_hdr(msg);
	assert_int_equal(cxlnic_dev_parse(nlmsg_attrdata(nlh, 0),
					  nlmsg_attrlen(nlh, 0),
					  CXLNIC_CMD_DEV_GET, &dev), -EINVAL);
	nlmsg_free(msg);
}

static void test_event_json_shape(void **state)
{
	struct nl_msg *msg = sample_msg();
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct json_object *o, *v, *region, *pieces;
	struct cxlnic_dev_info dev;

	(void)state;
	cxlnic_dev_parse(nlmsg_attrdata(nlh, 0), nlmsg_attrlen(nlh, 0),
			 CXLNIC_CMD_DEV_CHANGE_NTF, &dev);
	o = cxlnic_event_to_json(&dev);
	assert_true(json_object_object_get_ex(o, "event", &v));
	assert_string_equal(json_object_get_string(v), "dev-change");
	assert_true(json_object_object_get_ex(o, "prev_mode", &v));
	assert_string_equal(json_object_get_string(v), "cxl");
	assert_true(json_object_object_get_ex(o, "reason", &v));
	assert_string_equal(json_object_get_string(v), "piece-unbound");
	assert_true(json_object_object_get_ex(o, "region", &region));
	assert_true(json_object_object_get_ex(region, "size", &v));
	assert_int_equal(json_object_get_int64(v), 256LL << 20);
	assert_true(json_object_object_get_ex(o, "pieces", &pieces));
	assert_int_equal(json_object_array_length(pieces), 2);
	assert_true(json_object_object_get_ex(o, "decoder_mode", &v));
	assert_string_equal(json_object_get_string(v), "host-only");
	assert_false(json_object_object_get_ex(o, "ifname", &v));
	json_object_put(o);
	nlmsg_free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_names_round_trip),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_dev_matches),
		cmocka_unit_test(test_dev_parse),
		cmocka_unit_test(test_dev_parse_rejects_bad_length),
		cmocka_unit_test(test_event_json_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
