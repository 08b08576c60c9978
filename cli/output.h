/* SPDX-License-Identifier: GPL-2.0-only */
/* Human-readable output of cxlnicctl: tables that fit 80 columns. */
#ifndef CXLNICCTL_OUTPUT_H
#define CXLNICCTL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "cxlnic_dev.h"

void print_dev_table_header(FILE *f);
void print_dev_table_row(FILE *f, const struct cxlnic_dev_info *dev,
			 bool verbose);
void print_dev_details(FILE *f, const struct cxlnic_dev_info *dev);
void print_event_line(FILE *f, const struct cxlnic_dev_info *ev);
/* "256M", "1.5G": human units, for tables only. */
const char *human_size(uint64_t bytes, char *buf, size_t len);

#endif
