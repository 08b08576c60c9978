// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnicd: turns the kernel's safe fallback into each NIC's chosen policy
 * and brings NICs back to CXL by themselves.
 *
 * One sd-event loop: the cxlnic family's monitor socket, a udev monitor on
 * the cxl and pci subsystems, one reconcile timer, signals and the systemd
 * watchdog.  Nothing polls: every wake-up is an event, a backoff or the
 * watchdog.  A reconcile dumps the NICs, scans each one's chain with a
 * fresh libcxl context and takes policy_next_step() until the NIC is where
 * its policy wants it or must wait for a piece to return.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <libudev.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "actions.h"
#include "config.h"
#include "cxlnic_names.h"
#include "cxlnic_nl.h"
#include "log.h"
#include "policy.h"
#include "state.h"
#include "topology.h"

#define DEFAULT_CONFIG	"/etc/cxlnic/cxlnicd.conf"
#define DEFAULT_STATE	"/run/cxlnicd/state.json"
#define MAX_STEPS	12
#define UDEV_RCVBUF	(8 << 20)

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3,
	EXIT_NO_MODULE = 4,
};

struct nic {
	char pci_addr[32];
	struct cxlnic_dev_info info;
	bool present;
	bool unbound_by_us;
	bool unpaired_logged;
	char driver[64];
	char pending[32];		/* step under way, as recorded */
	char pending_memdev[32];
	char last_region[32];		/* stale once decommitted */
	unsigned int memdev_bind_failures;
	unsigned int attach_failures;
	unsigned int failures;		/* consecutive failed steps */
	uint64_t retry_at;		/* CLOCK_MONOTONIC usec, 0: none */
};

struct daemon {
	sd_event *event;
	const char *config_path;
	const char *state_path;
	const char *crash_after;	/* fault injection, from the environment */
	struct config cfg;
	struct cxlnic_client *nl;
	struct cxlnic_monitor *mon;
	struct udev *udev;
	struct udev_monitor *umon;
	sd_event_source *timer;
	struct nic *nics;
	size_t n_nics;
	bool ready;
};

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static struct nic *nic_lookup(struct daemon *d, const char *pci_addr,
			      bool create)
{
	struct nic *nics;
	size_t i;

	for (i = 0; i < d->n_nics; i++)
		if (!strcmp(d->nics[i].pci_addr, pci_addr))
			return &d->nics[i];
	if (!create)
		return NULL;
	nics = realloc(d->nics, (d->n_nics + 1) * sizeof(*nics));
	if (!nics)
		return NULL;
	d->nics = nics;
	memset(&nics[d->n_nics], 0, sizeof(*nics));
	snprintf(nics[d->n_nics].pci_addr, sizeof(nics->pci_addr), "%s",
		 pci_addr);
	return &nics[d->n_nics++];
}

/* Record what a crash must not lose: unbound NICs and the step under way. */
static void save_state(struct daemon *d)
{
	struct nic_state *st = calloc(d->n_nics ? d->n_nics : 1, sizeof(*st));
	size_t i, n = 0;
	int rc;

	if (!st)
		return;
	for (i = 0; i < d->n_nics; i++) {
		const struct nic *nic = &d->nics[i];

		if (!nic->unbound_by_us && !nic->pending[0])
			continue;
		snprintf(st[n].pci_addr, sizeof(st[n].pci_addr), "%s", nic->pci_addr);
		st[n].unbound_by_us = nic->unbound_by_us;
		snprintf(st[n].driver, sizeof(st[n].driver), "%s", nic->driver);
		snprintf(st[n].pending, sizeof(st[n].pending), "%s", nic->pending);
		snprintf(st[n].memdev, sizeof(st[n].memdev), "%s",
			 nic->pending_memdev);
		snprintf(st[n].region, sizeof(st[n].region), "%s",
			 nic->last_region);
		n++;
	}
	rc = state_save(d->state_path, st, n);
	if (rc)
		log_err("cannot write %s: %s", d->state_path, strerror(-rc));
	free(st);
}

