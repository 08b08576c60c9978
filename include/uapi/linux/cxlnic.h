/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * cxlnic: generic netlink family for NICs whose CTPIO datapath lives in a
 * CXL region.  Shared by cxlnic.ko and every userspace client.  Described
 * for generic tools by kernel/Documentation/netlink/specs/cxlnic.yaml.
 *
 * Commands and attributes are numbered from 1; 0 is never valid.
 */
#ifndef _UAPI_LINUX_CXLNIC_H
#define _UAPI_LINUX_CXLNIC_H

#define CXLNIC_FAMILY_NAME	"cxlnic"
#define CXLNIC_FAMILY_VERSION	1
#define CXLNIC_MCGRP_MONITOR	"monitor"

/* Longest CXL device name accepted in a request ("region123", "mem7"). */
#define CXLNIC_NAME_MAX		32

/* Where the NIC's CTPIO (cut-through PIO) writes go. */
enum cxlnic_ctpio_mode {
	CXLNIC_CTPIO_MODE_OFF,	/* CTPIO disabled, no window */
	CXLNIC_CTPIO_MODE_PCI,	/* the NIC's own PCI BAR window */
	CXLNIC_CTPIO_MODE_CXL,	/* the HPA range of a CXL region */
};

/* The pieces of the CXL chain a NIC's CXL window depends on. */
enum cxlnic_piece_kind {
	CXLNIC_PIECE_ROOT = 1,	/* the platform device bound to cxl_acpi */
	CXLNIC_PIECE_PORT,	/* a switch or host-bridge port (portN, root0) */
	CXLNIC_PIECE_ENDPOINT,	/* the memdev's endpoint port (endpointN) */
	CXLNIC_PIECE_MEMDEV,	/* memN, bound to cxl_mem */
	CXLNIC_PIECE_DECODER,	/* a root or endpoint decoder (decoderX.Y) */
	CXLNIC_PIECE_REGION,	/* regionN, bound to cxl_region */
};

enum cxlnic_piece_state {
	CXLNIC_PIECE_STATE_ABSENT,	/* device was removed */
	CXLNIC_PIECE_STATE_PRESENT,	/* device exists, no driver bound */
	CXLNIC_PIECE_STATE_BOUND,	/* device exists with its driver */
};

/* Why a NIC's CTPIO mode last changed. */
enum cxlnic_reason {
	CXLNIC_REASON_NONE,
	CXLNIC_REASON_USER,		/* dev-set from userspace */
	CXLNIC_REASON_ATTACH,		/* region-attach succeeded */
	CXLNIC_REASON_DETACH,		/* region-detach from userspace */
	CXLNIC_REASON_PIECE_UNBOUND,	/* a piece lost its driver */
	CXLNIC_REASON_PIECE_REMOVED,	/* a piece was deleted */
	CXLNIC_REASON_DRIVER,		/* the NIC driver reported CXL loss */
	CXLNIC_REASON_UNREGISTER,	/* the NIC driver is going away */
	CXLNIC_REASON_PROBE,		/* a stock NIC's driver was bound */
	CXLNIC_REASON_RELEASED,		/* the CXL core released a stock NIC's
					 * driver after the loss of a piece
					 */
};

/*
 * How a NIC came to be in the family.  A cooperating NIC's driver
 * registered it (include/linux/cxlnic.h) and cxlnic moves its CTPIO.  A
 * stock NIC's driver knows nothing of cxlnic: cxlnic found its accelerator
 * memdev under its PCI function (Linux 7.3's Type 2 API, as sfc uses it),
 * and only watches: its driver maps the region's range at probe and the
 * CXL core releases the driver on a loss.
 */
enum cxlnic_kind {
	CXLNIC_KIND_COOPERATING,
	CXLNIC_KIND_STOCK,
};

/* CXL.mem decoder flavour of the region's endpoint decoder. */
enum cxlnic_decoder_mode {
	CXLNIC_DECODER_MODE_UNKNOWN,
	CXLNIC_DECODER_MODE_HOSTONLY,	/* HDM-H (Type 3 "expander") */
	CXLNIC_DECODER_MODE_DEVMEM,	/* HDM-D/DB (Type 2 "accelerator") */
};

/* For CXLNIC_CMD_PIECE_NTF. */
enum cxlnic_piece_event {
	CXLNIC_PIECE_EVENT_LOST = 1,
	CXLNIC_PIECE_EVENT_RETURNED,
};

