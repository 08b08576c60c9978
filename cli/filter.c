// SPDX-License-Identifier: GPL-2.0-only
/* cxlnicctl list's filters: parsing the user's values, matching NICs. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cxlnic_names.h"
#include "filter.h"

/* Which table names the values of which option. */
static const struct {
	const char *option;
	const struct cxlnic_name_table *names;
} named[FILTER_NR_NAMED] = {
	[FILTER_MODE] = { "mode", &cxlnic_mode_table },
	[FILTER_STATE] = { "state", &cxlnic_nic_status_table },
	[FILTER_KIND] = { "kind", &cxlnic_nic_kind_table },
};

void filter_init(struct list_filter *f)
{
	unsigned int i;

	f->memdev[0] = '\0';
	for (i = 0; i < FILTER_NR_NAMED; i++)
		f->want[i] = -1;
}

static int find_named(const char *option)
{
	unsigned int i;

	for (i = 0; i < FILTER_NR_NAMED; i++)
		if (!strcmp(named[i].option, option))
			return (int)i;
	return -1;
}

const char *filter_named_option(unsigned int i)
{
	return i < FILTER_NR_NAMED ? named[i].option : NULL;
}

/* The @v-th name of @t, holes (values without a name) skipped. */
static const char *nth_name(const struct cxlnic_name_table *t, unsigned int v)
{
	unsigned int i;

	for (i = 0; i < t->len; i++)
		if (t->names[i] && !v--)
			return t->names[i];
	return NULL;
}

const char *filter_value_name(const char *option, unsigned int v)
{
	int i = find_named(option);

	return i < 0 ? NULL : nth_name(named[i].names, v);
}

/* "--mode 'fast' is not one of: off, pci, cxl". */
static int not_one_of(unsigned int i, const char *value, char *err,
		      size_t len)
{
	size_t used;
	const char *name;
	unsigned int v;

	used = (size_t)snprintf(err, len, "--%s '%s' is not one of:",
				named[i].option, value);
	for (v = 0; (name = nth_name(named[i].names, v)) && used < len; v++)
		used += (size_t)snprintf(err + used, len - used, "%s %s",
					 v ? "," : "", name);
	return -EINVAL;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A memdev as cxl list takes it: "mem1", or its number "1". */
static int set_memdev(struct list_filter *f, const char *value, char *err,
		      size_t len)
{
	bool number = all_digits(value);

	if ((!number && (strncmp(value, "mem", 3) || !all_digits(value + 3))) ||
	    strlen(value) + 4 > sizeof(f->memdev)) {
		snprintf(err, len, "--memdev '%s' is not a memdev: give memN or N, as cxl list shows them",
			 value);
		return -EINVAL;
	}
	snprintf(f->memdev, sizeof(f->memdev), "%s%s", number ? "mem" : "",
		 value);
	return 0;
}

int filter_set(struct list_filter *f, const char *option, const char *value,
	       char *err, size_t err_len)
{
	int i, v;

	if (!strcmp(option, "memdev"))
		return set_memdev(f, value, err, err_len);
	i = find_named(option);
	if (i < 0) {
		snprintf(err, err_len, "--%s is not a filter", option);
		return -EINVAL;
	}
	v = cxlnic_name_lookup(named[i].names, value);
	if (v < 0)
		return not_one_of((unsigned int)i, value, err, err_len);
	f->want[i] = v;
	return 0;
}

bool filter_wants_state(const struct list_filter *f)
{
	return f->want[FILTER_STATE] >= 0;
}

/* Whether @name is among the NIC's CXL pieces as a memdev. */
static bool has_memdev(const struct cxlnic_dev_info *dev, const char *name)
{
	unsigned int i;

	for (i = 0; i < dev->n_pieces; i++)
		if (dev->pieces[i].kind == CXLNIC_PIECE_MEMDEV &&
		    !strcmp(dev->pieces[i].name, name))
			return true;
	return false;
}

static bool wanted(const struct list_filter *f, enum filter_named i, int v)
{
	return f->want[i] < 0 || f->want[i] == v;
}

bool filter_match(const struct list_filter *f,
		  const struct cxlnic_dev_info *dev, int state)
{
	if (f->memdev[0] && !has_memdev(dev, f->memdev))
		return false;
	/* A NIC cxlnicd does not know has no state to match. */
	if (filter_wants_state(f) && state < 0)
		return false;
	return wanted(f, FILTER_MODE, dev->mode) &&
	       wanted(f, FILTER_STATE, state) &&
	       wanted(f, FILTER_KIND, dev->kind);
}