static void load_state(struct daemon *d)
{
	struct nic_state *st;
	struct nic *nic;
	size_t i, n;
	int rc = state_load(d->state_path, &st, &n);

	if (rc) {
		log_err("ignoring unreadable %s: %s", d->state_path, strerror(-rc));
		return;
	}
	for (i = 0; i < n; i++) {
		nic = nic_lookup(d, st[i].pci_addr, true);
		if (!nic)
			break;
		/* An unbind under way may have happened: assume it did. */
		nic->unbound_by_us = st[i].unbound_by_us ||
				     !strcmp(st[i].pending, "unbind-nic");
		snprintf(nic->driver, sizeof(nic->driver), "%s", st[i].driver);
		snprintf(nic->pending, sizeof(nic->pending), "%s", st[i].pending);
		snprintf(nic->pending_memdev, sizeof(nic->pending_memdev), "%s",
			 st[i].memdev);
		snprintf(nic->last_region, sizeof(nic->last_region), "%s",
			 st[i].region);
		log_nic(LOG_INFO, nic->pci_addr, NULL, -1,
			"from the last run: %s%s%s", nic->unbound_by_us ?
			"unbound by cxlnicd" : "bound",
			nic->pending[0] ? ", interrupted in " : "", nic->pending);
	}
	free(st);
}

/* Run the reconcile at most @delay_ms from now (sooner if already due). */
static void schedule_reconcile(struct daemon *d, uint64_t delay_ms)
{
	uint64_t when = now_usec() + delay_ms * 1000, cur;
	int enabled;

	sd_event_source_get_enabled(d->timer, &enabled);
	sd_event_source_get_time(d->timer, &cur);
	if (enabled != SD_EVENT_OFF && cur <= when)
		return;
	sd_event_source_set_time(d->timer, when);
	sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
}

static uint64_t backoff_ms(const struct nic_policy *p, unsigned int failures)
{
	uint64_t ms = p->backoff_ms;

	while (failures-- > 1 && ms < p->backoff_max_ms)
		ms *= 2;
	return ms < p->backoff_max_ms ? ms : p->backoff_max_ms;
}

static struct nic_view nic_view_of(const struct nic *nic)
{
	return (struct nic_view) {
		.registered = nic->present,
		.on_cxl = nic->present && nic->info.mode == CXLNIC_CTPIO_MODE_CXL,
		.lost = nic->present && nic->info.mode == CXLNIC_CTPIO_MODE_PCI &&
			(nic->info.reason == CXLNIC_REASON_PIECE_UNBOUND ||
			 nic->info.reason == CXLNIC_REASON_PIECE_REMOVED ||
			 nic->info.reason == CXLNIC_REASON_DRIVER),
		.unbound_by_us = nic->unbound_by_us,
		.user_chose_pci = nic->present &&
				  nic->info.mode == CXLNIC_CTPIO_MODE_PCI &&
				  nic->info.reason == CXLNIC_REASON_USER,
		.memdev_bind_failures = nic->memdev_bind_failures,
		.attach_failures = nic->attach_failures,
	};
}

static int do_attach(struct daemon *d, struct nic *nic,
		     const struct chain_names *names)
{
	struct cxlnic_attach_args args = {
		.region = names->region, .memdev = names->memdev,
	};
	int rc = cxlnic_region_attach(d->nl, nic->info.handle, &args);

	if (rc) {
		nic->attach_failures++;
		log_nic(LOG_WARNING, nic->pci_addr, "attach", -1,
			"region-attach %s failed: %s", names->region,
			cxlnic_client_extack(d->nl) ? cxlnic_client_extack(d->nl) :
			cxlnic_strerror(rc));
		return rc;
	}
	nic->attach_failures = 0;
	return cxlnic_dev_get(d->nl, nic->info.handle, &nic->info);
}

static int do_rebind_nic(struct nic *nic)
{
	int rc = action_unbind_nic(nic->pci_addr, nic->driver,
				   sizeof(nic->driver));

	if (!rc)
		rc = action_bind_nic(nic->pci_addr, nic->driver);
	nic->attach_failures = 0;
	return rc;
}

