// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "cxlnic_names.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A value this build has no name for (a newer kernel's) prints as such. */
#define NAME_OR_UNKNOWN(table, v) \
	((v) < ARRAY_LEN(table) && (table)[v] ? (table)[v] : "unknown")

/* The reverse lookup; the tables are small, a scan is enough. */
#define VALUE_OF(table, name) value_of(table, ARRAY_LEN(table), name)

static const char *const mode_names[] = {
	[CXLNIC_CTPIO_MODE_OFF] = "off",
	[CXLNIC_CTPIO_MODE_PCI] = "pci",
	[CXLNIC_CTPIO_MODE_CXL] = "cxl",
};

static const char *const kind_names[] = {
	[CXLNIC_PIECE_ROOT] = "root",
	[CXLNIC_PIECE_PORT] = "port",
	[CXLNIC_PIECE_ENDPOINT] = "endpoint",
	[CXLNIC_PIECE_MEMDEV] = "memdev",
	[CXLNIC_PIECE_DECODER] = "decoder",
	[CXLNIC_PIECE_REGION] = "region",
};

static const char *const state_names[] = {
	[CXLNIC_PIECE_STATE_ABSENT] = "absent",
	[CXLNIC_PIECE_STATE_PRESENT] = "present",
	[CXLNIC_PIECE_STATE_BOUND] = "bound",
};

static const char *const reason_names[] = {
	[CXLNIC_REASON_NONE] = "none",
	[CXLNIC_REASON_USER] = "user",
	[CXLNIC_REASON_ATTACH] = "attach",
	[CXLNIC_REASON_DETACH] = "detach",
	[CXLNIC_REASON_PIECE_UNBOUND] = "piece-unbound",
	[CXLNIC_REASON_PIECE_REMOVED] = "piece-removed",
	[CXLNIC_REASON_DRIVER] = "driver",
	[CXLNIC_REASON_UNREGISTER] = "unregister",
	[CXLNIC_REASON_PROBE] = "probe",
	[CXLNIC_REASON_RELEASED] = "released",
};

static const char *const nic_kind_names[] = {
	[CXLNIC_KIND_COOPERATING] = "cooperating",
	[CXLNIC_KIND_STOCK] = "stock",
};

static const char *const decoder_mode_names[] = {
	[CXLNIC_DECODER_MODE_UNKNOWN] = "unknown",
	[CXLNIC_DECODER_MODE_HOSTONLY] = "host-only",
	[CXLNIC_DECODER_MODE_DEVMEM] = "device-coherent",
};

static const char *const piece_event_names[] = {
	[CXLNIC_PIECE_EVENT_LOST] = "lost",
	[CXLNIC_PIECE_EVENT_RETURNED] = "returned",
};

const char *const nic_status_names[NIC_STATUS_COUNT] = {
	[NIC_STATUS_ON_CXL] = "on-cxl",
	[NIC_STATUS_ON_PCI] = "on-pci",
	[NIC_STATUS_WAITING] = "waiting",
	[NIC_STATUS_RETRYING] = "retrying",
	[NIC_STATUS_GAVE_UP] = "gave-up",
	[NIC_STATUS_UNBOUND] = "unbound",
	[NIC_STATUS_HELD] = "held",
	[NIC_STATUS_ABSENT] = "absent",
};

static const char *const event_names[] = {
	[CXLNIC_CMD_DEV_GET] = "dev",
	[CXLNIC_CMD_DEV_ADD_NTF] = "dev-add",
	[CXLNIC_CMD_DEV_DEL_NTF] = "dev-del",
	[CXLNIC_CMD_DEV_CHANGE_NTF] = "dev-change",
	[CXLNIC_CMD_PIECE_NTF] = "piece",
};

/*
 * The errors the control socket's replies name in "code": cxlnicd writes
 * them, cxlnicctl reads them back into errnos.  Any other is EIO.
 */
