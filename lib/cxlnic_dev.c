// SPDX-License-Identifier: GPL-2.0-only
/*
 * Parsing the family's messages into struct cxlnic_dev_info.  The policies
 * check every attribute's type and length; attributes this build does not
 * know are ignored, so an older client keeps working with a newer kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <netlink/attr.h>

#include "cxlnic_dev.h"
#include "cxlnic_policy.h"

static struct nla_policy dev_policy[CXLNIC_A_MAX + 1] = {
	[CXLNIC_A_DEV_HANDLE] = POLICY_U32,
	[CXLNIC_A_DEV_PCI_ADDR] = POLICY_STRING,
	[CXLNIC_A_DEV_DRIVER] = POLICY_STRING,
	[CXLNIC_A_DEV_IFINDEX] = POLICY_U32,
	[CXLNIC_A_DEV_IFNAME] = POLICY_STRING,
	[CXLNIC_A_DEV_MODE] = POLICY_U8,
	[CXLNIC_A_DEV_GENERATION] = POLICY_U32,
	[CXLNIC_A_DEV_REGION] = POLICY_STRING,
	[CXLNIC_A_DEV_REGION_BASE] = POLICY_U64,
	[CXLNIC_A_DEV_REGION_SIZE] = POLICY_U64,
	[CXLNIC_A_DEV_DECODER_MODE] = POLICY_U8,
	[CXLNIC_A_DEV_REASON] = POLICY_U8,
	[CXLNIC_A_DEV_LOSS_REASON] = POLICY_U8,
	[CXLNIC_A_DEV_LOSS_PIECE] = POLICY_NESTED,
	[CXLNIC_A_DEV_PIECES] = POLICY_NESTED,
	[CXLNIC_A_DEV_STATS] = POLICY_NESTED,
	[CXLNIC_A_DEV_PREV_MODE] = POLICY_U8,
	[CXLNIC_A_DEV_PIECE] = POLICY_NESTED,
	[CXLNIC_A_DEV_PIECE_EVENT] = POLICY_U8,
	[CXLNIC_A_DEV_KIND] = POLICY_U8,
	[CXLNIC_A_DEV_SERIAL] = POLICY_U64,
	[CXLNIC_A_DEV_LOST] = POLICY_FLAG,
	[CXLNIC_A_DEV_QUIESCE] = POLICY_FLAG,
	[CXLNIC_A_DEV_LINK_WAS_UP] = POLICY_FLAG,
};

static struct nla_policy piece_policy[CXLNIC_A_PIECE_MAX + 1] = {
	[CXLNIC_A_PIECE_KIND] = POLICY_U8,
	[CXLNIC_A_PIECE_NAME] = POLICY_STRING,
	[CXLNIC_A_PIECE_STATE] = POLICY_U8,
};

static struct nla_policy stats_policy[CXLNIC_A_STATS_MAX + 1] = {
	[CXLNIC_A_STATS_CXL_BYTES] = POLICY_U64,
	[CXLNIC_A_STATS_CXL_PACKETS] = POLICY_U64,
	[CXLNIC_A_STATS_PCI_BYTES] = POLICY_U64,
	[CXLNIC_A_STATS_PCI_PACKETS] = POLICY_U64,
	[CXLNIC_A_STATS_FALLBACKS] = POLICY_U64,
	[CXLNIC_A_STATS_REATTACHES] = POLICY_U64,
};

static void copy_string(char *dst, size_t size, const struct nlattr *attr)
{
	if (attr)
		nla_strlcpy(dst, attr, size);
}

static uint8_t get_u8(const struct nlattr *attr)
{
	return attr ? nla_get_u8((struct nlattr *)attr) : 0;
}

static uint64_t get_u64(const struct nlattr *attr)
{
	return attr ? nla_get_u64((struct nlattr *)attr) : 0;
}

static int parse_piece(struct nlattr *nest, struct cxlnic_piece_info *piece)
{
	struct nlattr *tb[CXLNIC_A_PIECE_MAX + 1];

	if (nla_parse_nested(tb, CXLNIC_A_PIECE_MAX, nest, piece_policy))
		return -EINVAL;
	memset(piece, 0, sizeof(*piece));
	piece->kind = get_u8(tb[CXLNIC_A_PIECE_KIND]);
	piece->state = get_u8(tb[CXLNIC_A_PIECE_STATE]);
	copy_string(piece->name, sizeof(piece->name), tb[CXLNIC_A_PIECE_NAME]);
	return 0;
}

static int parse_stats(struct nlattr *nest, struct cxlnic_stats_info *stats)
{
	struct nlattr *tb[CXLNIC_A_STATS_MAX + 1];

	if (nla_parse_nested(tb, CXLNIC_A_STATS_MAX, nest, stats_policy))
		return -EINVAL;
	stats->cxl_bytes = get_u64(tb[CXLNIC_A_STATS_CXL_BYTES]);
	stats->cxl_packets = get_u64(tb[CXLNIC_A_STATS_CXL_PACKETS]);
	stats->pci_bytes = get_u64(tb[CXLNIC_A_STATS_PCI_BYTES]);
	stats->pci_packets = get_u64(tb[CXLNIC_A_STATS_PCI_PACKETS]);
	stats->fallbacks = get_u64(tb[CXLNIC_A_STATS_FALLBACKS]);
	stats->reattaches = get_u64(tb[CXLNIC_A_STATS_REATTACHES]);
	return 0;
}

/*
 * DEV_PIECES repeats, so it is collected by walking the attributes.  A chain
 * longer than this build holds is kept in part and flagged, not refused: the
 * NIC itself is still worth showing.
 */
