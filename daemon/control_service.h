/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * org.varlink.service as cxlnicd answers it, so that varlinkctl can
 * introspect the control socket: GetInfo, and GetInterfaceDescription of
 * itself and of io.cxlnic.Daemon, the latter made from the tables of
 * lib/cxlnic_varlink.c that the parser uses too.
 */
#ifndef CXLNICD_CONTROL_SERVICE_H
#define CXLNICD_CONTROL_SERVICE_H

#include "control_proto.h"

/* The reply to a call @req of org.varlink.service; the caller frees. */
char *control_reply_service(const struct control_request *req);
/* io.cxlnic.Daemon's interface description; the caller frees. */
char *control_interface_description(void);

#endif
