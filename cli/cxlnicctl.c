// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnicctl: look at and steer NICs whose CTPIO lives in a CXL region.
 * Reading commands talk straight to the kernel family, so they work without
 * cxlnicd; status, policy, recover, unbind, bind, history and reload are
 * cxlnicd's (daemon_cmds.c), and so is list --state.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cxlnic_json.h"
#include "cxlnic_names.h"
#include "cxlnic_nl.h"
#include "cli.h"
#include "cxlnic_ctl.h"
#include "exit_codes.h"
#include "filter.h"
#include "output.h"

#ifndef CXLNIC_VERSION
#define CXLNIC_VERSION "unknown"
#endif

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

const char *cmd_name = "cxlnicctl";

void errorf(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "cxlnicctl: %s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Map a failure from the family to one line and an exit code. */
static int report(struct cxlnic_client *c, int err)
{
	const char *extack = c ? cxlnic_client_extack(c) : NULL;

	if (err == -CXLNIC_ENOMODULE) {
		errorf("the cxlnic kernel module is not loaded (modprobe cxlnic)");
		return EXIT_NO_MODULE;
	}
	if (err == -EPERM) {
		errorf("changing NIC state needs root or CAP_NET_ADMIN");
		return EXIT_PERM;
	}
	if (extack)
		errorf("%s (%s)", extack, strerror(-err));
	else
		errorf("%s", cxlnic_strerror(err));
	return EXIT_FAIL;
}

static int open_client(struct cxlnic_client **c)
{
	int rc = cxlnic_client_open(c);

	return rc ? report(NULL, rc) : EXIT_OK;
}

static int dump(struct cxlnic_client *c, struct cxlnic_dev_list *list)
{
	int rc = cxlnic_dev_dump(c, list);

	return rc ? report(c, rc) : EXIT_OK;
}

/* Dump and find the NIC the user named; copies it to @dev. */
static int lookup(struct cxlnic_client *c, const char *name,
		  struct cxlnic_dev_info *dev)
{
	struct cxlnic_dev_list list = { 0 };
	const struct cxlnic_dev_info *found;
	int rc = dump(c, &list);

	if (rc)
		return rc;
	found = cxlnic_dev_find(&list, name);
	if (found)
		*dev = *found;
	cxlnic_dev_list_free(&list);
	if (!found) {
		errorf("no NIC '%s' (name it by PCI address, netdev or handle; see cxlnicctl list)",
		       name);
		return EXIT_NOT_FOUND;
	}
	return EXIT_OK;
}

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "memdev", required_argument, NULL, OPT_MEMDEV },
	{ "endpoint", required_argument, NULL, OPT_ENDPOINT },
	{ "decoder", required_argument, NULL, OPT_DECODER },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ NULL, 0, NULL, 0 },
};

static bool parse_long(const char *s, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return !errno && *s && !*end && *out >= 0;
}

static const struct option *find_option(int val)
{
	size_t i;

	for (i = 0; long_opts[i].name; i++)
		if (long_opts[i].val == val)
			return &long_opts[i];
	return NULL;
}

/* One line: the option that was wrong and what this command takes. */
static void option_error(const char *what, const char *arg, const int *allowed)
{
	int i;

	fprintf(stderr, "cxlnicctl: %s: %s '%s'; valid options:", cmd_name,
		what, arg);
	if (!allowed[0])
		fputs(" none", stderr);
	for (i = 0; allowed[i]; i++) {
		const struct option *opt = find_option(allowed[i]);

		if (allowed[i] < 128)
			fprintf(stderr, " -%c/", allowed[i]);
		else
			fputc(' ', stderr);
		fprintf(stderr, "--%s%s", opt->name, opt->has_arg ? " ARG" : "");
	}
	fputc('\n', stderr);
}

/*
 * The option refused (@c as getopt returned it): an unknown short one may
 * sit in a group ("-vx"), so name it from optopt, not from argv.
 */
static const char *bad_option(char **argv, int c)
{
	static char buf[3];

	if (c == '?' && optopt > 0 && optopt < 128) {
		snprintf(buf, sizeof(buf), "-%c", optopt);
		return buf;
	}
	return argv[optind - 1];
}

static bool is_allowed(const int *allowed, int c)
{
	int i;

	for (i = 0; allowed[i]; i++)
		if (allowed[i] == c)
			return true;
	return false;
}

/*
 * Parse options; @allowed lists the option values this command takes.
 * Returns the index of the first operand, or -1 after a usage error (the
 * message is printed).
 */
int parse_opts(int argc, char **argv, const int *allowed,
		      struct opts *o)
{
	int c;