static int parse_pieces(struct nlattr *attrs, int len,
			struct cxlnic_dev_info *dev)
{
	struct cxlnic_piece_info spare;
	struct nlattr *attr;
	int rem;

	nla_for_each_attr(attr, attrs, len, rem) {
		struct cxlnic_piece_info *piece = &spare;

		if (nla_type(attr) != CXLNIC_A_DEV_PIECES)
			continue;
		if (dev->n_pieces < CXLNIC_MAX_PIECES)
			piece = &dev->pieces[dev->n_pieces++];
		else
			dev->pieces_truncated = true;
		if (parse_piece(attr, piece))
			return -EINVAL;
	}
	return 0;
}

static void parse_region(struct nlattr **tb, struct cxlnic_dev_info *dev)
{
	if (!tb[CXLNIC_A_DEV_REGION])
		return;
	dev->has_region = true;
	copy_string(dev->region, sizeof(dev->region), tb[CXLNIC_A_DEV_REGION]);
	dev->region_base = get_u64(tb[CXLNIC_A_DEV_REGION_BASE]);
	dev->region_size = get_u64(tb[CXLNIC_A_DEV_REGION_SIZE]);
	dev->decoder_mode = get_u8(tb[CXLNIC_A_DEV_DECODER_MODE]);
}

static int parse_event(struct nlattr **tb, struct cxlnic_dev_info *dev)
{
	if (tb[CXLNIC_A_DEV_PREV_MODE]) {
		dev->has_prev_mode = true;
		dev->prev_mode = get_u8(tb[CXLNIC_A_DEV_PREV_MODE]);
	}
	if (tb[CXLNIC_A_DEV_PIECE]) {
		dev->has_piece = true;
		if (parse_piece(tb[CXLNIC_A_DEV_PIECE], &dev->piece))
			return -EINVAL;
		dev->piece_event = get_u8(tb[CXLNIC_A_DEV_PIECE_EVENT]);
	}
	return 0;
}

int cxlnic_dev_parse(struct nlattr *attrs, int len, uint8_t cmd,
		     struct cxlnic_dev_info *dev)
{
	struct nlattr *tb[CXLNIC_A_MAX + 1];

