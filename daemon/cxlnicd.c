// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnicd: turns the kernel's safe fallback into each NIC's chosen policy
 * and brings NICs back to CXL by themselves.
 *
 * One sd-event loop: the cxlnic family's monitor socket, a udev monitor on
 * the cxl, pci and nd subsystems, one reconcile timer, signals and the
 * systemd watchdog.  Nothing polls: every wake-up is an event, a backoff
 * or the watchdog, and the control socket.  What each wake-up leads to is
 * in the other files: daemon.h says which file holds what.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <libudev.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "cxl_worker.h"
#include "cxlnic_names.h"
#include "daemon.h"
#include "fault.h"
#include "log.h"

#define DEFAULT_CONFIG	"/etc/cxlnic/cxlnicd.conf"
#define DEFAULT_STATE	"/run/cxlnicd/state.json"
#define DEFAULT_CONTROL	"/run/cxlnicd/control"
#define UDEV_RCVBUF	(8 << 20)

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILURE_ = 1,
	EXIT_USAGE = 2,
	EXIT_CONFIG = 3,
	EXIT_NO_MODULE = 4,
};

static void notify_status(struct daemon *d)
{
	struct nic_counts c = nic_count(d);

	sd_notifyf(0, "%sSTATUS=%zu NICs, %zu on CXL, %zu on PCI or down",
		   d->ready ? "" : "READY=1\n", c.registered, c.on_cxl,
		   c.known - c.on_cxl);
	d->ready = true;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	struct daemon *d = arg;

	(void)s;
	(void)usec;
	reconcile(d);
	notify_status(d);
	metrics_update(d);
	return 0;
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
		d->resyncs++;
		daemon_note(d, LOG_WARNING, HISTORY_DAEMON, NULL, "resync", 0, -1,
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
	reload_config(d);
	sd_notify(0, "READY=1");
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
	/* libnvdimm's namespaces: a NIC may wait for one to go (dax=none). */
	udev_monitor_filter_add_match_subsystem_devtype(d->umon, "nd", NULL);
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
	if (!mkdir(dir, 0755))
		/* Clients of any user reach the socket: not the UMask's 0700. */
		return chmod(dir, 0755) ? -errno : 0;
	return errno == EEXIST ? 0 : -errno;
}

/*
 * One cxlnicd per state directory: a second one would race the first on
 * region creation and resets, and the last writer of the state file would
 * win.  The lock lives as long as the process (the descriptor is never
 * closed); the file holds the owner's pid for the message below.
 */
static int lock_state_dir(const char *state_path)
{
	char path[256], pid[32] = "";
	const char *slash = strrchr(state_path, '/');
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%.*s/cxlnicd.lock",
		 slash ? (int)(slash - state_path) : 1,
		 slash ? state_path : ".");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		log_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = read(fd, pid, sizeof(pid) - 1);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		log_err("another cxlnicd%s%s%s holds %s: not starting a second one",
			pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "", path);
		close(fd);
		return -1;
	}
	if (ftruncate(fd, 0) == 0)
		dprintf(fd, "%d\n", (int)getpid());
	return 0;
}

/*
 * read_group in force on the control socket or, before there is one
 * (--check-config), only looked up: refused in the same words either way.
 */
static int set_read_group(struct daemon *d)
{
	gid_t gid;
	int rc = d->ctl ? control_set_read_group(d->ctl, d->cfg.read_group) :
		 control_resolve_group(d->cfg.read_group, &gid);

	if (rc)
		log_err("%s: read_group '%s' is not a group", d->config_path,
			d->cfg.read_group);
	return rc;
}

static int setup_control(struct daemon *d)
{
	int rc = control_open(&d->ctl, d->event, d->control_path,
			      control_dispatch, d);

	if (rc) {
		log_err("control socket %s: %s", d->control_path, strerror(-rc));
		return EXIT_FAILURE_;
	}
	return set_read_group(d) ? EXIT_CONFIG : EXIT_OK;
}

