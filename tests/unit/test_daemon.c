// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests of cxlnicd's pure logic: configuration and recovery order. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "config.h"
#include "policy.h"
#include "state.h"

static const char good_conf[] =
	"# cxlnicd.conf\n"
	"[defaults]\n"
	"on_loss = fallback\n"
	"grace_ms = 100\n"
	"\n"
	"[driver cxlnic_sim]\n"
	"region = manual\n"
	"max_attempts = 4\n"
	"\n"
	"[nic 0000:00:05.0]\n"
	"on_loss = unbind\n"
	"memdev_serial = 0x1000\n"
	"[control]\n"
	"read_group = adm\n"
	"[metrics]\n"
	"textfile_dir = /var/lib/prometheus/node-exporter\n"
	"interval_s = 0\n";

static void test_config_layers(void **state)
{
	struct config_error err;
	struct nic_policy p;
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_parse("t.conf", good_conf, &cfg, &err), 0);
	config_policy_for(&cfg, "0000:00:05.0", "cxlnic_sim", &p);
	assert_int_equal(p.on_loss, ON_LOSS_UNBIND);
	assert_false(p.region_auto);
	assert_int_equal(p.max_attempts, 4);
	assert_int_equal(p.grace_ms, 100);
	assert_true(p.has_memdev_serial);
	assert_int_equal(p.memdev_serial, 0x1000);
	config_policy_for(&cfg, "0000:00:06.0", "other", &p);
	assert_int_equal(p.on_loss, ON_LOSS_FALLBACK);
	assert_true(p.region_auto);
	assert_false(p.has_memdev_serial);
	assert_string_equal(cfg.read_group, "adm");
	assert_string_equal(cfg.metrics_dir, "/var/lib/prometheus/node-exporter");
	assert_int_equal(cfg.metrics_interval_s, 0);
	config_free(&cfg);
}

/*
 * Review: "[nic 00:06.0]" and upper-case hex never matched the kernel's
 * address, and strtoull's base 0 read "grace_ms = 0100" as 64.
 */
static void test_config_spellings(void **state)
{
	static const char text[] =
		"[defaults]\ngrace_ms = 0100\nregion_size = 0x10000000\n"
		"[nic 00:06.0]\non_loss = none\n"
		"[nic 0000:00:0A.0]\non_loss = unbind\n";
	struct config_error err;
	struct nic_policy p;
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_parse("t.conf", text, &cfg, &err), 0);
	config_policy_for(&cfg, "0000:00:06.0", "cxlnic_sim", &p);
	assert_int_equal(p.grace_ms, 100);
	assert_int_equal(p.region_size, 0x10000000);
	assert_int_equal(p.on_loss, ON_LOSS_NONE);
	config_policy_for(&cfg, "0000:00:0a.0", "cxlnic_sim", &p);
	assert_int_equal(p.on_loss, ON_LOSS_UNBIND);
	config_free(&cfg);
}

/* A directory is no empty configuration. */
static void test_config_not_a_file(void **state)
{
	struct config_error err = { 0 };
	struct config cfg;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_load("/", &cfg, &err), -1);
	assert_non_null(strstr(err.reason, "not a regular file"));
	config_free(&cfg);
}

/*
 * Drop-ins: a temporary directory holds cxlnicd.conf and cxlnicd.conf.d/;
 * each test writes its files, and the teardown removes whatever is there.
 */
struct conf_dir {
	char root[64];
	char main[128];	/* root/cxlnicd.conf */
	char dropins[132];	/* root/cxlnicd.conf.d */
};

static int conf_dir_setup(void **state)
{
	struct conf_dir *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	strcpy(d->root, "/tmp/cxlnicd-conf-XXXXXX");
	assert_non_null(mkdtemp(d->root));
	snprintf(d->main, sizeof(d->main), "%s/cxlnicd.conf", d->root);
	snprintf(d->dropins, sizeof(d->dropins), "%s.d", d->main);
	*state = d;
	return 0;
}

static int conf_dir_teardown(void **state)
{
	struct conf_dir *d = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->root);
	assert_int_equal(system(cmd), 0);
	free(d);
	return 0;
}

