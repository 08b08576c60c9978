// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of cxlnicctl's pure parts (cmocka): list's filters, the exit
 * codes of cxlnicd's failures, serials in human output.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cxlnic_ctl.h"
#include "cxlnic_names.h"
#include "exit_codes.h"
#include "filter.h"
#include "output.h"

/* Two NICs that differ in every field a filter looks at. */
static void two_nics(struct cxlnic_dev_info nics[2])
{
	memset(nics, 0, 2 * sizeof(nics[0]));
	nics[0].mode = CXLNIC_CTPIO_MODE_CXL;
	nics[0].kind = CXLNIC_KIND_COOPERATING;
	nics[0].n_pieces = 2;
	nics[0].pieces[0] = (struct cxlnic_piece_info) {
		.kind = CXLNIC_PIECE_REGION, .name = "region0" };
	nics[0].pieces[1] = (struct cxlnic_piece_info) {
		.kind = CXLNIC_PIECE_MEMDEV, .name = "mem1" };
	nics[1].mode = CXLNIC_CTPIO_MODE_PCI;
	nics[1].kind = CXLNIC_KIND_STOCK;
	nics[1].n_pieces = 2;
	/* A region named like a memdev must not pass --memdev. */
	nics[1].pieces[0] = (struct cxlnic_piece_info) {
		.kind = CXLNIC_PIECE_REGION, .name = "mem1" };
	nics[1].pieces[1] = (struct cxlnic_piece_info) {
		.kind = CXLNIC_PIECE_MEMDEV, .name = "mem2" };
}

/* Which of the two pass: bit 0 the first, bit 1 the second. */
static unsigned int passing(const struct list_filter *f, int state0,
			    int state1)
{
	struct cxlnic_dev_info nics[2];

	two_nics(nics);
	return (unsigned int)filter_match(f, &nics[0], state0) |
	       (unsigned int)filter_match(f, &nics[1], state1) << 1;
}

static struct list_filter filter_of(const char *option, const char *value)
{
	struct list_filter f;
	char err[256];

	filter_init(&f);
	assert_int_equal(filter_set(&f, option, value, err, sizeof(err)), 0);
	return f;
}

static void test_filter_none_passes_all(void **state)
{
	struct list_filter f;

	(void)state;
	filter_init(&f);
	assert_false(filter_wants_state(&f));
	assert_int_equal(passing(&f, -1, -1), 3);
}

static void test_filter_drops_one(void **state)
{
	struct list_filter f;

	(void)state;
	f = filter_of("mode", "cxl");
	assert_int_equal(passing(&f, -1, -1), 1);
	f = filter_of("mode", "pci");
	assert_int_equal(passing(&f, -1, -1), 2);
	f = filter_of("mode", "off");
	assert_int_equal(passing(&f, -1, -1), 0);
	f = filter_of("kind", "stock");
	assert_int_equal(passing(&f, -1, -1), 2);
	f = filter_of("memdev", "mem1");
	assert_int_equal(passing(&f, -1, -1), 1);
	/* cxl list's short form: the memdev's number. */
	f = filter_of("memdev", "2");
	assert_string_equal(f.memdev, "mem2");
	assert_int_equal(passing(&f, -1, -1), 2);
}

static void test_filter_state(void **state)
{
	struct list_filter f;

	(void)state;
	f = filter_of("state", "waiting");
	assert_true(filter_wants_state(&f));
	assert_int_equal(passing(&f, NIC_STATUS_ON_CXL, NIC_STATUS_WAITING), 2);
	/* A NIC cxlnicd does not know is in no state. */
	assert_int_equal(passing(&f, -1, NIC_STATUS_WAITING), 2);
	assert_int_equal(passing(&f, NIC_STATUS_WAITING, -1), 1);
}

static void test_filter_and(void **state)
{
	struct list_filter f;
	char err[256];

	(void)state;
	f = filter_of("mode", "cxl");
	assert_int_equal(filter_set(&f, "kind", "stock", err, sizeof(err)), 0);
	assert_int_equal(passing(&f, -1, -1), 0);
	assert_int_equal(filter_set(&f, "kind", "cooperating", err,
				    sizeof(err)), 0);
	assert_int_equal(filter_set(&f, "memdev", "mem1", err, sizeof(err)), 0);
	assert_int_equal(filter_set(&f, "state", "on-cxl", err, sizeof(err)),
			 0);
	assert_int_equal(passing(&f, NIC_STATUS_ON_CXL, NIC_STATUS_ON_CXL), 1);
	assert_int_equal(passing(&f, NIC_STATUS_ON_PCI, NIC_STATUS_ON_CXL), 0);
}

