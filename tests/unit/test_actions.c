// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnicd's sysfs actions against a directory laid out as sysfs
 * (sysfs_root): which files an unbind writes, and in which cases.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "actions.h"
#include "fault.h"

#define NIC "0000:0d:00.0"

struct fake_sysfs {
	char root[64];
};

static void make_path(const struct fake_sysfs *s, const char *rel, char *out,
		      size_t len)
{
	snprintf(out, len, "%s/%s", s->root, rel);
}

static void mkdirs(const struct fake_sysfs *s, const char *rel)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", s->root, rel);
	assert_int_equal(system(cmd), 0);
}

/* An empty attribute that a write lands in, as sysfs takes it. */
static void touch(const struct fake_sysfs *s, const char *rel)
{
	char path[PATH_MAX];
	FILE *f;

	make_path(s, rel, path, sizeof(path));
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

/* What was written to @rel ("" if nothing). */
static const char *written(const struct fake_sysfs *s, const char *rel)
{
	static char buf[64];
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	make_path(s, rel, path, sizeof(path));
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* NIC bound to driver "sim_t2", whose unbind attribute exists. */
static int setup(void **state)
{
	struct fake_sysfs *s = calloc(1, sizeof(*s));
	char link[PATH_MAX];

	assert_non_null(s);
	strcpy(s->root, "/tmp/cxlnicd-sysfs-XXXXXX");
	assert_non_null(mkdtemp(s->root));
	mkdirs(s, "bus/pci/devices/" NIC);
	mkdirs(s, "bus/pci/drivers/sim_t2");
	touch(s, "bus/pci/drivers/sim_t2/unbind");
	make_path(s, "bus/pci/devices/" NIC "/driver", link, sizeof(link));
	assert_int_equal(symlink("../../../../bus/pci/drivers/sim_t2", link),
			 0);
	sysfs_root = s->root;
	assert_int_equal(fault_setup(NULL), 0);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct fake_sysfs *s = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->root);
	assert_int_equal(system(cmd), 0);
	free(s);
	return 0;
}

/*
 * The unbind, then the CXL core's queued work flushed (its memdev detach
 * would release a bind made before it ran).
 */
static void test_unbind_flushes_cxl_bus(void **state)
{
	struct fake_sysfs *s = *state;
	char driver[32];

	mkdirs(s, "bus/cxl");
	touch(s, "bus/cxl/flush");
	assert_int_equal(action_unbind_nic(NIC, driver, sizeof(driver)), 0);
	assert_string_equal(driver, "sim_t2");
	assert_string_equal(written(s, "bus/pci/drivers/sim_t2/unbind"), NIC);
	assert_string_equal(written(s, "bus/cxl/flush"), "1");
}

/* No CXL core loaded, no bus/cxl: the unbind alone, and it succeeds. */
static void test_unbind_without_cxl_bus(void **state)
{
	struct fake_sysfs *s = *state;
	char driver[32];

	assert_int_equal(action_unbind_nic(NIC, driver, sizeof(driver)), 0);
	assert_string_equal(written(s, "bus/pci/drivers/sim_t2/unbind"), NIC);
}

/* A failed unbind flushes nothing; the error is the unbind's. */
static void test_failed_unbind_no_flush(void **state)
{
	struct fake_sysfs *s = *state;
	char path[PATH_MAX], driver[32];

	mkdirs(s, "bus/cxl");
	touch(s, "bus/cxl/flush");
	make_path(s, "bus/pci/drivers/sim_t2/unbind", path, sizeof(path));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(action_unbind_nic(NIC, driver, sizeof(driver)),
			 -ENOENT);
	assert_string_equal(written(s, "bus/cxl/flush"), "");
}

/*
 * The flush is no fault point: one injected sysfs-write failure fails
 * the unbind, and the next unbind is not failed by it.
 */
static void test_flush_not_a_fault_point(void **state)
{
	struct fake_sysfs *s = *state;
	char driver[32];

	mkdirs(s, "bus/cxl");
	touch(s, "bus/cxl/flush");
	assert_int_equal(fault_setup("sysfs-write:1"), 0);
	assert_int_equal(action_unbind_nic(NIC, driver, sizeof(driver)), -EIO);
	assert_string_equal(written(s, "bus/cxl/flush"), "");
	assert_int_equal(action_unbind_nic(NIC, driver, sizeof(driver)), 0);
	assert_string_equal(written(s, "bus/cxl/flush"), "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unbind_flushes_cxl_bus,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind_without_cxl_bus,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_unbind_no_flush,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_not_a_fault_point,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
