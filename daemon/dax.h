/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DAX side of a NIC's region: the nvdimm namespaces libnvdimm makes on
 * a pmem region, seen through libndctl (cxlnicd makes none).  A CXL region
 * and its nvdimm region are matched by their host physical base address.
 */
#ifndef CXLNICD_DAX_H
#define CXLNICD_DAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dax_view {
	bool devdax;		/* an active devdax namespace */
	bool other;		/* another namespace, active or sized */
	char namespace[32];	/* the first of those, for the logs */
	char chardev[32];	/* daxX.Y of the devdax one */
};

/* What is on the nvdimm region at @base; -ENODEV when there is none. */
int dax_scan(uint64_t base, struct dax_view *view);
#endif
