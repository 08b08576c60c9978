/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicctl's output: human tables that fit 80 columns, and JSON (the shape
 * is lib/cxlnic_json.c's, documented in docs/json.md).
 */
#ifndef CXLNICCTL_OUTPUT_H
#define CXLNICCTL_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "cxlnic_dev.h"

void print_dev_table_header(FILE *f);
void print_dev_table_row(FILE *f, const struct cxlnic_dev_info *dev,
			 bool verbose);
void print_dev_details(FILE *f, const struct cxlnic_dev_info *dev);
void print_event_line(FILE *f, const struct cxlnic_dev_info *ev);
/* Both print @o to stdout and drop the reference. */
void print_json_pretty(struct json_object *o);
/* One object per line, flushed: for streams read while they grow. */
void print_json_line(struct json_object *o);

/* cxlnicd's replies, for people. */
void print_daemon_status(FILE *f, struct json_object *status);
void print_daemon_nic(FILE *f, struct json_object *nic);
void print_policy(FILE *f, struct json_object *policy,
		  struct json_object *changes);
void print_history_entry(FILE *f, struct json_object *entry);

/*
 * A serial number as cxl list and lspci show one, "0x..." (JSON keeps the
 * integer): the memdev_serial of cxlnicd.conf reads either spelling.
 */
#define SERIAL_BUF_LEN sizeof("0x0123456789abcdef")
const char *format_serial(uint64_t serial, char *buf, size_t len);

/* "256M", "1.5G": human units, for tables only. */
const char *human_size(uint64_t bytes, char *buf, size_t len);

#endif
