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

/* Each returns the enum value, or -1 when @name is not one of its names. */
int cxlnic_mode_from_name(const char *name);
int cxlnic_piece_kind_from_name(const char *name);
int cxlnic_piece_state_from_name(const char *name);
int cxlnic_reason_from_name(const char *name);
int cxlnic_nic_kind_from_name(const char *name);
int cxlnic_decoder_mode_from_name(const char *name);
int cxlnic_piece_event_from_name(const char *name);

/*
 * An errno's name as the control socket's "code" gives it ("EBUSY"), and
 * back: either sign in; a negative errno out.  What has no name is EIO.
 */
const char *cxlnic_errno_name(int err);
int cxlnic_errno_from_name(const char *name);

#endif