static int take_step(struct daemon *d, struct nic *nic, enum step step,
		     const struct nic_policy *p, const struct chain_names *n)
{
	char region[32];
	int rc;

	switch (step) {
	case STEP_UNBIND_NIC:
		rc = action_unbind_nic(nic->pci_addr, nic->driver,
				       sizeof(nic->driver));
		if (!rc) {
			nic->unbound_by_us = true;
			nic->present = false;
		}
		return rc;
	case STEP_DELETE_STALE_REGION:
		return action_delete_region(n->stale_root_decoder,
					    n->stale_region);
	case STEP_BIND_MEMDEV:
		rc = action_bind_memdev(n->memdev);
		if (rc)
			nic->memdev_bind_failures++;
		/* The next scan takes the next step down: no backoff. */
		return 0;
	case STEP_RESET_MEMDEV:
		nic->memdev_bind_failures = 0;
		return action_reset_memdev(n->memdev_host);
	case STEP_CREATE_REGION:
		rc = topology_create_region(n->memdev, p->region_size, region,
					    sizeof(region));
		if (!rc)
			log_nic(LOG_INFO, nic->pci_addr, "create-region", -1,
				"created %s on %s", region, n->memdev);
		return rc;
	case STEP_ENABLE_REGION:
		return topology_enable_region(n->region);
	case STEP_BIND_NIC:
		rc = action_bind_nic(nic->pci_addr, nic->driver);
		if (!rc)
			nic->unbound_by_us = false;
		return rc;
	case STEP_REBIND_NIC:
		log_nic(LOG_WARNING, nic->pci_addr, "rebind-nic", -1,
			"re-attach failed %u times: escalating to an unbind and bind of %s",
			nic->attach_failures, nic->driver[0] ? nic->driver : "its driver");
		return do_rebind_nic(nic);
	case STEP_ATTACH:
		return do_attach(d, nic, n);
	case STEP_DONE:
	case STEP_WAIT:
		break;
	}
	return 0;
}

/* Fault injection for the tests: die like kill -9 right after a step. */
static void crash_point(struct daemon *d, enum step step)
{
	if (d->crash_after && !strcmp(d->crash_after, step_name(step))) {
		log_err("CXLNICD_CRASH_AFTER=%s: killing myself", d->crash_after);
		raise(SIGKILL);
	}
}

/* Take steps for one NIC until it is done, must wait, or a step fails. */
static void recover_nic(struct daemon *d, struct nic *nic)
{
	struct chain_names names;
	struct chain_view view;
	struct nic_view nv;
	struct nic_policy p;
	enum step step;
	uint64_t t0;
	int i, rc = 0;

	config_policy_for(&d->cfg, nic->pci_addr,
			  nic->present ? nic->info.driver : nic->driver, &p);
	if (!p.has_memdev_serial) {
		if (!nic->unpaired_logged)
			log_nic(LOG_NOTICE, nic->pci_addr, NULL, -1,
				"no memdev_serial paired in %s: not managed",
				d->config_path);
		nic->unpaired_logged = true;
		return;
	}
	if (nic->retry_at > now_usec())
		return;
	for (i = 0; i < MAX_STEPS; i++) {
		if (nic->present && nic->info.has_region)
			snprintf(nic->last_region, sizeof(nic->last_region),
				 "%s", nic->info.region);
		rc = topology_scan(p.memdev_serial,
				   nic->last_region[0] ? nic->last_region : NULL,
				   !strcmp(nic->pending, "create-region"),
				   &view, &names);
		if (rc)
			break;
		nv = nic_view_of(nic);
		step = policy_next_step(&p, &nv, &view);
		if (step == STEP_DONE || step == STEP_WAIT)
			break;
		/* Written down before it is done, for a restart to finish. */
		snprintf(nic->pending, sizeof(nic->pending), "%s",
			 step_name(step));
		snprintf(nic->pending_memdev, sizeof(nic->pending_memdev), "%s",
			 names.memdev);
		save_state(d);
		t0 = now_usec();
		rc = take_step(d, nic, step, &p, &names);
		crash_point(d, step);
		nic->pending[0] = '\0';
		save_state(d);
		log_nic(rc ? LOG_WARNING : LOG_INFO, nic->pci_addr,
			step_name(step), (long)((now_usec() - t0) / 1000),
			"%s%s%s (%ld ms)", step_name(step), rc ? ": " : "",
			rc ? strerror(-rc) : "",
			(long)((now_usec() - t0) / 1000));
		if (rc)
			break;
	}
	if (!rc) {
		nic->failures = 0;
		nic->retry_at = 0;
		return;
	}
	nic->failures++;
	if (p.max_attempts && nic->failures >= p.max_attempts) {
		log_nic(LOG_ERR, nic->pci_addr, NULL, -1,
			"giving up after %u failed attempts; SIGHUP (systemctl reload) retries",
			nic->failures);
		nic->retry_at = UINT64_MAX;
		return;
	}
	nic->retry_at = now_usec() + backoff_ms(&p, nic->failures) * 1000;
	schedule_reconcile(d, backoff_ms(&p, nic->failures));
}

