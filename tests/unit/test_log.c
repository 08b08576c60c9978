// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnicd's journal MESSAGE_IDs: well formed, each its own, and each
 * listed in cxlnicd(8), JOURNAL, under its event's name (the path of the
 * page is the test's argument).
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

static const char *man_page;

static void test_ids_well_formed(void **state)
{
	const struct log_message_id *m, *o;
	size_t i;

	(void)state;
	for (m = log_message_ids; m->step; m++) {
		assert_int_equal(strlen(m->id), 32);
		for (i = 0; i < 32; i++)
			assert_true(isxdigit((unsigned char)m->id[i]) &&
				    !isupper((unsigned char)m->id[i]));
		for (o = log_message_ids; o != m; o++)
			assert_string_not_equal(o->id, m->id);
		assert_ptr_equal(log_message_id_of(m->step), m->id);
	}
	assert_null(log_message_id_of("attach"));
	assert_null(log_message_id_of(NULL));
}

/* "give-up" as roff writes it: "give\-up". */
static void roff_name(const char *step, char *out, size_t len)
{
	size_t n = 0;

	for (; *step && n + 3 < len; step++) {
		if (*step == '-')
			out[n++] = '\\';
		out[n++] = *step;
	}
	out[n] = '\0';
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

static void test_ids_documented(void **state)
{
	const struct log_message_id *m;
	char *page = read_file(man_page);
	char want[128], name[48];

	(void)state;
	assert_non_null(strstr(page, "\n.SH JOURNAL\n"));
	for (m = log_message_ids; m->step; m++) {
		roff_name(m->step, name, sizeof(name));
		snprintf(want, sizeof(want), "\n.B %s\nMESSAGE_ID=%s\n", name,
			 m->id);
		if (!strstr(page, want))
			fail_msg("%s does not list %s as '%s'", man_page,
				 m->step, want + 1);
	}
	free(page);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_well_formed),
		cmocka_unit_test(test_ids_documented),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s MAN_PAGE\n", argv[0]);
		return 2;
	}
	man_page = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