/* @text into @dir/@name (@dir NULL: the main file). */
static void write_conf(const struct conf_dir *d, const char *name,
		       const char *text)
{
	char path[256];
	FILE *f;

	if (name) {
		mkdir(d->dropins, 0755);
		snprintf(path, sizeof(path), "%s/%s", d->dropins, name);
	} else {
		snprintf(path, sizeof(path), "%s", d->main);
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/*
 * Each drop-in on top of the main file and of the drop-ins before it, in
 * byte order of their names ("10-" before "9-"): each value below is one
 * that only the right order gives.
 */
static void test_dropin_order(void **state)
{
	struct conf_dir *d = *state;
	struct config_error err;
	struct nic_policy p;
	struct config cfg;

	write_conf(d, NULL, "[defaults]\ngrace_ms = 100\non_loss = none\n"
		   "max_attempts = 5\nbackoff_ms = 100\n"
		   "[nic 00:05.0]\nmemdev_serial = 0x1000\n");
	/* written last to first, so that the directory's order is not it */
	write_conf(d, "9-local.conf", "[defaults]\nbackoff_ms = 900\n");
	write_conf(d, "20-later.conf", "[defaults]\ngrace_ms = 500\n");
	/* keys before a section are [defaults]', as in the main file */
	write_conf(d, "10-site.conf", "grace_ms = 300\non_loss = unbind\n"
		   "backoff_ms = 400\n[nic 0000:00:05.0]\nescalate_after = 7\n");
	config_init(&cfg);
	assert_int_equal(config_load(d->main, &cfg, &err), 0);
	config_policy_for(&cfg, "0000:00:05.0", "cxlnic_sim", &p);
	assert_int_equal(p.grace_ms, 500);	/* 20-later over 10-site */
	assert_int_equal(p.on_loss, ON_LOSS_UNBIND);	/* 10-site over main */
	assert_int_equal(p.backoff_ms, 900);	/* 9-local over 10-site */
	assert_int_equal(p.max_attempts, 5);	/* main, untouched */
	assert_int_equal(p.escalate_after, 7);	/* a section layered on */
	assert_true(p.has_memdev_serial);	/* ... over the main file's */
	assert_int_equal(p.memdev_serial, 0x1000);
	config_free(&cfg);
}

/* Only NAME.conf is a drop-in: not a backup, a README nor a hidden file. */
static void test_dropin_ignored(void **state)
{
	struct conf_dir *d = *state;
	struct config_error err;
	struct config cfg;

	write_conf(d, NULL, "grace_ms = 100\n");
	write_conf(d, "10-site.conf.dpkg-old", "grace_ms = 9999\n");
	write_conf(d, "README", "Files here named *.conf are read.\n");
	write_conf(d, ".10-site.conf.swp.conf", "not a config\n");
	write_conf(d, ".conf", "not a config\n");
	config_init(&cfg);
	assert_int_equal(config_load(d->main, &cfg, &err), 0);
	assert_int_equal(cfg.defaults.grace_ms, 100);
	config_free(&cfg);
}

/* No drop-in directory, or not even the main file: neither is an error. */
static void test_dropin_missing(void **state)
{
	struct conf_dir *d = *state;
	struct config_error err;
	struct config cfg;

	config_init(&cfg);
	cfg.defaults.grace_ms = 4242;
	assert_int_equal(config_load(d->main, &cfg, &err), 0);
	assert_int_equal(cfg.defaults.grace_ms, 200);	/* the defaults */
	write_conf(d, NULL, "grace_ms = 100\n");
	assert_int_equal(config_load(d->main, &cfg, &err), 0);
	assert_int_equal(cfg.defaults.grace_ms, 100);
	/* drop-ins without a main file still apply */
	assert_int_equal(unlink(d->main), 0);
	write_conf(d, "10-site.conf", "grace_ms = 300\n");
	assert_int_equal(config_load(d->main, &cfg, &err), 0);
	assert_int_equal(cfg.defaults.grace_ms, 300);
	config_free(&cfg);
}

/* The error of a drop-in names it and its line; nothing is taken. */
static void test_dropin_errors(void **state)
{
	struct conf_dir *d = *state;
	struct config_error err;
	struct config cfg;
	char want[256], gone[256];

	write_conf(d, NULL, "grace_ms = 100\n[nic 00:05.0]\nmemdev_serial = 0x1000\n");
	write_conf(d, "10-site.conf", "grace_ms = 300\n");
	write_conf(d, "20-bad.conf", "[defaults]\n\nfoo = 1\n");
	config_init(&cfg);
	cfg.defaults.grace_ms = 4242;
	assert_int_equal(config_load(d->main, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s/20-bad.conf", d->dropins);
	assert_string_equal(err.file, want);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.reason, "unknown key 'foo'"));
	assert_int_equal(cfg.defaults.grace_ms, 4242);

	/* one that cannot be read: a link to nothing, a directory */
	write_conf(d, "20-bad.conf", "grace_ms = 1\n");
	snprintf(gone, sizeof(gone), "%s/30-gone.conf", d->dropins);
	assert_int_equal(symlink("/nonexistent/site.conf", gone), 0);
	assert_int_equal(config_load(d->main, &cfg, &err), -1);
	assert_string_equal(err.file, gone);
	assert_non_null(strstr(err.reason, "No such file"));
	assert_int_equal(unlink(gone), 0);
	assert_int_equal(mkdir(gone, 0755), 0);
	assert_int_equal(config_load(d->main, &cfg, &err), -1);
	assert_string_equal(err.file, gone);
	assert_non_null(strstr(err.reason, "not a regular file"));
	assert_int_equal(rmdir(gone), 0);
	assert_int_equal(cfg.defaults.grace_ms, 4242);

	/* a NIC may restate its memdev in a drop-in */
	write_conf(d, "40-pair.conf", "[nic 0000:00:05.0]\nmemdev_serial = 4096\n");
	assert_int_equal(config_load(d->main, &cfg, &err), 0);
	config_free(&cfg);
}

/*
 * A later file moves a memdev to another NIC, as a systemd drop-in
 * overrides what came before; two NICs on one memdev in one file, the
 * main one or a drop-in, are still refused at the second's line.
 */
static void test_dropin_moves_memdev(void **state)
{
	struct conf_dir *d = *state;
	struct config_error err;
	struct nic_policy p;
	struct config cfg;
	char want[256];

	write_conf(d, NULL, "grace_ms = 100\n[nic 00:05.0]\nmemdev_serial = 0x1000\n"
		   "on_loss = unbind\n");
	write_conf(d, "40-pair.conf", "[nic 00:06.0]\n\nmemdev_serial = 4096\n");
	config_init(&cfg);
	assert_int_equal(config_load(d->main, &cfg, &err), 0);
	config_policy_for(&cfg, "0000:00:06.0", "cxlnic_sim", &p);
	assert_true(p.has_memdev_serial);
	assert_int_equal(p.memdev_serial, 0x1000);
	/* the first NIC keeps the rest of its section, not the memdev */
	config_policy_for(&cfg, "0000:00:05.0", "cxlnic_sim", &p);
	assert_false(p.has_memdev_serial);
	assert_int_equal(p.on_loss, ON_LOSS_UNBIND);

	/* ... and a still later one may move it back */
	write_conf(d, "50-back.conf", "[nic 0000:00:05.0]\nmemdev_serial = 0x1000\n");
	assert_int_equal(config_load(d->main, &cfg, &err), 0);
	config_policy_for(&cfg, "0000:00:05.0", "cxlnic_sim", &p);
	assert_true(p.has_memdev_serial);
	config_policy_for(&cfg, "0000:00:06.0", "cxlnic_sim", &p);
	assert_false(p.has_memdev_serial);

	/* within one drop-in, a second NIC on the memdev is a mistake */
	write_conf(d, "50-back.conf", "[nic 0000:00:05.0]\nmemdev_serial = 0x1000\n"
		   "[nic 00:07.0]\nmemdev_serial = 0x1000\n");
	assert_int_equal(config_load(d->main, &cfg, &err), -1);
	snprintf(want, sizeof(want), "%s/50-back.conf", d->dropins);
	assert_string_equal(err.file, want);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.reason, "memdev_serial 0x1000 is already [nic 0000:00:05.0]'s (line 2): two NICs cannot share a memdev");
	assert_int_equal(unlink(want), 0);

	/* and so it is within the main file, whatever the drop-ins say */
	write_conf(d, NULL, "[nic 00:05.0]\nmemdev_serial = 0x1000\n"
		   "[nic 00:07.0]\n# its memdev\nmemdev_serial = 0x1000\n");
	assert_int_equal(config_load(d->main, &cfg, &err), -1);
	assert_string_equal(err.file, d->main);
	assert_int_equal(err.line, 5);
	assert_non_null(strstr(err.reason, "is already [nic 0000:00:05.0]'s (line 2)"));
	config_free(&cfg);
}

struct bad_case {
	const char *text;
	unsigned int line;
	const char *reason;
};

/* Key @name's value in @p, through the table as policy_to_json() reads it. */
static struct config_value value_of(const struct nic_policy *p,
				    const char *name)
{
	struct config_value v = { 0 };
	unsigned int i;

	for (i = 0; config_key_name(i); i++)
		if (!strcmp(config_key_name(i), name)) {
			assert_int_equal(config_key_value(p, i, &v), 0);
			return v;
		}
	fail_msg("no policy key '%s'", name);
	return v;
}

/*
 * The values cxlnicctl policy shows are read back from the one key table:
 * every key has one, names as cxlnicd.conf spells them, numbers whole.
 */
static void test_config_key_values(void **state)
{
	struct config_error err;
	struct config_value v;
	struct nic_policy p;
	struct config cfg;
	unsigned int i;

	(void)state;
	config_init(&cfg);
	assert_int_equal(config_parse("t.conf", good_conf, &cfg, &err), 0);
	config_policy_for(&cfg, "0000:00:05.0", "cxlnic_sim", &p);
	for (i = 0; config_key_name(i); i++)
		assert_int_equal(config_key_value(&p, i, &v), 0);
	assert_int_equal(config_key_value(&p, i, &v), -1);
	assert_string_equal(value_of(&p, "on_loss").name, "unbind");
	assert_string_equal(value_of(&p, "region").name, "manual");
	assert_string_equal(value_of(&p, "recovery").name, "auto");
	assert_string_equal(value_of(&p, "decoder_mode").name, "any");
	assert_string_equal(value_of(&p, "dax").name, "none");
	assert_null(value_of(&p, "max_attempts").name);
	assert_int_equal(value_of(&p, "max_attempts").number, 4);
	assert_false(value_of(&p, "memdev_serial").unset);
	assert_int_equal(value_of(&p, "memdev_serial").number, 0x1000);
	assert_int_equal(config_set_key(&p, "region_size",
					"18446744073709551615", err.reason,
					sizeof(err.reason)), 0);
	assert_true(value_of(&p, "region_size").number == UINT64_MAX);
	config_policy_for(&cfg, "0000:00:06.0", "other", &p);
	assert_true(value_of(&p, "memdev_serial").unset);
	assert_false(value_of(&p, "grace_ms").unset);
	assert_int_equal(value_of(&p, "grace_ms").number, 100);
	config_free(&cfg);
}

static void test_config_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "[defaults]\nfoo = 1\n", 2, "unknown key 'foo'" },
		{ "\n\non_loss = sometimes\n", 3, "on_loss 'sometimes'" },
		{ "[defaults\n", 1, "closing ']'" },
		{ "grace_ms = -5\n", 1, "grace_ms '-5'" },
		{ "grace_ms = 99999999\n", 1, "grace_ms '99999999'" },
		{ "[zone 1]\n", 1, "bad section" },
		{ "[nic 0000:00:05.0]\njust words\n", 2, "key = value" },
		{ "[control]\nmax_attempts = 3\n", 2, "in [control]" },
		{ "region =\n", 1, "key = value" },
		{ "[metrics]\ntextfile_dir = relative\n", 2, "not an absolute path" },
		{ "[metrics]\ninterval_s = 5000\n", 2, "interval_s '5000'" },
		{ "[metrics]\non_loss = none\n", 2, "in [metrics]" },
		{ "[defaults]\ndecoder_mode = hdm-x\n", 2,
		  "decoder_mode 'hdm-x' is not one of any, host-only, device-coherent" },
		{ "[defaults]\n\ndax = fsdax\n", 3,
		  "dax 'fsdax' is not one of none, any" },
		/* cxlnic.ko now refuses what dax=devdax made */
		{ "[defaults]\ndax = devdax\n", 2,
		  "dax 'devdax' is no longer allowed: cxlnic.ko refuses a region that a namespace holds" },
		/* review: a backoff of 0 with max_attempts = 0 was a hot loop */
		{ "[defaults]\nbackoff_ms = 0\n", 2, "backoff_ms '0' is not a number from 1" },
		{ "[nic 00:06]\n", 1, "not a PCI address" },
		{ "[nic 0000:00:20.0]\n", 1, "not a PCI address" },
		{ "[nic eth0]\n", 1, "not a PCI address" },
		{ "grace_ms = 0x\n", 1, "grace_ms '0x'" },
		/* review: two NICs on one memdev, or a serial for every NIC */
		{ "[defaults]\nmemdev_serial = 0x1000\n", 2, "belongs in a [nic PCI-ADDRESS] section" },
		{ "[driver cxlnic_sim]\nmemdev_serial = 4096\n", 2, "belongs in a [nic" },
		{ "[nic 00:05.0]\nmemdev_serial = 0x1000\n[nic 00:06.0]\n"
		  "on_loss = none\nmemdev_serial = 4096\n", 5,
		  "memdev_serial 0x1000 is already [nic 0000:00:05.0]'s (line 2)" },
	};
	struct config_error err;
	struct config cfg;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_init(&cfg);
		cfg.defaults.grace_ms = 4242;
		assert_int_equal(config_parse("bad.conf", cases[i].text, &cfg,
					      &err), -1);
		assert_int_equal(err.line, cases[i].line);
		assert_non_null(strstr(err.reason, cases[i].reason));
		assert_string_equal(err.file, "bad.conf");
		/* A refused file leaves the configuration in force alone. */
		assert_int_equal(cfg.defaults.grace_ms, 4242);
		config_free(&cfg);
	}
}