static int setup(struct daemon *d)
{
	sigset_t mask;
	int rc;

	rc = make_state_dir(d->state_path);
	if (!rc)
		rc = make_state_dir(d->control_path);
	if (rc) {
		log_err("cannot create the directory of %s or %s: %s",
			d->state_path, d->control_path, strerror(-rc));
		return EXIT_FAILURE_;
	}
	if (lock_state_dir(d->state_path))
		return EXIT_FAILURE_;
	if (history_init(&d->history, HISTORY_DEFAULT_SIZE))
		return EXIT_FAILURE_;
	load_state(d);
	rc = cxlnic_client_open(&d->nl);
	if (!rc)
		rc = cxlnic_monitor_open(&d->mon, d->monitor_rcvbuf);
	if (rc) {
		log_err("%s", cxlnic_strerror(rc));
		return rc == -CXLNIC_ENOMODULE ? EXIT_NO_MODULE : EXIT_FAILURE_;
	}
	/* Without it a reload is still found, by the next dump's ENOENT. */
	rc = cxlnic_monitor_follow_family(d->mon, on_family_change, d);
	if (rc)
		log_nic(LOG_WARNING, NULL, NULL, -1, "cannot follow nlctrl's family notices: %s; an unload of cxlnic.ko is seen by the next resync only",
			strerror(-rc));
	/* Without devlink there is no reporter to keep pace with. */
	if (devlink_client_open(&d->devlink))
		log_info("no devlink family: no health reporter grace periods");
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
	    metrics_start(d) < 0 ||
	    sd_event_set_watchdog(d->event, true) < 0)
		return EXIT_FAILURE_;
	/* Without its worker, cxlnicd could scan nothing: a broken install. */
	if (cxl_worker_init(d->event))
		return EXIT_FAILURE_;
	return setup_control(d);
}

static void teardown(struct daemon *d)
{
	cxl_worker_close();
	control_close(d->ctl);
	history_free(&d->history);
	sd_event_source_unref(d->metrics_timer);
	sd_event_source_unref(d->timer);
	sd_event_unref(d->event);
	udev_monitor_unref(d->umon);
	udev_unref(d->udev);
	cxlnic_monitor_close(d->mon);
	cxlnic_client_close(d->nl);
	devlink_client_close(d->devlink);
	config_free(&d->cfg);
	free(d->nics);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: cxlnicd [-c FILE] [-s FILE] [-S SOCKET] [--check-config] [-v]\n"
		   "  -c, --config FILE   configuration (default " DEFAULT_CONFIG ")\n"
		   "  -s, --state FILE    crash-safe state (default " DEFAULT_STATE ")\n"
		   "  -S, --control PATH  control socket (default " DEFAULT_CONTROL ")\n"
		   "      --monitor-rcvbuf BYTES\n"
		   "                      receive buffer of the family socket (tests)\n"
		   "      --check-config  check the configuration and exit\n"
		   "  -v, --verbose       log debug messages too\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "state", required_argument, NULL, 's' },
		{ "control", required_argument, NULL, 'S' },
		{ "monitor-rcvbuf", required_argument, NULL, 'R' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d = {
		.config_path = DEFAULT_CONFIG,
		.state_path = DEFAULT_STATE,
		.control_path = DEFAULT_CONTROL,
	};
	bool check_only = false;
	int c, rc;

	config_init(&d.cfg);
	while ((c = getopt_long(argc, argv, "c:s:S:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d.config_path = optarg; break;
		case 's': d.state_path = optarg; break;
		case 'S': d.control_path = optarg; break;
		case 'R':
			d.monitor_rcvbuf = atoi(optarg);
			if (d.monitor_rcvbuf <= 0) {
				fprintf(stderr, "cxlnicd: --monitor-rcvbuf needs a positive size\n");
				return EXIT_USAGE;
			}
			break;
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
	if (fault_setup(getenv("CXLNICD_FAULTS"))) {
		fprintf(stderr, "cxlnicd: CXLNICD_FAULTS='%s': expected POINT:COUNT,... with points sysfs-write, libcxl, netlink\n",
			getenv("CXLNICD_FAULTS"));
		return EXIT_USAGE;
	}
	if (load_config(&d))
		return EXIT_CONFIG;
	if (check_only && set_read_group(&d)) {
		config_free(&d.cfg);
		return EXIT_CONFIG;
	}
	if (check_only) {
		printf("%s: configuration is valid\n", d.config_path);
		config_free(&d.cfg);
		return EXIT_OK;
	}
	rc = setup(&d);
	if (rc == EXIT_OK) {
		d.started_usec = now_usec();
		daemon_note(&d, LOG_INFO, HISTORY_DAEMON, NULL, "start", 0, -1,
			    "started, configuration %s, control %s",
			    d.config_path, d.control_path);
		rc = sd_event_loop(d.event);
		sd_notify(0, "STOPPING=1");
		log_info("stopping");
	}
	teardown(&d);
	return rc < 0 ? EXIT_FAILURE_ : rc;
}
