// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnicd.conf(5), KEYS, against the parser's table of policy keys: the
 * page documents exactly the keys the daemon accepts, each with its values
 * by name.  A key is a heading of the section (the line after a .TP or
 * .TQ, outside an .RS indent), written as ".BR key ..." or ".BI key ...";
 * the path of the page is the test's argument.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

#define MAX_HEADINGS 64

static const char *man_page;

struct heading {
	char key[64];
	char line[256];
};

/* The key a heading line names: its macro's first word. */
static void heading_key(const char *line, char *key, size_t len)
{
	size_t n = 0;

	line += strcspn(line, " ");
	line += strspn(line, " \"");
	while (n + 1 < len && (islower((unsigned char)*line) || *line == '_'))
		key[n++] = *line++;
	key[n] = '\0';
}

/* The headings of the page's KEYS section, up to its next .SH or .SS. */
static size_t read_key_headings(struct heading *out, size_t max)
{
	FILE *f = fopen(man_page, "r");
	bool in_keys = false, heading_next = false;
	char line[256];
	int indent = 0;
	size_t n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, ".SH", 3) || !strncmp(line, ".SS", 3)) {
			if (in_keys)
				break;
			in_keys = !strcmp(line, ".SH KEYS");
			continue;
		}
		if (!in_keys)
			continue;
		if (!strcmp(line, ".RS"))
			indent++;
		else if (!strcmp(line, ".RE"))
			indent--;
		else if (heading_next && n < max) {
			heading_key(line, out[n].key, sizeof(out[n].key));
			snprintf(out[n].line, sizeof(out[n].line), "%s", line);
			n++;
		}
		heading_next = !indent && (!strcmp(line, ".TP") ||
					   !strcmp(line, ".TQ"));
	}
	fclose(f);
	assert_true(in_keys);
	return n;
}

static const struct heading *find_heading(const struct heading *h, size_t n,
					  const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(h[i].key, key))
			return &h[i];
	return NULL;
}

/* Every key of the table, with every value it takes by name. */
static void test_table_keys_documented(void **state)
{
	struct heading h[MAX_HEADINGS];
	size_t n = read_key_headings(h, MAX_HEADINGS);
	const struct heading *doc;
	const char *key, *value;
	unsigned int i, v;

	(void)state;
	for (i = 0; (key = config_key_name(i)); i++) {
		doc = find_heading(h, n, key);
		if (!doc)
			fail_msg("%s, KEYS, does not document %s", man_page, key);
		for (v = 0; (value = config_key_value_name(i, v)); v++)
			if (!strstr(doc->line, value))
				fail_msg("%s: '%s' does not name %s's value %s",
					 man_page, doc->line, key, value);
	}
}

/* ... and no key the daemon would refuse, nor one twice. */
static void test_documented_keys_known(void **state)
{
	struct heading h[MAX_HEADINGS];
	size_t n = read_key_headings(h, MAX_HEADINGS), i;

	(void)state;
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		if (!config_key_known(h[i].key))
			fail_msg("%s documents '%s' (from '%s'), which is no policy key",
				 man_page, h[i].key, h[i].line);
		if (find_heading(h, i, h[i].key))
			fail_msg("%s documents %s twice", man_page, h[i].key);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_keys_documented),
		cmocka_unit_test(test_documented_keys_known),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s MAN_PAGE\n", argv[0]);
		return 2;
	}
	man_page = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