static const struct chain_view whole = {
	.root = true, .memdev = true, .memdev_enabled = true,
	.region = true, .region_enabled = true,
};

static struct nic_policy fallback(void)
{
	struct config cfg;

	config_init(&cfg);
	return cfg.defaults;
}

static void test_recovery_order(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { .registered = true };
	struct chain_view c = { 0 };

	(void)state;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	c.root = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	c.memdev = true;
	c.stale_region = true;
	assert_int_equal(policy_next_step(&p, &nic, &c),
			 STEP_DELETE_STALE_REGION);
	c.stale_region = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_BIND_MEMDEV);
	nic.memdev_bind_failures = 1;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_RESET_MEMDEV);
	c.memdev_enabled = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_CREATE_REGION);
	c.region = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ENABLE_REGION);
	c.region_enabled = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ATTACH);
	nic.on_cxl = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);
	/*
	 * A dump from just before the memdev's unbind, a scan from after it:
	 * no rebuild on that view (81-daemon-crash once saw cxlnicd bind the
	 * memdev again there, instead of unbinding the NIC as on_loss said).
	 */
	p.on_loss = ON_LOSS_UNBIND;
	c.memdev_enabled = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	c.memdev_enabled = true;
	c.root = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	/* The loss said: the policy's step. */
	c.root = true;
	c.memdev_enabled = false;
	nic.on_cxl = false;
	nic.lost = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_UNBIND_NIC);
}

