/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The few CXL core symbols cxlnic uses.  The CXL core exports them in
 * namespace CXL but keeps its headers (drivers/cxl/cxl.h, cxlmem.h) out of
 * the kernel-headers package, so the prototypes are repeated here exactly as
 * in Linux 6.1.
 */
#ifndef _CXLNIC_CXL_CORE_H
#define _CXLNIC_CXL_CORE_H

#include <linux/device.h>

extern struct bus_type cxl_bus_type;
bool is_cxl_memdev(struct device *dev);
bool is_cxl_port(struct device *dev);
bool is_cxl_region(struct device *dev);
bool is_root_decoder(struct device *dev);

#endif /* _CXLNIC_CXL_CORE_H */
