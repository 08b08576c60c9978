// SPDX-License-Identifier: GPL-2.0-only
#include <string.h>

#include "cxlnic_names.h"

#define NAME_OR_UNKNOWN(table, v) \
	((v) < sizeof(table) / sizeof((table)[0]) && (table)[v] ? (table)[v] : "unknown")

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

static const char *const event_names[] = {
	[CXLNIC_CMD_DEV_GET] = "dev",
	[CXLNIC_CMD_DEV_ADD_NTF] = "dev-add",
	[CXLNIC_CMD_DEV_DEL_NTF] = "dev-del",
	[CXLNIC_CMD_DEV_CHANGE_NTF] = "dev-change",
	[CXLNIC_CMD_PIECE_NTF] = "piece",
};

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
	unsigned int i;

	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (mode_names[i] && !strcmp(mode_names[i], name))
			return (int)i;
	return -1;
}