static void test_policies(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { .registered = true };
	struct chain_view c = whole;

	(void)state;
	c.region = false;
	p.region_auto = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	p.recovery_auto = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);

	/* a NIC put on PCI by hand stays there */
	p = fallback();
	nic.user_chose_pci = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);
	nic.user_chose_pci = false;

	/* none: a NIC that lost CXL is left alone, a new one gets it */
	p.on_loss = ON_LOSS_NONE;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_CREATE_REGION);
	nic.lost = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);
	nic.lost = false;

	/* unbind: a NIC that never had CXL just gets its region ... */
	p.on_loss = ON_LOSS_UNBIND;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_CREATE_REGION);
	/* ... one that lost it has its driver released ... */
	nic.lost = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_UNBIND_NIC);
	/* ... rebuild the chain with the NIC unbound, then bind it */
	nic = (struct nic_view) { .unbound_by_us = true };
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_CREATE_REGION);
	c = whole;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_BIND_NIC);
	/* a NIC whose driver went away by itself is not ours to bind */
	nic.unbound_by_us = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
}

/*
 * An operator's detach or mode pci lasts through the losses that follow
 * (each overwrites the kernel's reason) until the NIC is on CXL again.
 */
static void test_operator_choice(void **state)
{
	bool chose = false;

	(void)state;
	/* a loss is no choice */
	chose = policy_operator_chose_pci(chose, false, false);
	assert_false(chose);
	/* a detach is, and the losses after it do not end it */
	chose = policy_operator_chose_pci(chose, false, true);
	assert_true(chose);
	chose = policy_operator_chose_pci(chose, false, false);
	assert_true(chose);
	/* on CXL again (attach, mode cxl, recover): over */
	chose = policy_operator_chose_pci(chose, true, false);
	assert_false(chose);
}

/*
 * A stock NIC, released by the CXL core after a loss, under each policy:
 * fallback binds it at once (on PCI without its chain) and once more when
 * the chain is back; unbind waits for the chain; none and manual leave it
 * unbound until an operator's recover.
 */
static void test_stock_policies(void **state)
{
	struct stock_view released = { .released = true, .lost = true };
	struct stock_view s = released;
	struct nic_policy p = fallback();

	(void)state;
	/* fallback: no chain, bound at once on the PCI window */
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_BIND_NIC);
	s = (struct stock_view) { .bound = true, .lost = true };
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_WAIT);
	assert_string_equal(policy_stock_missing_piece(&s), "root");
	s.root = true;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_WAIT);
	assert_string_equal(policy_stock_missing_piece(&s), "port");
	s.ports = true;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_REBIND_NIC);
	/* bound on the whole chain: the region has a moment to bind */
	s.settling = true;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_WAIT);
	assert_string_equal(policy_stock_missing_piece(&s), "region");
	/* it did not come: the platform did not keep it; recover tries */
	s.settling = false;
	s.region_not_kept = true;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_WAIT);
	assert_string_equal(policy_stock_missing_piece(&s), "region");
	s.recover_requested = true;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_REBIND_NIC);
	/* or the core released it again after that probe, as upstream does */
	s = (struct stock_view) { .lost = true, .region_not_kept = true,
				  .root = true, .ports = true };
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_WAIT);
	assert_string_equal(policy_stock_missing_piece(&s), "region");
	s.recover_requested = true;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_BIND_NIC);

	/* unbind: unbound until the chain is back, then bound */
	p.on_loss = ON_LOSS_UNBIND;
	s = released;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_WAIT);
	assert_string_equal(policy_stock_missing_piece(&s), "root");
	s.root = s.ports = true;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_BIND_NIC);

	/* none and manual: left as upstream leaves it, but for a recover */
	p.on_loss = ON_LOSS_NONE;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_DONE);
	p = fallback();
	p.recovery_auto = false;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_DONE);
	s.recover_requested = true;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_BIND_NIC);
}

/* What cxlnicd never does to a stock NIC, whatever its policy. */
static void test_stock_left_alone(void **state)
{
	struct nic_policy p = fallback();
	struct stock_view s = { .bound = true, .on_cxl = true,
				.root = true, .ports = true };

	(void)state;
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_DONE);
	/* a piece went: the core's release comes, cxlnicd does not race it */
	s = (struct stock_view) { .bound = true, .releasing = true,
				  .lost = true, .root = true, .ports = true };
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_WAIT);
	assert_string_equal(policy_stock_missing_piece(&s), "release");
	/* unbound with nothing lost: someone's choice */
	s = (struct stock_view) { .root = true, .ports = true };
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_DONE);
	/* unbound through cxlnicctl: held */
	s = (struct stock_view) { .released = true, .lost = true,
				  .held = true, .root = true, .ports = true };
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_DONE);
	/* bound on PCI with nothing lost: no CXL to return to */
	s = (struct stock_view) { .bound = true, .root = true, .ports = true };
	assert_int_equal(policy_stock_next_step(&p, &s), STEP_DONE);
}

/*
 * A NIC that is not registered and that cxlnicd did not unbind (someone
 * else did, or it was removed) is not cxlnicd's: nothing is done to its
 * chain until it is back.
 */
static void test_unowned_nic_chain_left_alone(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { 0 };
	struct chain_view c = { .root = true, .memdev = true };

	(void)state;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	c = (struct chain_view) { .root = true, .memdev = true,
				  .memdev_enabled = true };
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	/* unbound by cxlnicd: its chain is rebuilt for it */
	nic.unbound_by_us = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_CREATE_REGION);
}

