/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * JSON shapes of a NIC and of an event (json-c).  The shape is documented
 * in docs/json.md and is stable: keys are snake_case, sizes and counters are
 * integers in bytes or units, CXL names are as in sysfs.
 */
#ifndef CXLNIC_JSON_H
#define CXLNIC_JSON_H

#include <json-c/json.h>

#include "cxlnic_dev.h"

struct json_object *cxlnic_dev_to_json(const struct cxlnic_dev_info *dev);
/* A notification: the NIC's fields plus "event" and the event's own. */
struct json_object *cxlnic_event_to_json(const struct cxlnic_dev_info *ev);
/*
 * {"event":"overrun"}: the kernel dropped events for this reader, whose view
 * is now stale until it reads the NICs again.
 */
struct json_object *cxlnic_overrun_to_json(void);
/*
 * {"event":"family-gone"} and {"event":"family-back"}: cxlnic.ko was
 * unloaded, or loaded again (and the reader has joined its group anew).
 */
struct json_object *cxlnic_family_event_to_json(bool back);

#endif
