// SPDX-License-Identifier: GPL-2.0-only
/*
 * topology.h's functions as cxlnicd calls them, each run in a cxlnicd-cxl
 * worker (cxl_worker.h), on this machine's own CXL bus (none, on a build
 * machine): the request and reply cross, the function's return comes
 * back, and a worker given anything but a request of its build refuses.
 * Built next to cxlnicd-cxl, where cxlnicd looks for it in the build tree.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "cxl_worker.h"
#include "topology.h"

static void test_scan_crosses(void **state)
{
	struct chain_view view;
	struct chain_names names;

	(void)state;
	memset(&view, 0xff, sizeof(view));
	memset(&names, 'x', sizeof(names));
	/* No memdev of this serial here: a whole, empty view back. */
	assert_int_equal(topology_scan(0xc71c0ffee, "region77", NULL,
				       DECODER_ANY, &view, &names), 0);
	assert_false(view.memdev);
	assert_false(view.region);
	assert_string_equal(names.memdev, "");
	assert_string_equal(names.region, "");
}

static void test_returns_cross(void **state)
{
	const char *ports[] = { "port99" };
	char region[32] = "stale";
	bool root = true, ports_ok = true;

	(void)state;
	assert_int_equal(topology_enable_region("region9999"), -ENODEV);
	assert_int_equal(topology_free_dpa("decoder99.9"), -ENODEV);
	assert_int_equal(topology_create_region("mem9999", 0, "uuid", region,
						sizeof(region)), -ENODEV);
	assert_string_equal(region, "");
	assert_int_equal(topology_stock_chain(ports, 1, &root, &ports_ok), 0);
	assert_false(root);
	assert_false(ports_ok);
	assert_int_equal(topology_stock_chain(ports, CXLNIC_MAX_PIECES + 1,
					      &root, &ports_ok), -E2BIG);
}

/* By hand, or fed something else, the worker refuses (exit 2). */
static void test_worker_refuses(void **state)
{
	char cmd[600];
	int status;

	(void)state;
	snprintf(cmd, sizeof(cmd), "printf 'not a request' | %s/%s 2>/dev/null",
		 BUILD_DIR, CXL_WORKER_NAME);
	status = system(cmd);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_crosses),
		cmocka_unit_test(test_returns_cross),
		cmocka_unit_test(test_worker_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
