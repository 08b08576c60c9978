/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few CXL core symbols cxlnic uses.  The CXL core exports them in
 * namespace CXL but keeps its headers (drivers/cxl/cxl.h, cxlmem.h) out of
 * the kernel-headers package, so the prototypes are repeated here as each
 * kernel of the matrix declares them (the const-ness differs: see
 * cxlnic_compat.h).
 *
 * What upstream would need to export for cxlnic to drop this file and the
 * sysfs show() calls of topology.c: these predicates and cxl_bus_type in
 * a public header (include/cxl/), and accessors for a region's range,
 * commit state and targets and for a memdev's serial.
 */
#ifndef _CXLNIC_CXL_CORE_H
#define _CXLNIC_CXL_CORE_H

#include <linux/device.h>
#include "cxlnic_compat.h"

extern CXLNIC_CXL_CONST_BUS struct bus_type cxl_bus_type;
bool is_cxl_memdev(CXLNIC_CXL_CONST_DEV struct device *dev);
bool is_cxl_port(CXLNIC_CXL_CONST_DEV struct device *dev);
bool is_cxl_region(struct device *dev);
bool is_root_decoder(struct device *dev);

#endif /* _CXLNIC_CXL_CORE_H */