/* Full resync: dump every NIC, then recover each. */
static void reconcile(struct daemon *d)
{
	struct cxlnic_dev_list list = { 0 };
	struct nic *nic;
	size_t i;
	int rc = cxlnic_dev_dump(d->nl, &list);

	if (rc) {
		log_err("dump failed: %s", cxlnic_strerror(rc));
		schedule_reconcile(d, 1000);
		return;
	}
	for (i = 0; i < d->n_nics; i++)
		d->nics[i].present = false;
	for (i = 0; i < list.n; i++) {
		nic = nic_lookup(d, list.devs[i].pci_addr, true);
		if (!nic)
			continue;
		nic->info = list.devs[i];
		nic->present = true;
		nic->unbound_by_us = false;
		snprintf(nic->driver, sizeof(nic->driver), "%s",
			 list.devs[i].driver);
	}
	cxlnic_dev_list_free(&list);
	for (i = 0; i < d->n_nics; i++)
		recover_nic(d, &d->nics[i]);
}

static void notify_status(struct daemon *d)
{
	size_t i, on_cxl = 0, present = 0;

	for (i = 0; i < d->n_nics; i++) {
		present += d->nics[i].present;
		on_cxl += d->nics[i].present &&
			  d->nics[i].info.mode == CXLNIC_CTPIO_MODE_CXL;
	}
	sd_notifyf(0, "%sSTATUS=%zu NICs, %zu on CXL, %zu on PCI or down",
		   d->ready ? "" : "READY=1\n", present, on_cxl,
		   d->n_nics - on_cxl);
	d->ready = true;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	struct daemon *d = arg;

	(void)s;
	(void)usec;
	reconcile(d);
	notify_status(d);
	return 0;
}

static void on_family_event(const struct cxlnic_dev_info *ev, void *arg)
{
	struct daemon *d = arg;
	struct nic *nic = nic_lookup(d, ev->pci_addr, false);
	struct nic_policy p;

	log_nic(LOG_INFO, ev->pci_addr, NULL, -1, "%s: mode %s, reason %s%s%s",
		cxlnic_event_name(ev->cmd), cxlnic_mode_name(ev->mode),
		cxlnic_reason_name(ev->reason), ev->has_piece ? ", piece " : "",
		ev->has_piece ? ev->piece.name : "");
	/*
	 * A NIC we do not know, or a gap in its generations: resync.  An
	 * event older than what our own requests already showed is no gap.
	 */
	if (!nic || (nic->present && ev->generation > nic->info.generation + 1)) {
		schedule_reconcile(d, 0);
		return;
	}
	if (ev->generation > nic->info.generation)
		nic->info.generation = ev->generation;
	config_policy_for(&d->cfg, nic->pci_addr, ev->driver, &p);
	schedule_reconcile(d, p.grace_ms);
}

static int on_monitor(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct daemon *d = arg;
	int rc;

	(void)s;
	(void)fd;
	(void)revents;
	rc = cxlnic_monitor_recv(d->mon, on_family_event, d);
	if (rc == -ENOBUFS) {
		log_nic(LOG_WARNING, NULL, "resync", -1,
			"lost family events (receive buffer overrun): resync");
		schedule_reconcile(d, 0);
	} else if (rc) {
		log_err("monitor: %s", cxlnic_strerror(rc));
		return sd_event_exit(d->event, EXIT_FAILURE_);
	}
	return 0;
}

static int on_udev(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct daemon *d = arg;
	struct udev_device *dev;
	bool any = false;

	(void)s;
	(void)fd;
	(void)revents;
	while ((dev = udev_monitor_receive_device(d->umon))) {
		log_debug("udev: %s %s", udev_device_get_action(dev),
			  udev_device_get_sysname(dev));
		udev_device_unref(dev);
		any = true;
	}
	/* A burst of events (an overrun included) ends in one full rescan. */
	if (any || errno == ENOBUFS)
		schedule_reconcile(d, 100);
	return 0;
}