/*
 * A create-region a crash cut short: its region is deleted first, then the
 * DPA it took is freed, then a region is made again.
 */
static void test_reclaim_order(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { .registered = true, .lost = true };
	struct chain_view c = { .root = true, .memdev = true,
				.memdev_enabled = true, .stale_region = true,
				.orphan_dpa = true };

	(void)state;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DELETE_STALE_REGION);
	c.stale_region = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_FREE_DPA);
	c.orphan_dpa = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_CREATE_REGION);
	assert_string_equal(step_name(STEP_FREE_DPA), "free-dpa");
}

/* The steps a crash must not leave half-done are refused unrecorded. */
static void test_steps_needing_record(void **state)
{
	enum step s;

	(void)state;
	for (s = STEP_DONE; s <= STEP_RELEASE_HOLD; s++)
		assert_int_equal(policy_step_needs_record(s),
				 s == STEP_RESET_MEMDEV || s == STEP_UNBIND_NIC ||
				 s == STEP_REBIND_NIC || s == STEP_CREATE_REGION ||
				 s == STEP_HOLD_NIC || s == STEP_RELEASE_HOLD);
}

/*
 * An operator's unbind and bind are steps like the policy's, taken before
 * any policy: held, a NIC is unbound and its hold placed, and a bind ends
 * the hold before it binds.
 */
static void test_request_steps(void **state)
{
	struct nic_view nic = { .registered = true };
	enum step step = STEP_ATTACH;

	(void)state;
	assert_false(policy_request_step(&nic, &step));
	assert_int_equal(step, STEP_ATTACH);
	nic.held = true;
	assert_true(policy_request_step(&nic, &step));
	assert_int_equal(step, STEP_HOLD_NIC);
	/* Placed, but bound again behind cxlnicd's back: unbound again. */
	nic.hold_placed = true;
	assert_true(policy_request_step(&nic, &step));
	assert_int_equal(step, STEP_HOLD_NIC);
	nic.registered = false;
	assert_true(policy_request_step(&nic, &step));
	assert_int_equal(step, STEP_DONE);
	/* Unbound by a policy, then held: the hold alone. */
	nic.hold_placed = false;
	assert_true(policy_request_step(&nic, &step));
	assert_int_equal(step, STEP_HOLD_NIC);
	/* A bind: the hold ends first, then the bind. */
	nic.held = false;
	nic.hold_placed = true;
	nic.bind_requested = true;
	assert_true(policy_request_step(&nic, &step));
	assert_int_equal(step, STEP_RELEASE_HOLD);
	nic.hold_placed = false;
	assert_true(policy_request_step(&nic, &step));
	assert_int_equal(step, STEP_BIND_NIC);
	nic.registered = true;
	assert_false(policy_request_step(&nic, &step));
	assert_string_equal(step_name(STEP_HOLD_NIC), "hold-nic");
	assert_string_equal(step_name(STEP_RELEASE_HOLD), "release-hold");
}

/* Only the driver's own failure leads to a rebind, not the chain's. */
static void test_escalation_errors(void **state)
{
	static const int transient[] = { -EAGAIN, -EBUSY, -ENODEV, -ENOENT,
					 -ENXIO, -EINVAL, -EOPNOTSUPP };
	size_t i;

	(void)state;
	assert_true(policy_attach_failure_escalates(-EIO));
	for (i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
		assert_false(policy_attach_failure_escalates(transient[i]));
}

static void test_escalation(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { .registered = true, .attach_failures = 2 };

	(void)state;
	p.escalate_after = 3;
	assert_int_equal(policy_next_step(&p, &nic, &whole), STEP_ATTACH);
	nic.attach_failures = 3;
	assert_int_equal(policy_next_step(&p, &nic, &whole), STEP_REBIND_NIC);
	p.escalate_after = 0;
	assert_int_equal(policy_next_step(&p, &nic, &whole), STEP_ATTACH);
}

/* An operator's requests: held stays put, recover goes past the policy. */
static void test_operator_requests(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { .held = true, .unbound_by_us = false };
	struct chain_view c = whole;

	(void)state;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);
	p.on_loss = ON_LOSS_UNBIND;
	nic = (struct nic_view) { .registered = true, .lost = true, .held = true };
	c.memdev = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);

	/* recover overrides recovery=manual, on_loss=none and mode pci ... */
	c = whole;
	p = fallback();
	p.recovery_auto = false;
	nic = (struct nic_view) { .registered = true, .lost = true };
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);
	nic.recover_requested = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ATTACH);
	p = fallback();
	p.on_loss = ON_LOSS_NONE;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ATTACH);
	nic = (struct nic_view) { .registered = true, .user_chose_pci = true,
				  .recover_requested = true };
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ATTACH);
	/* ... but still waits for a piece that is missing, and says which */
	c.memdev = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	assert_string_equal(policy_missing_piece(&p, &c), "memdev");
	c.root = false;
	assert_string_equal(policy_missing_piece(&p, &c), "root");
	c = whole;
	c.region = false;
	assert_null(policy_missing_piece(&p, &c));
	p.region_auto = false;
	assert_string_equal(policy_missing_piece(&p, &c), "region");
}

/* A decoder mode only libcxl cannot build is waited for, and named. */
static void test_decoder_mode(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { .registered = true, .lost = true };
	struct chain_view c = whole;
	char err[160];

	(void)state;
	assert_int_equal(p.decoder_mode, DECODER_ANY);
	assert_int_equal(config_set_key(&p, "decoder_mode", "host-only", err,
					sizeof(err)), 0);
	assert_int_equal(p.decoder_mode, DECODER_HOST_ONLY);
	c.region = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_CREATE_REGION);
	assert_null(policy_missing_piece(&p, &c));

	assert_int_equal(config_set_key(&p, "decoder_mode", "device-coherent",
					err, sizeof(err)), 0);
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	assert_string_equal(policy_missing_piece(&p, &c), "decoder-mode");
	/* region=manual waits for a region, whatever its mode */
	p.region_auto = false;
	assert_string_equal(policy_missing_piece(&p, &c), "region");
	/* a region in that mode is used like any other */
	c = whole;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ATTACH);
	assert_string_equal(decoder_mode_name(DECODER_DEVICE_COHERENT),
			    "device-coherent");
	/*
	 * A NIC already on CXL, on its own region in another mode than the
	 * policy's, stays there: no region is created beside it.
	 */
	p = fallback();
	p.decoder_mode = DECODER_HOST_ONLY;
	nic = (struct nic_view) { .registered = true, .on_cxl = true };
	c = (struct chain_view) { .root = true, .memdev = true,
				  .memdev_enabled = true,
				  .region_other_mode = true,
				  .nic_region_whole = true };
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);
	c.nic_region_whole = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_CREATE_REGION);
}

