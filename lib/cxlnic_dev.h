/* SPDX-License-Identifier: GPL-2.0-only */
/* One NIC as the cxlnic family reports it, parsed out of netlink. */
#ifndef CXLNIC_DEV_H
#define CXLNIC_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/cxlnic.h>

#include "cxlnic_pci.h"

struct nlattr;

#define CXLNIC_MAX_PIECES 16

struct cxlnic_piece_info {
	uint8_t kind;
	uint8_t state;
	char name[CXLNIC_NAME_MAX];
};

struct cxlnic_stats_info {
	uint64_t cxl_bytes;
	uint64_t cxl_packets;
	uint64_t pci_bytes;
	uint64_t pci_packets;
	uint64_t fallbacks;
	uint64_t reattaches;
};

struct cxlnic_dev_info {
	uint8_t cmd;			/* the message: dev-get or a *-ntf */
	uint32_t handle;
	char pci_addr[32];
	char driver[64];
	uint8_t kind;			/* enum cxlnic_kind */
	uint64_t serial;		/* a stock NIC's PCI DSN, 0: none */
	uint32_t ifindex;
	char ifname[16];
	uint8_t mode;
	uint32_t generation;
	uint8_t reason;
	uint8_t loss_reason;
	bool lost;			/* that loss not repaired yet */
	bool quiesce;			/* stock: its driver gave a quiesce op */
	bool link_was_up;		/* stock: its netdev, as its last driver left */
	bool has_loss_piece;
	struct cxlnic_piece_info loss_piece;

	bool has_region;
	char region[CXLNIC_NAME_MAX];
	uint64_t region_base;
	uint64_t region_size;
	uint8_t decoder_mode;
	unsigned int n_pieces;
	struct cxlnic_piece_info pieces[CXLNIC_MAX_PIECES];
	bool pieces_truncated;		/* more pieces came than fit */
	struct cxlnic_stats_info stats;

	/* notifications only */
	bool has_prev_mode;
	uint8_t prev_mode;
	bool has_piece;
	struct cxlnic_piece_info piece;
	uint8_t piece_event;
};

struct cxlnic_dev_list {
	size_t n;
	struct cxlnic_dev_info *devs;
};

/*
 * Parse the attributes of one family message; -EINVAL when malformed (an
 * attribute of the wrong length, no handle).  Attributes this build does not
 * know are skipped.
 */
int cxlnic_dev_parse(struct nlattr *attrs, int len, uint8_t cmd,
		     struct cxlnic_dev_info *dev);

int cxlnic_dev_list_add(struct cxlnic_dev_list *list,
			const struct cxlnic_dev_info *dev);
void cxlnic_dev_list_free(struct cxlnic_dev_list *list);

/*
 * A NIC named by the user: its PCI address ("0000:00:04.0", or "00:04.0" in
 * domain 0; hex digits in either case), its netdev name, or its handle
 * number.  cxlnic_dev_find() prefers a name to a handle.
 */
bool cxlnic_dev_matches(const struct cxlnic_dev_info *dev, const char *name);
const struct cxlnic_dev_info *
cxlnic_dev_find(const struct cxlnic_dev_list *list, const char *name);

#endif