static int load_config(struct daemon *d)
{
	struct config_error err;

	if (config_load(d->config_path, &d->cfg, &err)) {
		log_err("%s:%u: %s", err.file, err.line, err.reason);
		return -EINVAL;
	}
	return 0;
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si,
		     void *arg)
{
	struct daemon *d = arg;

	(void)s;
	(void)si;
	sd_notify(0, "RELOADING=1");
	if (load_config(d))
		log_err("configuration refused; the previous one stays in force");
	else
		log_info("configuration reloaded from %s", d->config_path);
	/* A reload is also the way to retry NICs given up on. */
	for (size_t i = 0; i < d->n_nics; i++) {
		d->nics[i].failures = 0;
		d->nics[i].retry_at = 0;
	}
	sd_notify(0, "READY=1");
	schedule_reconcile(d, 0);
	return 0;
}

static int setup_udev(struct daemon *d)
{
	d->udev = udev_new();
	if (!d->udev)
		return -ENOMEM;
	d->umon = udev_monitor_new_from_netlink(d->udev, "udev");
	if (!d->umon)
		return -ENODEV;
	udev_monitor_filter_add_match_subsystem_devtype(d->umon, "cxl", NULL);
	udev_monitor_filter_add_match_subsystem_devtype(d->umon, "pci", NULL);
	udev_monitor_set_receive_buffer_size(d->umon, UDEV_RCVBUF);
	return udev_monitor_enable_receiving(d->umon);
}

static int make_state_dir(const char *path)
{
	char dir[256];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int setup(struct daemon *d)
{
	sigset_t mask;
	int rc;

	rc = make_state_dir(d->state_path);
	if (rc) {
		log_err("cannot create the directory of %s: %s", d->state_path,
			strerror(-rc));
		return EXIT_FAILURE_;
	}
	load_state(d);
	rc = cxlnic_client_open(&d->nl);
	if (!rc)
		rc = cxlnic_monitor_open(&d->mon, 0);
	if (rc) {
		log_err("%s", cxlnic_strerror(rc));
		return rc == -CXLNIC_ENOMODULE ? EXIT_NO_MODULE : EXIT_FAILURE_;
	}
	rc = setup_udev(d);
	if (rc) {
		log_err("udev monitor: %s", strerror(-rc));
		return EXIT_FAILURE_;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if (sd_event_default(&d->event) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGTERM, NULL, NULL) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGINT, NULL, NULL) < 0 ||
	    sd_event_add_signal(d->event, NULL, SIGHUP, on_sighup, d) < 0 ||
	    sd_event_add_io(d->event, NULL, cxlnic_monitor_fd(d->mon), EPOLLIN,
			    on_monitor, d) < 0 ||
	    sd_event_add_io(d->event, NULL, udev_monitor_get_fd(d->umon),
			    EPOLLIN, on_udev, d) < 0 ||
	    sd_event_add_time(d->event, &d->timer, CLOCK_MONOTONIC, 0, 1000,
			      on_timer, d) < 0 ||
	    sd_event_set_watchdog(d->event, true) < 0)
		return EXIT_FAILURE_;
	return EXIT_OK;
}

static void teardown(struct daemon *d)
{
	sd_event_source_unref(d->timer);
	sd_event_unref(d->event);
	udev_monitor_unref(d->umon);
	udev_unref(d->udev);
	cxlnic_monitor_close(d->mon);
	cxlnic_client_close(d->nl);
	config_free(&d->cfg);
	free(d->nics);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: cxlnicd [-c FILE] [-s FILE] [--check-config] [-v]\n"
		   "  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
		   "  -s, --state FILE    crash-safe state (default " DEFAULT_STATE ")\n"
		   "      --check-config  check the configuration and exit\n"
		   "  -v, --verbose       log debug messages too\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = {
		.config_path = DEFAULT_CONFIG,
		.state_path = DEFAULT_STATE,
		.crash_after = getenv("CXLNICD_CRASH_AFTER"),
	};
	bool check_only = false;
	int c, rc;

	config_init(&d.cfg);
	while ((c = getopt_long(argc, argv, "c:s:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d.config_path = optarg; break;
		case 's': d.state_path = optarg; break;
		case 'C': check_only = true; break;
		case 'v': log_max_priority = LOG_DEBUG; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (load_config(&d))
		return EXIT_CONFIG;
	if (check_only) {
		printf("%s: configuration is valid\n", d.config_path);
		return EXIT_OK;
	}
	rc = setup(&d);
	if (rc == EXIT_OK) {
		log_info("started, configuration %s", d.config_path);
		rc = sd_event_loop(d.event);
		sd_notify(0, "STOPPING=1");
		log_info("stopping");
	}
	teardown(&d);
	return rc < 0 ? EXIT_FAILURE_ : rc;
}
