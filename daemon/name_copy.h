/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A device name (from libcxl, libndctl or a request) into a fixed-size
 * field: "" for none, cut to fit.
 */
#ifndef CXLNICD_NAME_COPY_H
#define CXLNICD_NAME_COPY_H

#include <stddef.h>
#include <stdio.h>

static inline void copy_name(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

#endif