/* devlink's grace period paces only the steps that return the NIC. */
static void test_grace_period(void **state)
{
	struct nic_view nic = { .registered = true, .lost = true };
	const uint64_t back = 10000000, grace_ms = 2000;

	(void)state;
	/* 1 s after the last recovery: attach waits until back + 2 s */
	assert_int_equal(policy_grace_until(STEP_ATTACH, &nic, back + 1000000,
					    back, grace_ms), back + 2000000);
	assert_int_equal(policy_grace_until(STEP_BIND_NIC, &nic, back + 1000000,
					    back, grace_ms), back + 2000000);
	/* the chain may be rebuilt meanwhile */
	assert_int_equal(policy_grace_until(STEP_BIND_MEMDEV, &nic,
					    back + 1000000, back, grace_ms), 0);
	assert_int_equal(policy_grace_until(STEP_CREATE_REGION, &nic,
					    back + 1000000, back, grace_ms), 0);
	/* the period over, no recovery yet, no period, or an operator's recover */
	assert_int_equal(policy_grace_until(STEP_ATTACH, &nic, back + 2000000,
					    back, grace_ms), 0);
	assert_int_equal(policy_grace_until(STEP_ATTACH, &nic, back, 0,
					    grace_ms), 0);
	assert_int_equal(policy_grace_until(STEP_ATTACH, &nic, back + 1000,
					    back, 0), 0);
	nic.recover_requested = true;
	assert_int_equal(policy_grace_until(STEP_ATTACH, &nic, back + 1000,
					    back, grace_ms), 0);
}

/*
 * grace_ms holds every step after a loss, the policy's own unbind too.  8 s
 * is the value the review's reproduction used: a grace that is ignored, or
 * read as another unit, shows here.
 */
static void test_loss_grace(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { .registered = true, .lost = true };
	const uint64_t lost = 50000000;
	char err[160];

	(void)state;
	assert_int_equal(config_set_key(&p, "grace_ms", "8000", err,
					sizeof(err)), 0);
	assert_int_equal(config_set_key(&p, "on_loss", "unbind", err,
					sizeof(err)), 0);
	/* 100 ms and 7.9 s after the loss: wait until lost + 8 s */
	assert_int_equal(policy_loss_grace_until(&p, &nic, lost + 100000, lost),
			 lost + 8000000);
	assert_int_equal(policy_loss_grace_until(&p, &nic, lost + 7900000, lost),
			 lost + 8000000);
	/* over, not lost, no grace, or an operator's recover: now */
	assert_int_equal(policy_loss_grace_until(&p, &nic, lost + 8000000, lost), 0);
	assert_int_equal(policy_loss_grace_until(&p, &nic, lost + 100000, 0), 0);
	nic.recover_requested = true;
	assert_int_equal(policy_loss_grace_until(&p, &nic, lost + 100000, lost), 0);
	nic.recover_requested = false;
	assert_int_equal(config_set_key(&p, "grace_ms", "0", err, sizeof(err)), 0);
	assert_int_equal(policy_loss_grace_until(&p, &nic, lost + 100000, lost), 0);
}

/*
 * Review: any bind-memdev error counted as a refusal (a needless reset on
 * the ENODEV of a rename), and the reset went on after a failed unbind.
 */
static void test_reset_path_errors(void **state)
{
	(void)state;
	assert_true(policy_memdev_bind_refused(-EIO));
	assert_true(policy_memdev_bind_refused(-ENXIO));
	assert_false(policy_memdev_bind_refused(-ENODEV));
	assert_false(policy_memdev_bind_refused(-EBUSY));
	assert_false(policy_memdev_bind_refused(0));
	assert_true(policy_reset_may_follow(0));
	assert_true(policy_reset_may_follow(-ENODEV));
	assert_false(policy_reset_may_follow(-EBUSY));
	assert_false(policy_reset_may_follow(-EIO));
}

/*
 * Review: after a reload of cxlnic.ko the dump failed with ENOENT and was
 * retried, and logged, every second for ever.  What a stale id looks like,
 * and the backoff of a dump that keeps failing.
 */
static void test_family_stale(void **state)
{
	(void)state;
	assert_true(policy_family_stale(-ENOENT));
	assert_true(policy_family_stale(-EOPNOTSUPP));
	assert_false(policy_family_stale(0));
	assert_false(policy_family_stale(-EIO));
	assert_false(policy_family_stale(-EPERM));
	assert_int_equal(policy_resync_backoff_ms(1), 1000);
	assert_int_equal(policy_resync_backoff_ms(2), 2000);
	assert_int_equal(policy_resync_backoff_ms(5), 16000);
	assert_int_equal(policy_resync_backoff_ms(6), 30000);
	assert_int_equal(policy_resync_backoff_ms(1000), 30000);
}

/* The dax key against the namespaces on an enabled region. */
static void test_dax_policy(void **state)
{
	struct nic_policy p = fallback();
	struct nic_view nic = { .registered = true, .lost = true };
	struct chain_view c = whole;
	char err[200];

	(void)state;
	/* none, the default: a namespace of any kind keeps the NIC off */
	assert_int_equal(p.dax, DAX_NONE);
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ATTACH);
	c.region_namespace = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_WAIT);
	assert_string_equal(policy_missing_piece(&p, &c), "dax");
	/* ... but a NIC already on the region keeps it */
	nic.on_cxl = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_DONE);
	nic.on_cxl = false;
	/* the region comes first: no namespace on a region not there yet */
	c.region_enabled = false;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ENABLE_REGION);

	/* any: the attach is tried, and the kernel decides */
	assert_int_equal(config_set_key(&p, "dax", "any", err, sizeof(err)), 0);
	c = whole;
	c.region_namespace = true;
	assert_int_equal(policy_next_step(&p, &nic, &c), STEP_ATTACH);
	assert_null(policy_missing_piece(&p, &c));
	assert_string_equal(dax_policy_name(DAX_ANY), "any");

	/* devdax, once cxlnicd's own namespace, is refused with the reason */
	assert_int_not_equal(config_set_key(&p, "dax", "devdax", err,
					    sizeof(err)), 0);
	assert_non_null(strstr(err, "refuses a region that a namespace holds"));
	assert_int_equal(p.dax, DAX_ANY);
}