	optind = 1;
	opterr = 0;
	/* ':' first: a missing option argument is told apart from a typo. */
	while ((c = getopt_long(argc, argv, ":vj", long_opts, NULL)) != -1) {
		if (c == ':') {
			option_error("missing argument for", argv[optind - 1],
				     allowed);
			return -1;
		}
		if (c == '?' || !is_allowed(allowed, c)) {
			option_error("unknown option", bad_option(argv, c),
				     allowed);
			return -1;
		}
		switch (c) {
		case OPT_JSON: o->json = true; break;
		case 'v': o->verbose = true; break;
		case OPT_MEMDEV: o->memdev = optarg; break;
		case OPT_ENDPOINT: o->endpoint = optarg; break;
		case OPT_DECODER: o->decoder = optarg; break;
		case OPT_MODE: o->mode = optarg; break;
		case OPT_STATE: o->state = optarg; break;
		case OPT_KIND: o->kind = optarg; break;
		case OPT_COUNT:
		case OPT_TIMEOUT:
			if (!parse_long(optarg, c == OPT_COUNT ? &o->count :
							       &o->timeout)) {
				errorf("'%s' is not a number", optarg);
				return -1;
			}
			break;
		}
	}
	return optind;
}

int usage_error(const char *usage)
{
	fprintf(stderr, "usage: cxlnicctl %s\n", usage);
	return EXIT_USAGE;
}

#define LIST_USAGE "list [-v] [-j|--json] [--memdev M] [--mode M] [--state S] [--kind K]"

