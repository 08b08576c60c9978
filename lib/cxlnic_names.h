/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of the family's enums, as printed and as accepted on input. */
#ifndef CXLNIC_NAMES_H
#define CXLNIC_NAMES_H

#include <stdbool.h>
#include <linux/cxlnic.h>

/* A value this build has no name for (a newer kernel's) is "unknown". */
const char *cxlnic_mode_name(unsigned int mode);
const char *cxlnic_piece_kind_name(unsigned int kind);
const char *cxlnic_piece_state_name(unsigned int state);
const char *cxlnic_reason_name(unsigned int reason);
const char *cxlnic_nic_kind_name(unsigned int kind);
const char *cxlnic_decoder_mode_name(unsigned int mode);
const char *cxlnic_piece_event_name(unsigned int event);
const char *cxlnic_event_name(unsigned int cmd);

/*
 * Whether a NIC on PCI for @reason got there by losing a CXL piece (rather
 * than by a request).  Mirrors cxlnic_reason_is_loss() in kernel/core.c.
 */
bool cxlnic_reason_is_loss(unsigned int reason);
/* Whether a NIC on PCI for @reason was put there by an operator (dev-set
 * to pci, or region-detach). */
bool cxlnic_reason_is_operator(unsigned int reason);

/*
 * Where cxlnicd says a NIC is, in one word ("state" in docs/json.md).  The
 * daemon decides it (nic_status_of()); the names are here so that
 * cxlnicctl, which takes them as input (list --state), reads the same list.
 */
enum nic_status {
	NIC_STATUS_ON_CXL,
	NIC_STATUS_ON_PCI,
	NIC_STATUS_WAITING,
	NIC_STATUS_RETRYING,
	NIC_STATUS_GAVE_UP,
	NIC_STATUS_UNBOUND,
	NIC_STATUS_HELD,
	NIC_STATUS_ABSENT,
	NIC_STATUS_COUNT
};

extern const char *const nic_status_names[NIC_STATUS_COUNT];

/* Each returns the enum value, or -1 when @name is not one of its names. */
int cxlnic_mode_from_name(const char *name);
int cxlnic_piece_kind_from_name(const char *name);
int cxlnic_piece_state_from_name(const char *name);
int cxlnic_reason_from_name(const char *name);
int cxlnic_nic_kind_from_name(const char *name);
int cxlnic_decoder_mode_from_name(const char *name);
int cxlnic_piece_event_from_name(const char *name);
int cxlnic_nic_status_from_name(const char *name);

/*
 * One enum's names, for whoever lists the valid ones (an error naming the
 * choices, the bash completion): names[v] is value v's, NULL for a value
 * without one.
 */
struct cxlnic_name_table {
	const char *const *names;
	unsigned int len;
};

extern const struct cxlnic_name_table cxlnic_mode_table;
extern const struct cxlnic_name_table cxlnic_nic_kind_table;
extern const struct cxlnic_name_table cxlnic_nic_status_table;

/* The value of @name in @t, or -1. */
int cxlnic_name_lookup(const struct cxlnic_name_table *t, const char *name);

/*
 * An errno's name as the control socket's "code" gives it ("EBUSY"), and
 * back: either sign in; a negative errno out.  What has no name is EIO.
 */
const char *cxlnic_errno_name(int err);
int cxlnic_errno_from_name(const char *name);

#endif