static void test_runtime_keys(void **state)
{
	struct nic_policy base = fallback(), ovr = { 0 };
	char err[160];

	(void)state;
	assert_int_equal(config_set_key(&ovr, "on_loss", "unbind", err,
					sizeof(err)), 0);
	assert_int_equal(config_set_key(&ovr, "grace_ms", "50", err,
					sizeof(err)), 0);
	config_policy_overlay(&base, &ovr);
	assert_int_equal(base.on_loss, ON_LOSS_UNBIND);
	assert_int_equal(base.grace_ms, 50);
	assert_true(base.region_auto);	/* untouched keys stay */
	assert_int_equal(config_set_key(&ovr, "on_loss", "sometimes", err,
					sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not one of fallback, unbind, none"));
	assert_int_equal(config_set_key(&ovr, "colour", "red", err,
					sizeof(err)), -EINVAL);
	assert_true(config_key_known("escalate_after"));
	assert_false(config_key_known("colour"));
	assert_string_equal(config_key_name(0), "on_loss");
	assert_null(config_key_name(100));
}

/* Every field but the set bits (memcmp would compare padding too). */
static bool policy_equal(const struct nic_policy *a, const struct nic_policy *b)
{
	return a->on_loss == b->on_loss && a->region_auto == b->region_auto &&
	       a->recovery_auto == b->recovery_auto &&
	       a->grace_ms == b->grace_ms && a->backoff_ms == b->backoff_ms &&
	       a->backoff_max_ms == b->backoff_max_ms &&
	       a->max_attempts == b->max_attempts &&
	       a->escalate_after == b->escalate_after &&
	       a->region_size == b->region_size &&
	       a->decoder_mode == b->decoder_mode && a->dax == b->dax &&
	       a->has_memdev_serial == b->has_memdev_serial &&
	       a->memdev_serial == b->memdev_serial;
}

/*
 * Every key of the table is set by a line into its own field and bit, and
 * the overlay carries that key and no other; an unknown key's error lists
 * them all.
 */
static void test_policy_key_table(void **state)
{
	struct nic_policy base, ovr, direct;
	const char *key, *value;
	char err[256];
	unsigned int i;

	(void)state;
	for (i = 0; (key = config_key_name(i)); i++) {
		/* a value other than the default, by name or number */
		value = config_key_value_name(i, 1) ? config_key_value_name(i, 1) : "7";
		ovr = (struct nic_policy){ 0 };
		assert_int_equal(config_set_key(&ovr, key, value, err,
						sizeof(err)), 0);
		assert_int_equal(ovr.set, 1u << i);
		direct = fallback();
		assert_int_equal(config_set_key(&direct, key, value, err,
						sizeof(err)), 0);
		base = fallback();
		config_policy_overlay(&base, &ovr);
		assert_true(policy_equal(&base, &direct));
		/* the value shows: it is not the default */
		base = fallback();
		assert_false(policy_equal(&base, &direct));
	}
	assert_int_equal(config_set_key(&ovr, "colour", "red", err,
					sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown key 'colour'; keys: on_loss, region, "));
	for (i = 0; (key = config_key_name(i)); i++)
		assert_non_null(strstr(err, key));
	/* memdev_serial brings its has_memdev_serial along */
	memset(&ovr, 0, sizeof(ovr));
	assert_int_equal(config_set_key(&ovr, "memdev_serial", "0x10", err,
					sizeof(err)), 0);
	base = fallback();
	config_policy_overlay(&base, &ovr);
	assert_true(base.has_memdev_serial);
	assert_int_equal(base.memdev_serial, 0x10);
	assert_int_equal(config_set_key(&ovr, "region", "manual", err,
					sizeof(err)), 0);
	assert_false(ovr.region_auto);
	config_policy_overlay(&base, &ovr);
	assert_false(base.region_auto);
	assert_null(config_key_value_name(3, 0));	/* grace_ms: a number */
	assert_null(config_key_value_name(100, 0));
}

static void test_state_round_trip(void **state)
{
	struct nic_state in[2] = {
		{ .pci_addr = "0000:00:05.0", .unbound_by_us = true,
		  .driver = "cxlnic_sim", .region = "region0",
		  .region_uuid = "6f1ad3d9-4a53-4d25-9a3e-1c2f8f9d2b10",
		  .operator_pci = true, .recover_requested = true },
		{ .pci_addr = "0000:00:06.0", .pending = "create-region",
		  .memdev = "mem2", .memdev_host = "0000:0d:00.0",
		  .held = true, .held_override = "cxlnic_sim_t2",
		  .n_overrides = 2,
		  .overrides = { { "on_loss", "unbind" }, { "grace_ms", "50" } } },
	};
	char path[] = "/tmp/cxlnicd-state-XXXXXX";
	char tmp[sizeof(path) + 4];
	struct nic_state *out;
	size_t n;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(state_save(path, in, 2), 0);
	assert_int_equal(state_load(path, &out, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(&out[0], &in[0], sizeof(in[0]));
	assert_memory_equal(&out[1], &in[1], sizeof(in[1]));
	free(out);
	/* no temporary file left behind */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_equal(access(tmp, F_OK), -1);
	unlink(path);
	assert_int_equal(state_load(path, &out, &n), 0);
	assert_int_equal(n, 0);
	free(out);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* What state_load() says on stderr (the log, with no journal). */
static int state_load_logged(const char *path, struct nic_state **out,
			     size_t *n, char *log, size_t log_size)
{
	FILE *captured = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t len;
	int rc;

	assert_non_null(captured);
	assert_true(saved >= 0);
	unsetenv("JOURNAL_STREAM");
	fflush(stderr);
	assert_true(dup2(fileno(captured), STDERR_FILENO) >= 0);
	rc = state_load(path, out, n);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(captured);
	len = fread(log, 1, log_size - 1, captured);
	log[len] = '\0';
	fclose(captured);
	return rc;
}

/*
 * One NIC's entry, otherwise sound, with one field of the wrong kind: the
 * file is refused, and the log line names @field.
 */
static void assert_state_refused(const char *nic, const char *field)
{
	char path[] = "/tmp/cxlnicd-state-XXXXXX";
	struct nic_state *out = NULL;
	char text[512], log[1024], quoted[64];
	size_t n = 0;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	snprintf(text, sizeof(text),
		 "{\"nics\": [ {\"pci_addr\": \"0000:00:06.0\"}, %s ]}", nic);
	write_text(path, text);
	assert_int_equal(state_load_logged(path, &out, &n, log, sizeof(log)),
			 -EINVAL);
	assert_null(out);
	assert_int_equal(n, 0);
	snprintf(quoted, sizeof(quoted), "\"%s\"", field);
	if (!strstr(log, quoted) || !strstr(log, path))
		fail_msg("%s: the log does not name %s: %s", nic, quoted, log);
	unlink(path);
}

static void test_state_refuses_garbage(void **state)
{
	(void)state;
	assert_state_refused("{\"driver\": \"cxlnic_sim\"}", "pci_addr");
	assert_state_refused("{\"pci_addr\": \"\"}", "pci_addr");
	assert_state_refused("{\"pci_addr\": 5}", "pci_addr");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", \"driver\": 1}",
			     "driver");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", \"held\": \"yes\"}",
			     "held");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", \"unbound_by_us\": 1}",
			     "unbound_by_us");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", \"region\": "
			     "\"region0123456789012345678901234567890123456789012345678901234567890123456789\"}",
			     "region");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", \"policy\": {\"on_loss\": 1}}",
			     "policy");
}

/*
 * Strings with a NUL inside, which the loader before this one took cut
 * short ("0000:00:05.0", "cxlnic", "none"); a boolean given as an object
 * or a number, which it refused without saying where.
 */
static void test_state_refuses_hidden_garbage(void **state)
{
	(void)state;
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", \"held\": {}}",
			     "held");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", \"operator_pci\": 0.5}",
			     "operator_pci");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\\u0000junk\"}",
			     "pci_addr");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", "
			     "\"driver\": \"cxlnic\\u0000_sim\"}", "driver");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", "
			     "\"policy\": {\"on_loss\": \"none\\u0000\"}}",
			     "policy");
	assert_state_refused("{\"pci_addr\": \"0000:00:05.0\", \"policy\": []}",
			     "policy");
}