	memset(dev, 0, sizeof(*dev));
	dev->cmd = cmd;
	if (nla_parse(tb, CXLNIC_A_MAX, attrs, len, dev_policy) ||
	    !tb[CXLNIC_A_DEV_HANDLE])
		return -EINVAL;
	dev->handle = nla_get_u32(tb[CXLNIC_A_DEV_HANDLE]);
	copy_string(dev->pci_addr, sizeof(dev->pci_addr),
		    tb[CXLNIC_A_DEV_PCI_ADDR]);
	copy_string(dev->driver, sizeof(dev->driver), tb[CXLNIC_A_DEV_DRIVER]);
	dev->kind = get_u8(tb[CXLNIC_A_DEV_KIND]);
	if (tb[CXLNIC_A_DEV_SERIAL])
		dev->serial = nla_get_u64(tb[CXLNIC_A_DEV_SERIAL]);
	dev->lost = tb[CXLNIC_A_DEV_LOST];
	dev->quiesce = tb[CXLNIC_A_DEV_QUIESCE];
	dev->link_was_up = tb[CXLNIC_A_DEV_LINK_WAS_UP];
	copy_string(dev->ifname, sizeof(dev->ifname), tb[CXLNIC_A_DEV_IFNAME]);
	if (tb[CXLNIC_A_DEV_IFINDEX])
		dev->ifindex = nla_get_u32(tb[CXLNIC_A_DEV_IFINDEX]);
	dev->mode = get_u8(tb[CXLNIC_A_DEV_MODE]);
	if (tb[CXLNIC_A_DEV_GENERATION])
		dev->generation = nla_get_u32(tb[CXLNIC_A_DEV_GENERATION]);
	dev->reason = get_u8(tb[CXLNIC_A_DEV_REASON]);
	dev->loss_reason = get_u8(tb[CXLNIC_A_DEV_LOSS_REASON]);
	if (tb[CXLNIC_A_DEV_LOSS_PIECE]) {
		dev->has_loss_piece = true;
		if (parse_piece(tb[CXLNIC_A_DEV_LOSS_PIECE], &dev->loss_piece))
			return -EINVAL;
	}
	parse_region(tb, dev);
	if (tb[CXLNIC_A_DEV_STATS] &&
	    parse_stats(tb[CXLNIC_A_DEV_STATS], &dev->stats))
		return -EINVAL;
	if (parse_pieces(attrs, len, dev))
		return -EINVAL;
	return parse_event(tb, dev);
}

int cxlnic_dev_list_add(struct cxlnic_dev_list *list,
			const struct cxlnic_dev_info *dev)
{
	struct cxlnic_dev_info *devs;

	devs = realloc(list->devs, (list->n + 1) * sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	devs[list->n++] = *dev;
	list->devs = devs;
	return 0;
}

void cxlnic_dev_list_free(struct cxlnic_dev_list *list)
{
	free(list->devs);
	list->devs = NULL;
	list->n = 0;
}

static bool is_handle(const char *name, uint32_t handle)
{
	char *end;
	unsigned long v;

	/* Digits only: strtoul would take "-1" or " 1" as well. */
	if (*name < '0' || *name > '9')
		return false;
	errno = 0;
	v = strtoul(name, &end, 10);
	return !errno && !*end && v == handle;
}

static bool is_name(const struct cxlnic_dev_info *dev, const char *name)
{
	return cxlnic_pci_addr_matches(dev->pci_addr, name) ||
	       (dev->ifname[0] && !strcmp(dev->ifname, name));
}

bool cxlnic_dev_matches(const struct cxlnic_dev_info *dev, const char *name)
{
	return is_name(dev, name) || is_handle(name, dev->handle);
}

/* Names first: a netdev called "2" is meant before the NIC with handle 2. */
const struct cxlnic_dev_info *
cxlnic_dev_find(const struct cxlnic_dev_list *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (is_name(&list->devs[i], name))
			return &list->devs[i];
	for (i = 0; i < list->n; i++)
		if (is_handle(name, list->devs[i].handle))
			return &list->devs[i];
	return NULL;
}
