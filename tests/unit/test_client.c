// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of the client library's pure logic (cmocka). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "cxlnic_ctl.h"
#include "cxlnic_dev.h"
#include "cxlnic_json.h"
#include "cxlnic_names.h"
#include "cxlnic_nl.h"

static void test_mode_names_round_trip(void **state)
{
	unsigned int m;

	(void)state;
	for (m = CXLNIC_CTPIO_MODE_OFF; m <= CXLNIC_CTPIO_MODE_CXL; m++)
		assert_int_equal(cxlnic_mode_from_name(cxlnic_mode_name(m)), m);
	assert_int_equal(cxlnic_mode_from_name("fast"), -1);
	assert_string_equal(cxlnic_mode_name(42), "unknown");
}

/* Every value of a table prints as a name that reads back as the value. */
static void check_table(const char *(*name)(unsigned int),
			int (*value)(const char *), unsigned int first,
			unsigned int last)
{
	unsigned int v;

	for (v = first; v <= last; v++) {
		assert_string_not_equal(name(v), "unknown");
		assert_int_equal(value(name(v)), v);
	}
	assert_string_equal(name(last + 1), "unknown");
	assert_int_equal(value("nonsense"), -1);
	assert_int_equal(value(""), -1);
}

static void test_all_names_round_trip(void **state)
{
	(void)state;
	check_table(cxlnic_piece_kind_name, cxlnic_piece_kind_from_name,
		    CXLNIC_PIECE_ROOT, CXLNIC_PIECE_REGION);
	check_table(cxlnic_piece_state_name, cxlnic_piece_state_from_name,
		    CXLNIC_PIECE_STATE_ABSENT, CXLNIC_PIECE_STATE_BOUND);
	check_table(cxlnic_reason_name, cxlnic_reason_from_name,
		    CXLNIC_REASON_NONE, CXLNIC_REASON_RELEASED);
	check_table(cxlnic_nic_kind_name, cxlnic_nic_kind_from_name,
		    CXLNIC_KIND_COOPERATING, CXLNIC_KIND_STOCK);
	check_table(cxlnic_piece_event_name, cxlnic_piece_event_from_name,
		    CXLNIC_PIECE_EVENT_LOST, CXLNIC_PIECE_EVENT_RETURNED);
	/* "unknown" is a real decoder mode, value 0: check it by hand. */
	assert_int_equal(cxlnic_decoder_mode_from_name("unknown"),
			 CXLNIC_DECODER_MODE_UNKNOWN);
	assert_int_equal(cxlnic_decoder_mode_from_name("host-only"),
			 CXLNIC_DECODER_MODE_HOSTONLY);
	assert_int_equal(cxlnic_decoder_mode_from_name("device-coherent"),
			 CXLNIC_DECODER_MODE_DEVMEM);
	assert_int_equal(cxlnic_piece_kind_from_name("unknown"), -1);
}

/* The control socket's "code": each name read back as its errno, sign kept. */
static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(cxlnic_errno_name(-EBUSY), "EBUSY");
	assert_string_equal(cxlnic_errno_name(EBUSY), "EBUSY");
	assert_int_equal(cxlnic_errno_from_name("EBUSY"), -EBUSY);
	assert_int_equal(cxlnic_errno_from_name("ETIMEDOUT"), -ETIMEDOUT);
	assert_int_equal(cxlnic_errno_from_name("EOPNOTSUPP"), -EOPNOTSUPP);
	/* What has no name is EIO, both ways. */
	assert_string_equal(cxlnic_errno_name(-EXDEV), "EIO");
	assert_string_equal(cxlnic_errno_name(-100000), "EIO");
	assert_string_equal(cxlnic_errno_name(0), "EIO");
	assert_int_equal(cxlnic_errno_from_name("EXDEV"), -EIO);
	assert_int_equal(cxlnic_errno_from_name("ebusy"), -EIO);
	assert_int_equal(cxlnic_errno_from_name(""), -EIO);
	assert_int_equal(cxlnic_errno_from_name(NULL), -EIO);
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
	assert_false(cxlnic_dev_matches(&dev, "-7"));
	assert_false(cxlnic_dev_matches(&dev, " 7"));
	assert_true(cxlnic_dev_matches(&dev, "007"));
	strcpy(dev.ifname, "eth1");
	dev.ifindex = 3;
	assert_true(cxlnic_dev_matches(&dev, "eth1"));
	assert_false(cxlnic_dev_matches(&dev, "eth"));
	/* an absent NIC is found by its address alone: never by "0" */
	assert_true(cxlnic_pci_addr_matches("0000:00:04.0", "00:04.0"));
	assert_true(cxlnic_pci_addr_matches("0000:00:0a.0", "0000:00:0A.0"));
	assert_false(cxlnic_pci_addr_matches("0000:00:04.0", "0"));
	assert_false(cxlnic_pci_addr_matches("", ""));
	/* the spellings cxlnicd.conf's [nic ...] takes */
	assert_true(cxlnic_pci_addr_matches("0000:00:0a.0", "00:0A.0"));
	assert_true(cxlnic_pci_addr_matches("0000:00:04.0", "0:4.0"));
	assert_false(cxlnic_pci_addr_matches("0000:00:04.0", "00:04.00"));
	assert_false(cxlnic_pci_addr_matches("0000:00:04.0", "00:04.8"));
	assert_false(cxlnic_pci_addr_matches("0001:00:04.0", "00:04.0"));
}