static const char *const errno_names[] = {
	[EINVAL] = "EINVAL",
	[EPERM] = "EPERM",
	[EACCES] = "EACCES",
	[ENODEV] = "ENODEV",
	[EBUSY] = "EBUSY",
	[EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM",
	[ENOENT] = "ENOENT",
	[ENOSPC] = "ENOSPC",
	[EOPNOTSUPP] = "EOPNOTSUPP",
	[ELOOP] = "ELOOP",
	[ETIMEDOUT] = "ETIMEDOUT",
	[EIO] = "EIO",
};

static int value_of(const char *const *table, size_t len, const char *name)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (table[i] && !strcmp(table[i], name))
			return (int)i;
	return -1;
}

#define NAME_TABLE(table) { (table), ARRAY_LEN(table) }

const struct cxlnic_name_table cxlnic_mode_table = NAME_TABLE(mode_names);
const struct cxlnic_name_table cxlnic_nic_kind_table =
	NAME_TABLE(nic_kind_names);
const struct cxlnic_name_table cxlnic_nic_status_table =
	NAME_TABLE(nic_status_names);

int cxlnic_name_lookup(const struct cxlnic_name_table *t, const char *name)
{
	return value_of(t->names, t->len, name);
}

const char *cxlnic_mode_name(unsigned int v)
{
	return NAME_OR_UNKNOWN(mode_names, v);
}

const char *cxlnic_piece_kind_name(unsigned int v)
{
	return NAME_OR_UNKNOWN(kind_names, v);
}

const char *cxlnic_piece_state_name(unsigned int v)
{
	return NAME_OR_UNKNOWN(state_names, v);
}

const char *cxlnic_reason_name(unsigned int v)
{
	return NAME_OR_UNKNOWN(reason_names, v);
}

const char *cxlnic_nic_kind_name(unsigned int v)
{
	return NAME_OR_UNKNOWN(nic_kind_names, v);
}

const char *cxlnic_decoder_mode_name(unsigned int v)
{
	return NAME_OR_UNKNOWN(decoder_mode_names, v);
}

const char *cxlnic_piece_event_name(unsigned int v)
{
	return NAME_OR_UNKNOWN(piece_event_names, v);
}

const char *cxlnic_event_name(unsigned int v)
{
	return NAME_OR_UNKNOWN(event_names, v);
}

int cxlnic_mode_from_name(const char *name)
{
	return VALUE_OF(mode_names, name);
}

int cxlnic_piece_kind_from_name(const char *name)
{
	return VALUE_OF(kind_names, name);
}

int cxlnic_piece_state_from_name(const char *name)
{
	return VALUE_OF(state_names, name);
}

int cxlnic_reason_from_name(const char *name)
{
	return VALUE_OF(reason_names, name);
}

int cxlnic_nic_kind_from_name(const char *name)
{
	return VALUE_OF(nic_kind_names, name);
}

int cxlnic_decoder_mode_from_name(const char *name)
{
	return VALUE_OF(decoder_mode_names, name);
}

int cxlnic_piece_event_from_name(const char *name)
{
	return VALUE_OF(piece_event_names, name);
}

int cxlnic_nic_status_from_name(const char *name)
{
	return VALUE_OF(nic_status_names, name);
}

bool cxlnic_reason_is_loss(unsigned int reason)
{
	return reason == CXLNIC_REASON_PIECE_UNBOUND ||
	       reason == CXLNIC_REASON_PIECE_REMOVED ||
	       reason == CXLNIC_REASON_DRIVER;
}

bool cxlnic_reason_is_operator(unsigned int reason)
{
	return reason == CXLNIC_REASON_USER || reason == CXLNIC_REASON_DETACH;
}

const char *cxlnic_errno_name(int err)
{
	unsigned int v = (unsigned int)(err < 0 ? -err : err);

	return v < ARRAY_LEN(errno_names) && errno_names[v] ?
	       errno_names[v] : errno_names[EIO];
}

int cxlnic_errno_from_name(const char *name)
{
	int v = name ? VALUE_OF(errno_names, name) : -1;

	return v > 0 ? -v : -EIO;
}
