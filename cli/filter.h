/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicctl list's filters, as cxl list has them: --memdev, --mode,
 * --state, --kind.  Each given narrows the list; together they must all
 * hold.  The names each takes are the tables' of lib/cxlnic_names.c, so
 * the values accepted are the values printed.
 */
#ifndef CXLNICCTL_FILTER_H
#define CXLNICCTL_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cxlnic_dev.h"

/* The filters that take one of an enum's names. */
enum filter_named {
	FILTER_MODE,		/* the CTPIO mode: off, pci, cxl */
	FILTER_STATE,		/* cxlnicd's state of the NIC */
	FILTER_KIND,		/* cooperating, stock */
	FILTER_NR_NAMED,
};

struct list_filter {
	char memdev[CXLNIC_NAME_MAX];	/* "": any */
	int want[FILTER_NR_NAMED];	/* the enum's value, -1: any */
};

void filter_init(struct list_filter *f);
/*
 * Set the filter of option @option ("memdev", "mode", "state", "kind") to
 * the user's @value: 0, or -EINVAL with one sentence in @err that names
 * the valid values.
 */
int filter_set(struct list_filter *f, const char *option, const char *value,
	       char *err, size_t err_len);
/* Whether matching needs cxlnicd's states (--state was given). */
bool filter_wants_state(const struct list_filter *f);
/*
 * Whether @dev passes every filter given; @state is cxlnicd's state of it
 * (enum nic_status), -1 when cxlnicd does not know it.
 */
bool filter_match(const struct list_filter *f,
		  const struct cxlnic_dev_info *dev, int state);

/*
 * For the bash completion: the @i-th option taking names ("mode"), and the
 * @v-th name option @option takes; NULL after the last.
 */
const char *filter_named_option(unsigned int i);
const char *filter_value_name(const char *option, unsigned int v);

#endif