static void test_pci_addr_normalize(void **state)
{
	char out[CXLNIC_PCI_ADDR_LEN];

	(void)state;
	assert_int_equal(cxlnic_pci_addr_normalize("00:0A.1", out, sizeof(out)), 0);
	assert_string_equal(out, "0000:00:0a.1");
	assert_int_equal(cxlnic_pci_addr_normalize("1:2:3.4", out, sizeof(out)), 0);
	assert_string_equal(out, "0001:02:03.4");
	assert_int_equal(cxlnic_pci_addr_normalize("00:20.0", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(cxlnic_pci_addr_normalize(" 00:04.0", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(cxlnic_pci_addr_normalize("00:04.0x", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(cxlnic_pci_addr_normalize("eth0", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(cxlnic_pci_addr_normalize("00:04.0", out, 8),
			 -ENAMETOOLONG);
}

static void test_dev_matches_pci_forms(void **state)
{
	struct cxlnic_dev_info dev = { .handle = 1 };

	(void)state;
	strcpy(dev.pci_addr, "0000:0a:1f.3");
	assert_true(cxlnic_dev_matches(&dev, "0000:0A:1F.3"));
	assert_true(cxlnic_dev_matches(&dev, "0a:1f.3"));
	assert_false(cxlnic_dev_matches(&dev, "0000:0a:1f"));
	/* The short form means domain 0 only. */
	strcpy(dev.pci_addr, "0001:00:04.0");
	assert_true(cxlnic_dev_matches(&dev, "0001:00:04.0"));
	assert_false(cxlnic_dev_matches(&dev, "00:04.0"));
}

static void test_dev_find_prefers_names(void **state)
{
	struct cxlnic_dev_info devs[3] = {
		{ .handle = 1 }, { .handle = 2 }, { .handle = 3 },
	};
	struct cxlnic_dev_list list = { .n = 3, .devs = devs };

	(void)state;
	strcpy(devs[0].pci_addr, "0000:00:03.0");
	strcpy(devs[1].pci_addr, "0000:00:04.0");
	strcpy(devs[2].pci_addr, "0000:00:05.0");
	strcpy(devs[2].ifname, "2");
	assert_ptr_equal(cxlnic_dev_find(&list, "2"), &devs[2]);
	assert_ptr_equal(cxlnic_dev_find(&list, "1"), &devs[0]);
	assert_ptr_equal(cxlnic_dev_find(&list, "00:04.0"), &devs[1]);
	assert_null(cxlnic_dev_find(&list, "00:06.0"));
	assert_null(cxlnic_dev_find(&list, "4"));
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
	nla_put_flag(msg, CXLNIC_A_DEV_LOST);
	nla_put_flag(msg, CXLNIC_A_DEV_QUIESCE);
	nla_put_flag(msg, CXLNIC_A_DEV_LINK_WAS_UP);
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
	assert_true(dev.lost);
	assert_true(dev.quiesce);
	assert_true(dev.link_was_up);
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

static int parse_msg(struct nl_msg *msg, struct cxlnic_dev_info *dev)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int rc = cxlnic_dev_parse(nlmsg_attrdata(nlh, 0), nlmsg_attrlen(nlh, 0),
				  CXLNIC_CMD_DEV_GET, dev);

	nlmsg_free(msg);
	return rc;
}

/* Longer than the type is as wrong as shorter: libnl alone lets it by. */
static void test_dev_parse_rejects_long_attrs(void **state)
{
	struct cxlnic_dev_info dev;
	struct nl_msg *msg;
	struct nlattr *nest;

	(void)state;
	msg = nlmsg_alloc();
	nla_put_u64(msg, CXLNIC_A_DEV_HANDLE, 3);
	assert_int_equal(parse_msg(msg, &dev), -EINVAL);

	msg = nlmsg_alloc();
	nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, 3);
	nla_put_u32(msg, CXLNIC_A_DEV_MODE, CXLNIC_CTPIO_MODE_CXL);
	assert_int_equal(parse_msg(msg, &dev), -EINVAL);

	msg = nlmsg_alloc();
	nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, 3);
	nest = nla_nest_start(msg, CXLNIC_A_DEV_STATS);
	nla_put_u32(msg, CXLNIC_A_STATS_CXL_BYTES, 5);	/* u64 expected */
	nla_nest_end(msg, nest);
	assert_int_equal(parse_msg(msg, &dev), -EINVAL);

	msg = nlmsg_alloc();
	nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, 3);
	put_piece(msg, CXLNIC_A_DEV_PIECES, CXLNIC_PIECE_MEMDEV, "mem0", 2);
	nest = nla_nest_start(msg, CXLNIC_A_DEV_PIECES);
	nla_put_u16(msg, CXLNIC_A_PIECE_KIND, CXLNIC_PIECE_PORT);
	nla_nest_end(msg, nest);
	assert_int_equal(parse_msg(msg, &dev), -EINVAL);

	msg = nlmsg_alloc();		/* no handle at all */
	nla_put_string(msg, CXLNIC_A_DEV_PCI_ADDR, "0000:00:03.0");
	assert_int_equal(parse_msg(msg, &dev), -EINVAL);
}

/* A longer chain than this build holds is kept in part, not refused. */
static void test_dev_parse_truncates_pieces(void **state)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct cxlnic_dev_info dev;
	struct json_object *o, *v;
	char name[16];
	int i;

	(void)state;
	nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, 4);
	for (i = 0; i < CXLNIC_MAX_PIECES + 3; i++) {
		snprintf(name, sizeof(name), "port%d", i);
		put_piece(msg, CXLNIC_A_DEV_PIECES, CXLNIC_PIECE_PORT, name, 2);
	}
	assert_int_equal(parse_msg(msg, &dev), 0);
	assert_int_equal(dev.n_pieces, CXLNIC_MAX_PIECES);
	assert_true(dev.pieces_truncated);
	assert_string_equal(dev.pieces[CXLNIC_MAX_PIECES - 1].name, "port15");
	o = cxlnic_dev_to_json(&dev);
	assert_true(json_object_object_get_ex(o, "pieces_truncated", &v));
	assert_true(json_object_get_boolean(v));
	json_object_put(o);
}

/* The keys of @o, in order, as "a,b,c". */
static void keys_of(struct json_object *o, char *buf, size_t len)
{
	buf[0] = '\0';
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (buf[0])
			strncat(buf, ",", len - strlen(buf) - 1);
		strncat(buf, key, len - strlen(buf) - 1);
	}
}

static const char *json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_string(v);
}

static int64_t json_int(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	assert_true(json_object_is_type(v, json_type_int));
	return json_object_get_int64(v);
}

/* The documented shape (docs/json.md), from a dev_info built by hand. */
static void test_dev_json_shape(void **state)
{
	struct cxlnic_dev_info dev = {
		.handle = 1, .mode = CXLNIC_CTPIO_MODE_CXL, .generation = 7,
		.reason = CXLNIC_REASON_ATTACH,
		.loss_reason = CXLNIC_REASON_PIECE_UNBOUND,
		.has_loss_piece = true,
		.loss_piece = { .kind = CXLNIC_PIECE_MEMDEV, .name = "mem0" },
		.has_region = true, .region = "region0",
		.region_base = 0x4a0000000ULL, .region_size = 256ULL << 20,
		.decoder_mode = CXLNIC_DECODER_MODE_HOSTONLY,
		.n_pieces = 1,
		.pieces = { { CXLNIC_PIECE_MEMDEV, CXLNIC_PIECE_STATE_BOUND,
			      "mem0" } },
		.stats = { 1, 2, 3, 4, 5, 6 },
	};
	struct json_object *o, *v, *p;
	char keys[512];

	(void)state;
	strcpy(dev.pci_addr, "0000:00:03.0");
	strcpy(dev.driver, "cxlnic_sim");
	o = cxlnic_dev_to_json(&dev);
	keys_of(o, keys, sizeof(keys));
	assert_string_equal(keys, "handle,pci_addr,driver,kind,mode,generation,"
			    "last_reason,loss_reason,lost,loss_piece,region,"
			    "decoder_mode,pieces,stats");
	assert_string_equal(json_str(o, "kind"), "cooperating");
	assert_int_equal(json_int(o, "handle"), 1);
	assert_string_equal(json_str(o, "pci_addr"), "0000:00:03.0");
	assert_string_equal(json_str(o, "driver"), "cxlnic_sim");
	assert_string_equal(json_str(o, "mode"), "cxl");
	assert_int_equal(json_int(o, "generation"), 7);
	assert_string_equal(json_str(o, "last_reason"), "attach");
	assert_string_equal(json_str(o, "loss_reason"), "piece-unbound");
	assert_string_equal(json_str(o, "decoder_mode"), "host-only");

	assert_true(json_object_object_get_ex(o, "loss_piece", &p));
	keys_of(p, keys, sizeof(keys));
	assert_string_equal(keys, "kind,name");
	assert_string_equal(json_str(p, "kind"), "memdev");

	assert_true(json_object_object_get_ex(o, "region", &p));
	keys_of(p, keys, sizeof(keys));
	assert_string_equal(keys, "name,base,size");
	assert_string_equal(json_str(p, "name"), "region0");
	assert_int_equal(json_int(p, "base"), 0x4a0000000LL);
	assert_int_equal(json_int(p, "size"), 256LL << 20);

	assert_true(json_object_object_get_ex(o, "pieces", &v));
	assert_int_equal(json_object_array_length(v), 1);
	p = json_object_array_get_idx(v, 0);
	keys_of(p, keys, sizeof(keys));
	assert_string_equal(keys, "kind,name,state");
	assert_string_equal(json_str(p, "state"), "bound");

	assert_true(json_object_object_get_ex(o, "stats", &p));
	keys_of(p, keys, sizeof(keys));
	assert_string_equal(keys, "cxl_bytes,cxl_packets,pci_bytes,"
			    "pci_packets,fallbacks,reattaches");
	assert_int_equal(json_int(p, "cxl_bytes"), 1);
	assert_int_equal(json_int(p, "reattaches"), 6);
	json_object_put(o);
}

/*
 * Keys without a value are left out; a netdev shows when there is one, a
 * serial when the kernel gave one (a stock NIC's).
 */
static void test_dev_json_optional_keys(void **state)
{
	struct cxlnic_dev_info dev = { .handle = 2, .ifindex = 5 };
	struct json_object *o;
	char keys[512];

	(void)state;
	strcpy(dev.ifname, "eth0");
	o = cxlnic_dev_to_json(&dev);
	keys_of(o, keys, sizeof(keys));
	assert_string_equal(keys, "handle,pci_addr,driver,kind,ifindex,ifname,"
			    "mode,generation,last_reason,loss_reason,lost,pieces,"
			    "stats");
	assert_string_equal(json_str(o, "mode"), "off");
	json_object_put(o);
	dev.kind = CXLNIC_KIND_STOCK;
	dev.serial = 0x2000;
	o = cxlnic_dev_to_json(&dev);
	keys_of(o, keys, sizeof(keys));
	assert_string_equal(keys, "handle,pci_addr,driver,kind,quiesce,"
			    "link_was_up,serial,ifindex,ifname,mode,"
			    "generation,last_reason,loss_reason,lost,pieces,"
			    "stats");
	assert_string_equal(json_str(o, "kind"), "stock");
	assert_int_equal(json_int(o, "serial"), 0x2000);
	assert_false(json_object_get_boolean(json_object_object_get(o, "quiesce")));
	assert_false(json_object_get_boolean(json_object_object_get(o, "link_was_up")));
	json_object_put(o);
	dev.quiesce = true;
	dev.link_was_up = true;
	o = cxlnic_dev_to_json(&dev);
	assert_true(json_object_get_boolean(json_object_object_get(o, "quiesce")));
	assert_true(json_object_get_boolean(json_object_object_get(o, "link_was_up")));
	json_object_put(o);
}

static void test_overrun_json(void **state)
{
	struct json_object *o = cxlnic_overrun_to_json();

	(void)state;
	assert_string_equal(json_object_to_json_string_ext(o,
				JSON_C_TO_STRING_PLAIN),
			    "{\"event\":\"overrun\"}");
	json_object_put(o);
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
	assert_true(json_object_object_get_ex(o, "last_reason", &v));
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

/* A control socket nobody serves but the test itself. */
struct fake_daemon {
	char dir[32];
	char path[64];
	int fd;
};

static void fake_listen(struct fake_daemon *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(f->dir, "/tmp/cxlnic-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/control", f->dir);
	strcpy(sa.sun_path, f->path);
	f->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(f->fd >= 0);
	assert_int_equal(bind(f->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->fd, 4), 0);
}

static void fake_free(struct fake_daemon *f)
{
	if (f->fd >= 0)
		close(f->fd);
	unlink(f->path);
	rmdir(f->dir);
}

/*
 * Accept the client's connection and say @reply (or nothing), its NUL
 * included, before the client asks; the connection, to read what it asks.
 */
static int fake_answer(struct fake_daemon *f, const char *reply)
{
	int fd = accept(f->fd, NULL, NULL);

	assert_true(fd >= 0);
	if (reply)
		assert_int_equal(write(fd, reply, strlen(reply) + 1),
				 (ssize_t)strlen(reply) + 1);
	return fd;
}

/* The same, then hang up. */
static void fake_refuse(struct fake_daemon *f, const char *reply)
{
	close(fake_answer(f, reply));
}

static int call_status(struct cxlnic_ctl *c)
{
	struct json_object *res;
	int rc = cxlnic_ctl_call(c, cxlnic_ctl_request(CXLNIC_M_STATUS, NULL),
				 &res);

	assert_null(res);
	return rc;
}

/*
 * A call as varlink has it, NUL-ended, and its reply's member: what the
 * method returns, whatever else the reply holds.
 */
static void test_ctl_call_shape(void **state)
{
	struct json_object *req, *res, *sent;
	struct fake_daemon f;
	struct cxlnic_ctl *c;
	char buf[512];
	ssize_t n;
	int fd;

	(void)state;
	fake_listen(&f);
	assert_int_equal(cxlnic_ctl_open(&c, f.path), 0);
	fd = fake_answer(&f, "{\"parameters\":{\"entries\":[1,2],\"x\":3}}");
	req = cxlnic_ctl_request(CXLNIC_M_HISTORY, "0d:00.0");
	cxlnic_ctl_param(req, "limit", json_object_new_int(2));
	assert_int_equal(cxlnic_ctl_call(c, req, &res), 0);
	assert_int_equal(json_object_array_length(res), 2);
	json_object_put(res);
	n = read(fd, buf, sizeof(buf));
	assert_true(n > 1);
	assert_int_equal(buf[n - 1], '\0');
	sent = json_tokener_parse(buf);
	assert_string_equal(json_object_to_json_string_ext(sent,
			JSON_C_TO_STRING_PLAIN),
		"{\"method\":\"io.cxlnic.Daemon.History\",\"parameters\":"
		"{\"nic\":\"0d:00.0\",\"limit\":2}}");
	json_object_put(sent);
	close(fd);
	cxlnic_ctl_close(c);
	/* A stream is called with "more". */
	req = cxlnic_ctl_request(CXLNIC_M_MONITOR, NULL);
	assert_true(json_object_get_boolean(json_object_object_get(req, "more")));
	json_object_put(req);
	fake_free(&f);
}

/* Every error of the interface read back as the errno it was made of. */
static void test_error_names(void **state)
{
	const struct cxlnic_error_desc *e;

	(void)state;
	for (e = cxlnic_errors; e->name; e++) {
		if (!e->errno_value)
			continue;
		assert_string_equal(cxlnic_error_name(-e->errno_value),
				    cxlnic_error_name(e->errno_value));
		/* PermissionDenied is EPERM's and EACCES's: EPERM back. */
		assert_int_equal(cxlnic_error_errno(e->name, NULL),
				 e->errno_value == EACCES ? -EPERM :
				 -e->errno_value);
	}
	assert_string_equal(cxlnic_error_name(-ENODEV), "io.cxlnic.Daemon.NoSuchNic");
	assert_string_equal(cxlnic_error_name(EACCES),
			    "org.varlink.service.PermissionDenied");
	assert_int_equal(cxlnic_error_errno("org.varlink.service.InvalidParameter",
					    NULL), -EINVAL);
	/* Any other errno is SystemError, its "errno" read back. */
	assert_string_equal(cxlnic_error_name(-ELOOP), CXLNIC_VARLINK_SYSTEM_ERROR);
	assert_int_equal(cxlnic_error_errno(CXLNIC_VARLINK_SYSTEM_ERROR, "ELOOP"),
			 -ELOOP);
	assert_int_equal(cxlnic_error_errno(CXLNIC_VARLINK_SYSTEM_ERROR, NULL),
			 -EIO);
	assert_int_equal(cxlnic_error_errno("com.example.Nope", NULL), -EIO);
	assert_int_equal(cxlnic_error_errno(NULL, NULL), -EIO);
	assert_int_equal(cxlnic_method_find("io.cxlnic.Daemon.SetPolicy"),
			 CXLNIC_M_SET_POLICY);
	assert_int_equal(cxlnic_method_find("io.cxlnic.Daemon"), -1);
	assert_int_equal(cxlnic_method_find("io.cxlnic.DaemonX.Show"), -1);
	assert_int_equal(cxlnic_method_find(NULL), -1);
}

/* cxlnicd answers at accept and closes before the request is sent. */
static void test_ctl_refused_at_accept(void **state)
{
	struct fake_daemon f;
	struct cxlnic_ctl *c;

	(void)state;
	fake_listen(&f);
	assert_int_equal(cxlnic_ctl_open(&c, f.path), 0);
	fake_refuse(&f, "{\"error\":\"io.cxlnic.Daemon.Busy\",\"parameters\":"
		    "{\"message\":\"uid 7 has 4 connections open\"}}");
	assert_int_equal(call_status(c), -EAGAIN);
	assert_string_equal(cxlnic_ctl_error(c), "uid 7 has 4 connections open");
	cxlnic_ctl_close(c);

	assert_int_equal(cxlnic_ctl_open(&c, f.path), 0);
	fake_refuse(&f, "{\"error\":\"org.varlink.service.PermissionDenied\","
		    "\"parameters\":{\"message\":\"reading needs root\"}}");
	assert_int_equal(call_status(c), -EPERM);
	assert_string_equal(cxlnic_ctl_error(c), "reading needs root");
	cxlnic_ctl_close(c);
	fake_free(&f);
}

/* Closed without a word: not "not running", connect() worked. */
static void test_ctl_closed_without_reply(void **state)
{
	struct fake_daemon f;
	struct cxlnic_ctl *c;

	(void)state;
	fake_listen(&f);
	assert_int_equal(cxlnic_ctl_open(&c, f.path), 0);
	fake_refuse(&f, NULL);
	assert_int_equal(call_status(c), -ECONNRESET);
	cxlnic_ctl_close(c);
	fake_free(&f);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * A cxlnicd busy in a long recovery step: connected (in its backlog), never
 * answered.  The call ends at the timeout set, not the default of 60 s.
 */
static void test_ctl_reply_timeout(void **state)
{
	struct fake_daemon f;
	struct cxlnic_ctl *c;
	struct timespec t0;
	long ms;

	(void)state;
	fake_listen(&f);
	assert_int_equal(cxlnic_ctl_open(&c, f.path), 0);
	cxlnic_ctl_set_timeout(c, 300);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(call_status(c), -ETIMEDOUT);
	ms = ms_since(&t0);
	assert_true(ms >= 250);
	assert_true(ms < CXLNIC_CTL_DEFAULT_TIMEOUT_MS / 2);
	cxlnic_ctl_close(c);
	fake_free(&f);
}

/* Only a failed connect() means cxlnicd is not running. */
static void test_ctl_no_daemon(void **state)
{
	struct fake_daemon f;
	struct cxlnic_ctl *c;

	(void)state;
	fake_listen(&f);
	close(f.fd);
	f.fd = -1;
	/* The socket file of a daemon gone, and no socket file at all. */
	assert_int_equal(cxlnic_ctl_open(&c, f.path), -CXLNIC_ENODAEMON);
	fake_free(&f);
	assert_int_equal(cxlnic_ctl_open(&c, f.path), -CXLNIC_ENODAEMON);
}

/* A notice from nlctrl, as the kernel sends one on its "notify" group. */
static enum cxlnic_family_change ctrl_notice(uint16_t type, uint8_t cmd,
					     const char *family)
{
	struct nl_msg *msg = nlmsg_alloc();
	enum cxlnic_family_change change;

	assert_non_null(genlmsg_put(msg, 0, 0, type, 0, 0, cmd, 2));
	if (family)
		assert_int_equal(nla_put_string(msg, CTRL_ATTR_FAMILY_NAME,
						family), 0);
	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, 0x20);
	change = cxlnic_family_change_of(nlmsg_hdr(msg));
	nlmsg_free(msg);
	return change;
}

/* Only cxlnic's own registration and unregistration mean anything. */
static void test_family_change(void **state)
{
	(void)state;
	assert_int_equal(ctrl_notice(GENL_ID_CTRL, CTRL_CMD_DELFAMILY, "cxlnic"),
			 CXLNIC_FAMILY_GONE);
	assert_int_equal(ctrl_notice(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, "cxlnic"),
			 CXLNIC_FAMILY_BACK);
	assert_int_equal(ctrl_notice(GENL_ID_CTRL, CTRL_CMD_DELFAMILY, "devlink"),
			 CXLNIC_FAMILY_NONE);
	/* A prefix is another family. */
	assert_int_equal(ctrl_notice(GENL_ID_CTRL, CTRL_CMD_DELFAMILY, "cxlnicx"),
			 CXLNIC_FAMILY_NONE);
	assert_int_equal(ctrl_notice(GENL_ID_CTRL, CTRL_CMD_DELFAMILY, "cxlni"),
			 CXLNIC_FAMILY_NONE);
	assert_int_equal(ctrl_notice(GENL_ID_CTRL, CTRL_CMD_DELMCAST_GRP,
				     "cxlnic"), CXLNIC_FAMILY_NONE);
	assert_int_equal(ctrl_notice(GENL_ID_CTRL, CTRL_CMD_NEWFAMILY, NULL),
			 CXLNIC_FAMILY_NONE);
	/* Not from nlctrl: a cxlnic event, whatever its command number. */
	assert_int_equal(ctrl_notice(0x21, CTRL_CMD_DELFAMILY, "cxlnic"),
			 CXLNIC_FAMILY_NONE);
}

/* Shorter than a generic netlink header: no notice, and no overread. */
static void test_family_change_short(void **state)
{
	struct nlmsghdr nlh = {
		.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = GENL_ID_CTRL,
	};

	(void)state;
	assert_int_equal(cxlnic_family_change_of(&nlh), CXLNIC_FAMILY_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_names_round_trip),
		cmocka_unit_test(test_all_names_round_trip),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_pci_addr_normalize),
		cmocka_unit_test(test_dev_matches),
		cmocka_unit_test(test_dev_matches_pci_forms),
		cmocka_unit_test(test_dev_find_prefers_names),
		cmocka_unit_test(test_dev_parse),
		cmocka_unit_test(test_dev_parse_rejects_bad_length),
		cmocka_unit_test(test_dev_parse_rejects_long_attrs),
		cmocka_unit_test(test_dev_parse_truncates_pieces),
		cmocka_unit_test(test_dev_json_shape),
		cmocka_unit_test(test_dev_json_optional_keys),
		cmocka_unit_test(test_overrun_json),
		cmocka_unit_test(test_event_json_shape),
		cmocka_unit_test(test_ctl_refused_at_accept),
		cmocka_unit_test(test_ctl_call_shape),
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_ctl_closed_without_reply),
		cmocka_unit_test(test_ctl_no_daemon),
		cmocka_unit_test(test_ctl_reply_timeout),
		cmocka_unit_test(test_family_change),
		cmocka_unit_test(test_family_change_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