/* The filters given: 0, or EXIT_USAGE after saying which value is wrong. */
static int list_filter_from(const struct opts *o, struct list_filter *f)
{
	const struct { const char *option, *value; } given[] = {
		{ "memdev", o->memdev }, { "mode", o->mode },
		{ "state", o->state }, { "kind", o->kind },
	};
	char err[256];
	size_t i;

	filter_init(f);
	for (i = 0; i < sizeof(given) / sizeof(given[0]); i++) {
		if (given[i].value &&
		    filter_set(f, given[i].option, given[i].value, err,
			       sizeof(err))) {
			errorf("%s", err);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

/*
 * The NICs that pass @f, printed.  The list is the kernel's; --state
 * matches it against cxlnicd's (a NIC the kernel does not have is not
 * listed, whatever cxlnicd says of it).
 */
static int print_list(const struct cxlnic_dev_list *list,
		      const struct list_filter *f, const struct opts *o)
{
	struct json_object *daemon = NULL, *arr = NULL;
	size_t i;
	int rc, state;

	if (filter_wants_state(f) && (rc = daemon_list(&daemon)))
		return rc;
	if (o->json)
		arr = json_object_new_array();
	else
		print_dev_table_header(stdout);
	for (i = 0; i < list->n; i++) {
		const struct cxlnic_dev_info *dev = &list->devs[i];

		state = daemon ? daemon_state_of(daemon, dev->pci_addr) : -1;
		if (!filter_match(f, dev, state))
			continue;
		if (arr)
			json_object_array_add(arr, cxlnic_dev_to_json(dev));
		else
			print_dev_table_row(stdout, dev, o->verbose);
	}
	if (arr)
		print_json_pretty(arr);
	json_object_put(daemon);
	return EXIT_OK;
}

static int cmd_list(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, 'v', OPT_MEMDEV, OPT_MODE,
				       OPT_STATE, OPT_KIND, 0 };
	struct cxlnic_dev_list list = { 0 };
	struct list_filter f;
	struct cxlnic_client *c;
	struct opts o = { 0 };
	int rc, n;

	n = parse_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (n != argc)
		return usage_error(LIST_USAGE);
	rc = list_filter_from(&o, &f);
	if (!rc)
		rc = open_client(&c);
	if (rc)
		return rc;
	rc = dump(c, &list);
	if (!rc)
		rc = print_list(&list, &f, &o);
	cxlnic_dev_list_free(&list);
	cxlnic_client_close(c);
	return rc;
}

static int cmd_show(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, 0 };
	struct cxlnic_dev_info dev;
	struct cxlnic_client *c;
	struct opts o = { 0 };
	int rc, n;

	n = parse_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (argc - n != 1)
		return usage_error("show NIC [-j|--json]");
	rc = open_client(&c);
	if (rc)
		return rc;
	rc = lookup(c, argv[n], &dev);
	if (!rc && o.json)
		print_json_pretty(cxlnic_dev_to_json(&dev));
	else if (!rc)
		print_dev_details(stdout, &dev);
	cxlnic_client_close(c);
	return rc;
}

/* A change to one NIC: @op gets its handle and returns a kernel errno. */
typedef int (*nic_change_fn)(struct cxlnic_client *c, uint32_t handle,
			     const void *arg);

static int change_nic(const char *name, nic_change_fn op, const void *arg)
{
	struct cxlnic_dev_info dev;
	struct cxlnic_client *c;
	int rc = open_client(&c);

	if (rc)
		return rc;
	rc = lookup(c, name, &dev);
	if (!rc) {
		int err = op(c, dev.handle, arg);

		rc = err ? report(c, err) : EXIT_OK;
	}
	cxlnic_client_close(c);
	return rc;
}

static int set_mode_op(struct cxlnic_client *c, uint32_t handle,
		       const void *arg)
{
	return cxlnic_dev_set_mode(c, handle, *(const uint8_t *)arg);
}

static int attach_op(struct cxlnic_client *c, uint32_t handle,
		     const void *arg)
{
	return cxlnic_region_attach(c, handle, arg);
}

static int detach_op(struct cxlnic_client *c, uint32_t handle,
		     const void *arg)
{
	(void)arg;
	return cxlnic_region_detach(c, handle);
}

static int cmd_mode(int argc, char **argv)
{
	static const int allowed[] = { 0 };
	struct opts o = { 0 };
	uint8_t mode;
	int n, m;

	n = parse_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (argc - n != 2)
		return usage_error("mode NIC cxl|pci");
	m = cxlnic_mode_from_name(argv[n + 1]);
	if (m != CXLNIC_CTPIO_MODE_CXL && m != CXLNIC_CTPIO_MODE_PCI) {
		errorf("mode '%s' is not one of: cxl, pci", argv[n + 1]);
		return EXIT_USAGE;
	}
	mode = (uint8_t)m;
	return change_nic(argv[n], set_mode_op, &mode);
}

static int cmd_attach(int argc, char **argv)
{
	static const int allowed[] = { OPT_MEMDEV, OPT_ENDPOINT, OPT_DECODER, 0 };
	struct cxlnic_attach_args args;
	struct opts o = { 0 };
	int n;

	n = parse_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (argc - n != 2)
		return usage_error("attach NIC REGION [--memdev MEMDEV] [--endpoint ENDPOINT] [--decoder DECODER]");
	args = (struct cxlnic_attach_args) {
		.region = argv[n + 1], .memdev = o.memdev,
		.endpoint = o.endpoint, .decoder = o.decoder,
	};
	return change_nic(argv[n], attach_op, &args);
}

static int cmd_detach(int argc, char **argv)
{
	static const int allowed[] = { 0 };
	struct opts o = { 0 };
	int n;

	n = parse_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (argc - n != 1)
		return usage_error("detach NIC");
	return change_nic(argv[n], detach_op, NULL);
}

struct monitor_state {
	struct cxlnic_monitor *mon;
	bool json;
	long limit;	/* --count, 0 for none */
	long seen;
};

static void on_event(const struct cxlnic_dev_info *ev, void *arg)
{
	struct monitor_state *st = arg;

	/* One read can bring several events: print no more than asked for. */
	if (st->limit && st->seen >= st->limit)
		return;
	st->seen++;
	if (st->json)
		print_json_line(cxlnic_event_to_json(ev));
	else
		print_event_line(stdout, ev);
}

/*
 * The kernel dropped events: say so on the event stream too, so a script
 * reading --json knows its picture is stale, and keep going.
 */
static void on_overrun(const struct monitor_state *st)
{
	errorf("events were lost (receive buffer overrun); read the current state with 'cxlnicctl list'");
	if (st->json)
		print_json_line(cxlnic_overrun_to_json());
}

/*
 * nlctrl: cxlnic.ko unloaded or loaded again.  Its group went with it: join
 * the new one, and say so (the events between are lost for good).
 */
static void on_family_change(enum cxlnic_family_change change, void *arg)
{
	struct monitor_state *st = arg;
	bool back = change == CXLNIC_FAMILY_BACK;
	int rc = back ? cxlnic_monitor_rejoin(st->mon) : 0;

	if (rc)
		errorf("cxlnic.ko is back, but its group could not be joined: %s",
		       cxlnic_strerror(rc));
	else
		errorf(back ? "cxlnic.ko is loaded again: its events follow; read the current state with 'cxlnicctl list'" :
			      "cxlnic.ko was unloaded: no events until it is loaded again");
	if (st->json)
		print_json_line(cxlnic_family_event_to_json(back));
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	       (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Wait for either feed; false when the deadline passed. */
static bool wait_feeds(struct cxlnic_monitor *m, struct cxlnic_ctl *ctl,
		       const struct timespec *deadline, long timeout,
		       struct pollfd *pfd)
{
	long wait = timeout ? ms_left(deadline) : -1;

	pfd[0] = (struct pollfd) { .fd = m ? cxlnic_monitor_fd(m) : -1,
				   .events = POLLIN };
	pfd[1] = (struct pollfd) { .fd = ctl ? cxlnic_ctl_fd(ctl) : -1,
				   .events = POLLIN };
	if (timeout && wait <= 0)
		return false;
	if (poll(pfd, 2, (int)wait) < 0 && errno != EINTR)
		return false;
	return true;
}

/* The kernel's notifications and, when cxlnicd runs, its actions. */
static int cmd_monitor(int argc, char **argv)
{
	static const int allowed[] = { OPT_JSON, OPT_COUNT, OPT_TIMEOUT, 0 };
	struct monitor_state st = { 0 };
	struct cxlnic_monitor *m = NULL;
	struct cxlnic_ctl *ctl;
	struct timespec deadline;
	struct pollfd pfd[2];
	struct opts o = { 0 };
	int rc, n;

	n = parse_opts(argc, argv, allowed, &o);
	if (n < 0)
		return EXIT_USAGE;
	if (n != argc)
		return usage_error("monitor [-j|--json] [--count N] [--timeout SECONDS]");
	st.json = o.json;
	st.limit = o.count;
	rc = cxlnic_monitor_open(&m, 0);
	if (!rc)
		rc = cxlnic_monitor_follow_family(m, on_family_change, &st);
	if (rc) {
		cxlnic_monitor_close(m);
		return report(NULL, rc);
	}
	st.mon = m;
	ctl = daemon_monitor_open();
	if (ctl)
		daemon_monitor_drain(ctl, o.json, &st.seen, st.limit);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += o.timeout;
	while ((!o.count || st.seen < o.count) &&
	       wait_feeds(m, ctl, &deadline, o.timeout, pfd)) {
		if (ctl && (pfd[1].revents & (POLLIN | POLLHUP)) &&
		    !daemon_monitor_read(ctl, o.json, &st.seen, st.limit)) {
			errorf("cxlnicd went away; showing the kernel's events only");
			cxlnic_ctl_close(ctl);
			ctl = NULL;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		rc = cxlnic_monitor_recv(m, on_event, &st);
		if (rc == -ENOBUFS) {
			on_overrun(&st);
			rc = 0;
		} else if (rc) {
			report(NULL, rc);
			break;
		}
	}
	cxlnic_ctl_close(ctl);
	cxlnic_monitor_close(m);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("cxlnicctl %s (cxlnic family version %d)\n", CXLNIC_VERSION,
	       CXLNIC_FAMILY_VERSION);
	return EXIT_OK;
}

static int cmd_help(int argc, char **argv);

static const struct cmd commands[] = {
	{ "list", cmd_list, LIST_USAGE },
	{ "show", cmd_show, "show NIC [-j|--json]" },
	{ "mode", cmd_mode, "mode NIC cxl|pci" },
	{ "attach", cmd_attach, "attach NIC REGION [--memdev M] [--endpoint E] [--decoder D]" },
	{ "detach", cmd_detach, "detach NIC" },
	{ "monitor", cmd_monitor, "monitor [-j|--json] [--count N] [--timeout S]" },
	{ "status", cmd_status, "status [NIC] [-j|--json] [--timeout S]" },
	{ "policy", cmd_policy, "policy NIC [KEY VALUE] [-j|--json] [--timeout S]" },
	{ "recover", cmd_recover, "recover NIC [-j|--json] [--timeout S]" },
	{ "unbind", cmd_unbind, "unbind NIC [-j|--json] [--timeout S]" },
	{ "bind", cmd_bind, "bind NIC [-j|--json] [--timeout S]" },
	{ "history", cmd_history, "history [NIC] [--count N] [-j|--json] [--timeout S]" },
	{ "reload", cmd_reload, "reload [-j|--json] [--timeout S]" },
	{ "version", cmd_version, "version" },
	{ "help", cmd_help, "help" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: cxlnicctl COMMAND [ARGS]\n\n"
		"NIC is a PCI address (0000:00:04.0 or 00:04.0), a netdev name or a handle.\n\n");
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  cxlnicctl %s\n", commands[i].usage);
}

/* Asked for: on stdout, success. */
static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	print_usage(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	size_t i;

	/* A usage error, as every other: on stderr. */
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(0, NULL);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL);
	for (i = 0; i < N_COMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			cmd_name = commands[i].name;
			return commands[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "cxlnicctl: unknown command '%s'; valid commands:", argv[1]);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(stderr, " %s", commands[i].name);
	fputc('\n', stderr);
	return EXIT_USAGE;
}