enum cxlnic_attr {
	CXLNIC_A_UNSPEC,
	CXLNIC_A_PAD,
	CXLNIC_A_DEV_HANDLE,		/* u32, stable for the NIC's life */
	CXLNIC_A_DEV_PCI_ADDR,		/* string, "0000:00:03.0" */
	CXLNIC_A_DEV_DRIVER,		/* string */
	CXLNIC_A_DEV_IFINDEX,		/* u32 */
	CXLNIC_A_DEV_IFNAME,		/* string */
	CXLNIC_A_DEV_MODE,		/* u8, enum cxlnic_ctpio_mode */
	CXLNIC_A_DEV_GENERATION,	/* u32, grows with every change */
	CXLNIC_A_DEV_REGION,		/* string, region name */
	CXLNIC_A_DEV_REGION_BASE,	/* u64, HPA */
	CXLNIC_A_DEV_REGION_SIZE,	/* u64, bytes */
	CXLNIC_A_DEV_DECODER_MODE,	/* u8, enum cxlnic_decoder_mode */
	CXLNIC_A_DEV_REASON,		/* u8, enum cxlnic_reason: last change */
	CXLNIC_A_DEV_LOSS_REASON,	/* u8, enum cxlnic_reason: last loss */
	CXLNIC_A_DEV_LOSS_PIECE,	/* nest, CXLNIC_A_PIECE_*: what was lost */
	CXLNIC_A_DEV_PIECES,		/* nest, CXLNIC_A_PIECE_*; one per piece */
	CXLNIC_A_DEV_STATS,		/* nest, CXLNIC_A_STATS_* */
	CXLNIC_A_DEV_MEMDEV,		/* string, request: memdev name */
	CXLNIC_A_DEV_ENDPOINT,		/* string, request: endpoint port name */
	CXLNIC_A_DEV_DECODER,		/* string, request: endpoint decoder */
	CXLNIC_A_DEV_PREV_MODE,		/* u8, in dev-change-ntf */
	CXLNIC_A_DEV_PIECE,		/* nest, CXLNIC_A_PIECE_*: piece-ntf */
	CXLNIC_A_DEV_PIECE_EVENT,	/* u8, enum cxlnic_piece_event */
	CXLNIC_A_DEV_KIND,		/* u8, enum cxlnic_kind */
	CXLNIC_A_DEV_SERIAL,		/* u64, the PCI function's DSN; stock */
	CXLNIC_A_DEV_LOST,		/* flag: the last loss is not repaired
					 * (not back on CXL since)
					 */
	CXLNIC_A_DEV_QUIESCE,		/* flag: a stock NIC whose driver
					 * gave a quiesce op
					 */
	CXLNIC_A_DEV_LINK_WAS_UP,	/* flag: a stock NIC whose netdev was
					 * up when its last driver left
					 */

	__CXLNIC_A_MAX,
	CXLNIC_A_MAX = __CXLNIC_A_MAX - 1
};

enum cxlnic_piece_attr {
	CXLNIC_A_PIECE_UNSPEC,
	CXLNIC_A_PIECE_KIND,		/* u8, enum cxlnic_piece_kind */
	CXLNIC_A_PIECE_NAME,		/* string, device name when attached */
	CXLNIC_A_PIECE_STATE,		/* u8, enum cxlnic_piece_state */

	__CXLNIC_A_PIECE_MAX,
	CXLNIC_A_PIECE_MAX = __CXLNIC_A_PIECE_MAX - 1
};

enum cxlnic_stats_attr {
	CXLNIC_A_STATS_UNSPEC,
	CXLNIC_A_STATS_PAD,
	CXLNIC_A_STATS_CXL_BYTES,	/* u64 */
	CXLNIC_A_STATS_CXL_PACKETS,	/* u64 */
	CXLNIC_A_STATS_PCI_BYTES,	/* u64 */
	CXLNIC_A_STATS_PCI_PACKETS,	/* u64 */
	CXLNIC_A_STATS_FALLBACKS,	/* u64, CXL -> PCI switches on loss */
	CXLNIC_A_STATS_REATTACHES,	/* u64, returns to CXL after a loss */

	__CXLNIC_A_STATS_MAX,
	CXLNIC_A_STATS_MAX = __CXLNIC_A_STATS_MAX - 1
};

enum cxlnic_cmd {
	CXLNIC_CMD_UNSPEC,
	CXLNIC_CMD_DEV_GET,		/* do: HANDLE; dump: all NICs */
	CXLNIC_CMD_DEV_SET,		/* HANDLE, MODE (pci or cxl) */
	CXLNIC_CMD_REGION_ATTACH,	/* HANDLE, REGION, [MEMDEV, ENDPOINT,
					 * DECODER]
					 */
	CXLNIC_CMD_REGION_DETACH,	/* HANDLE */
	CXLNIC_CMD_DEV_ADD_NTF,
	CXLNIC_CMD_DEV_DEL_NTF,
	CXLNIC_CMD_DEV_CHANGE_NTF,	/* mode changed: MODE, PREV_MODE, REASON */
	CXLNIC_CMD_PIECE_NTF,		/* PIECE, PIECE_EVENT */

	__CXLNIC_CMD_MAX,
	CXLNIC_CMD_MAX = __CXLNIC_CMD_MAX - 1
};

#endif /* _UAPI_LINUX_CXLNIC_H */