/* A file as state_save() has written it, every field there, still loads. */
static void test_state_loads_written_file(void **state)
{
	static const char text[] =
		"{\n"
		"  \"version\":1,\n"
		"  \"nics\":[\n"
		"    {\n"
		"      \"pci_addr\":\"0000:00:05.0\",\n"
		"      \"unbound_by_us\":true,\n"
		"      \"driver\":\"cxlnic_sim\",\n"
		"      \"pending\":\"create-region\",\n"
		"      \"memdev\":\"mem2\",\n"
		"      \"memdev_host\":\"0000:0d:00.0\",\n"
		"      \"region\":\"region0\",\n"
		"      \"region_uuid\":\"6f1ad3d9-4a53-4d25-9a3e-1c2f8f9d2b10\",\n"
		"      \"held\":false,\n"
		"      \"held_override\":\"\",\n"
		"      \"operator_pci\":true,\n"
		"      \"recover_requested\":false,\n"
		"      \"policy\":{\n"
		"        \"on_loss\":\"unbind\"\n"
		"      }\n"
		"    }\n"
		"  ]\n"
		"}";
	char path[] = "/tmp/cxlnicd-state-XXXXXX";
	struct nic_state *out;
	size_t n;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_text(path, text);
	assert_int_equal(state_load(path, &out, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(out[0].pci_addr, "0000:00:05.0");
	assert_true(out[0].unbound_by_us);
	assert_string_equal(out[0].driver, "cxlnic_sim");
	assert_string_equal(out[0].pending, "create-region");
	assert_string_equal(out[0].memdev, "mem2");
	assert_string_equal(out[0].memdev_host, "0000:0d:00.0");
	assert_string_equal(out[0].region, "region0");
	assert_string_equal(out[0].region_uuid,
			    "6f1ad3d9-4a53-4d25-9a3e-1c2f8f9d2b10");
	assert_false(out[0].held);
	assert_true(out[0].operator_pci);
	assert_false(out[0].recover_requested);
	assert_int_equal(out[0].n_overrides, 1);
	assert_string_equal(out[0].overrides[0].key, "on_loss");
	assert_string_equal(out[0].overrides[0].value, "unbind");
	free(out);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_layers),
		cmocka_unit_test(test_config_key_values),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_spellings),
		cmocka_unit_test(test_config_not_a_file),
		cmocka_unit_test_setup_teardown(test_dropin_order,
						conf_dir_setup, conf_dir_teardown),
		cmocka_unit_test_setup_teardown(test_dropin_ignored,
						conf_dir_setup, conf_dir_teardown),
		cmocka_unit_test_setup_teardown(test_dropin_missing,
						conf_dir_setup, conf_dir_teardown),
		cmocka_unit_test_setup_teardown(test_dropin_errors,
						conf_dir_setup, conf_dir_teardown),
		cmocka_unit_test_setup_teardown(test_dropin_moves_memdev,
						conf_dir_setup, conf_dir_teardown),
		cmocka_unit_test(test_recovery_order),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_operator_choice),
		cmocka_unit_test(test_stock_policies),
		cmocka_unit_test(test_stock_left_alone),
		cmocka_unit_test(test_escalation),
		cmocka_unit_test(test_escalation_errors),
		cmocka_unit_test(test_steps_needing_record),
		cmocka_unit_test(test_request_steps),
		cmocka_unit_test(test_reclaim_order),
		cmocka_unit_test(test_unowned_nic_chain_left_alone),
		cmocka_unit_test(test_operator_requests),
		cmocka_unit_test(test_grace_period),
		cmocka_unit_test(test_loss_grace),
		cmocka_unit_test(test_reset_path_errors),
		cmocka_unit_test(test_family_stale),
		cmocka_unit_test(test_decoder_mode),
		cmocka_unit_test(test_dax_policy),
		cmocka_unit_test(test_runtime_keys),
		cmocka_unit_test(test_policy_key_table),
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_refuses_garbage),
		cmocka_unit_test(test_state_refuses_hidden_garbage),
		cmocka_unit_test(test_state_loads_written_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