/* An unknown value is refused with every valid one named, in order. */
static void test_filter_unknown_value(void **state)
{
	struct list_filter f;
	char err[256];

	(void)state;
	filter_init(&f);
	assert_int_equal(filter_set(&f, "mode", "fast", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "--mode 'fast' is not one of: off, pci, cxl");
	assert_int_equal(filter_set(&f, "kind", "odd", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
		"--kind 'odd' is not one of: cooperating, stock");
	assert_int_equal(filter_set(&f, "state", "up", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
		"--state 'up' is not one of: on-cxl, on-pci, waiting, retrying, gave-up, unbound, held, absent");
	assert_int_equal(filter_set(&f, "memdev", "region0", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "'region0' is not a memdev"));
	assert_int_equal(filter_set(&f, "memdev", "mem", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(filter_set(&f, "color", "red", err, sizeof(err)),
			 -EINVAL);
	/* Nothing refused was kept. */
	assert_int_equal(passing(&f, -1, -1), 3);
	/* A short buffer is cut, not overrun. */
	assert_int_equal(filter_set(&f, "state", "up", err, 12), -EINVAL);
	assert_int_equal(strlen(err), 11);
}

/* The completion's values are the tables' names, none missed. */
static void test_filter_values_are_the_tables(void **state)
{
	const char *opt, *name;
	unsigned int i, v;

	(void)state;
	for (i = 0; (opt = filter_named_option(i)); i++) {
		struct list_filter f;
		char err[256];

		for (v = 0; (name = filter_value_name(opt, v)); v++) {
			filter_init(&f);
			assert_int_equal(filter_set(&f, opt, name, err,
						    sizeof(err)), 0);
		}
		assert_true(v >= 2);
	}
	assert_int_equal(i, FILTER_NR_NAMED);
	assert_string_equal(filter_value_name("mode", 0), "off");
	assert_string_equal(filter_value_name("state", NIC_STATUS_ABSENT),
			    "absent");
	assert_null(filter_value_name("state", NIC_STATUS_COUNT));
	assert_null(filter_value_name("memdev", 0));
}

static void test_daemon_exit_codes(void **state)
{
	static const struct {
		const char *cmd;
		int err;
		bool answered;
		int code;
	} cases[] = {
		{ "status", -CXLNIC_ENODAEMON, false, EXIT_NO_DAEMON },
		{ "status", -EAGAIN, true, EXIT_BUSY },
		{ "reload", -EAGAIN, false, EXIT_BUSY },
		/* No reply in time (the library's): busy; cxlnicd's: failed. */
		{ "recover", -ETIMEDOUT, false, EXIT_BUSY },
		{ "recover", -ETIMEDOUT, true, EXIT_FAIL },
		{ "reload", -EPERM, true, EXIT_PERM },
		{ "status", -EACCES, true, EXIT_PERM },
		{ "show", -ENODEV, true, EXIT_NOT_FOUND },
		{ "policy", -EINVAL, true, EXIT_USAGE },
		/* reload's EINVAL is the file's, not the command line's. */
		{ "reload", -EINVAL, true, EXIT_FAIL },
		{ "reload", -ENOENT, true, EXIT_FAIL },
		/* A NIC held unbound: no use trying again. */
		{ "recover", -EBUSY, true, EXIT_FAIL },
		{ "status", -ECONNRESET, false, EXIT_FAIL },
		{ "status", -EIO, true, EXIT_FAIL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(daemon_exit_code(cases[i].cmd, cases[i].err,
						  cases[i].answered),
				 cases[i].code);
	/* Each code has its own number. */
	assert_int_equal(EXIT_BUSY, 7);
	assert_int_not_equal(EXIT_BUSY, EXIT_FAIL);
}

static void test_format_serial(void **state)
{
	char buf[SERIAL_BUF_LEN];

	(void)state;
	assert_string_equal(format_serial(0x1234abcdULL, buf, sizeof(buf)),
			    "0x1234abcd");
	assert_string_equal(format_serial(UINT64_MAX, buf, sizeof(buf)),
			    "0xffffffffffffffff");
	assert_string_equal(format_serial(0, buf, sizeof(buf)), "0x0");
}

/* What @print writes, as a string the caller frees. */
static char *captured(void (*print)(FILE *f, void *arg), void *arg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	print(f, arg);
	fclose(f);
	return text;
}

static void print_details(FILE *f, void *arg)
{
	print_dev_details(f, arg);
}

static void print_row(FILE *f, void *arg)
{
	print_dev_table_row(f, arg, true);
}

static void print_policy_of(FILE *f, void *arg)
{
	print_policy(f, arg, NULL);
}

static void test_serial_in_human_output(void **state)
{
	struct cxlnic_dev_info dev = { .kind = CXLNIC_KIND_STOCK,
				       .serial = 0xc0ffee0000001ULL };
	struct json_object *policy = json_object_new_object();
	char *text;

	(void)state;
	text = captured(print_details, &dev);
	assert_non_null(strstr(text, "serial:       0xc0ffee0000001\n"));
	free(text);
	text = captured(print_row, &dev);
	assert_non_null(strstr(text, ", serial 0xc0ffee0000001\n"));
	free(text);
	json_object_object_add(policy, "grace_ms", json_object_new_int64(100));
	json_object_object_add(policy, "memdev_serial",
			       json_object_new_uint64(0xabcdef0123456789ULL));
	text = captured(print_policy_of, policy);
	assert_non_null(strstr(text, "grace_ms        100\n"));
	assert_non_null(strstr(text, "memdev_serial   0xabcdef0123456789\n"));
	free(text);
	/* Not paired: null, shown as such. */
	json_object_object_add(policy, "memdev_serial", NULL);
	text = captured(print_policy_of, policy);
	assert_non_null(strstr(text, "memdev_serial   -\n"));
	free(text);
	json_object_put(policy);
	/* A NIC without a serial shows none. */
	dev.serial = 0;
	text = captured(print_details, &dev);
	assert_null(strstr(text, "serial"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_none_passes_all),
		cmocka_unit_test(test_filter_drops_one),
		cmocka_unit_test(test_filter_state),
		cmocka_unit_test(test_filter_and),
		cmocka_unit_test(test_filter_unknown_value),
		cmocka_unit_test(test_filter_values_are_the_tables),
		cmocka_unit_test(test_daemon_exit_codes),
		cmocka_unit_test(test_format_serial),
		cmocka_unit_test(test_serial_in_human_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
