/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The DAX side of a NIC's region: the nvdimm namespaces libnvdimm makes on
 * a pmem region, seen and made through libndctl.  A CXL region and its
 * nvdimm region are matched by their host physical base address.
 */
#ifndef CXLNICD_DAX_H
#define CXLNICD_DAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The alt_name cxlnicd gives the namespaces it makes; the label keeps it. */
#define DAX_NAMESPACE_NAME "cxlnic"

struct dax_view {
	bool devdax;		/* an active devdax namespace */
	bool other;		/* another namespace, active or sized */
	bool other_ours;	/* ...and each of those is cxlnicd's */
	char namespace[32];	/* the first of those, for the logs */
	char chardev[32];	/* daxX.Y of the devdax one */
};

/* What is on the nvdimm region at @base; -ENODEV when there is none. */
int dax_scan(uint64_t base, struct dax_view *view);
/*
 * A devdax namespace on the nvdimm region at @base, its /dev name in
 * @chardev: cxlnicd's own namespace from before (its label outlives the
 * region) is claimed again, which sets @reclaimed, else one is made on
 * the region's seed.
 */
int dax_create(uint64_t base, char *chardev, size_t len, bool *reclaimed);

#endif
