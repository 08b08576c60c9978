// SPDX-License-Identifier: GPL-2.0-only
/*
 * Metrics for the fleet: Prometheus text format, written atomically
 * (temporary file, rename) as cxlnic.prom into node_exporter's textfile
 * collector directory, so a fleet watches its hosts with the Prometheus it
 * already runs.  Written after each reconcile, and every interval_s for
 * the packet counters, by a timer of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cxlnic_names.h"
#include "daemon.h"
#include "log.h"

#define METRICS_FILE "cxlnic.prom"

static void header(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void nic_modes(FILE *f, const struct daemon *d)
{
	enum nic_status now;
	unsigned int m, s;
	size_t i;

	header(f, "cxlnic_ctpio_mode", "gauge",
	       "1 for the CTPIO window the NIC uses now (absent while unregistered).");
	for (i = 0; i < d->n_nics; i++) {
		if (!d->nics[i].present)
			continue;
		for (m = CXLNIC_CTPIO_MODE_OFF; m <= CXLNIC_CTPIO_MODE_CXL; m++)
			fprintf(f, "cxlnic_ctpio_mode{nic=\"%s\",mode=\"%s\"} %d\n",
				d->nics[i].st.pci_addr, cxlnic_mode_name(m),
				d->nics[i].info.mode == m);
	}
	header(f, "cxlnic_registered", "gauge",
	       "1 while the NIC's driver is bound and registered with cxlnic.");
	for (i = 0; i < d->n_nics; i++)
		fprintf(f, "cxlnic_registered{nic=\"%s\"} %d\n",
			d->nics[i].st.pci_addr, d->nics[i].present);
	header(f, "cxlnic_daemon_state", "gauge",
	       "1 for cxlnicd's word for where the NIC is, 0 for the others (see docs/json.md).");
	for (i = 0; i < d->n_nics; i++) {
		now = nic_status_of(&d->nics[i]);
		for (s = 0; s < NIC_STATUS_COUNT; s++)
			fprintf(f, "cxlnic_daemon_state{nic=\"%s\",state=\"%s\"} %d\n",
				d->nics[i].st.pci_addr, nic_status_names[s],
				s == now);
	}
	header(f, "cxlnic_waiting_for", "gauge",
	       "1 for the piece a waiting NIC waits for (its waiting_for, see docs/json.md).");
	for (i = 0; i < d->n_nics; i++)
		if (d->nics[i].waiting_for[0])
			fprintf(f, "cxlnic_waiting_for{nic=\"%s\",piece=\"%s\"} 1\n",
				d->nics[i].st.pci_addr, d->nics[i].waiting_for);
}

static void nic_pieces(FILE *f, const struct daemon *d)
{
	const struct cxlnic_piece_info *p;
	size_t i, j;

	header(f, "cxlnic_piece_bound", "gauge",
	       "Each CXL piece the NIC depends on: 1 bound to its driver, 0 present without one or absent (see the state label).");
	for (i = 0; i < d->n_nics; i++) {
		if (!d->nics[i].present)
			continue;
		for (j = 0; j < d->nics[i].info.n_pieces; j++) {
			p = &d->nics[i].info.pieces[j];
			fprintf(f, "cxlnic_piece_bound{nic=\"%s\",kind=\"%s\",name=\"%s\",state=\"%s\"} %d\n",
				d->nics[i].st.pci_addr,
				cxlnic_piece_kind_name(p->kind), p->name,
				cxlnic_piece_state_name(p->state),
				p->state == CXLNIC_PIECE_STATE_BOUND);
		}
	}
}

static uint64_t get_fallbacks(const struct nic *n) { return n->info.stats.fallbacks; }
static uint64_t get_reattaches(const struct nic *n) { return n->info.stats.reattaches; }
static uint64_t get_recoveries(const struct nic *n) { return n->recoveries; }
static uint64_t get_step_failures(const struct nic *n) { return n->step_failures; }

/*
 * One counter per NIC.  The kernel's (@from_kernel) exist only while the
 * NIC is registered; cxlnicd's own for every NIC it knows.
 */
static void nic_counter(FILE *f, const struct daemon *d, const char *name,
			const char *help, uint64_t (*get)(const struct nic *),
			bool from_kernel)
{
	size_t i;

	header(f, name, "counter", help);
	for (i = 0; i < d->n_nics; i++)
		if (d->nics[i].present || !from_kernel)
			fprintf(f, "%s{nic=\"%s\"} %" PRIu64 "\n", name,
				d->nics[i].st.pci_addr, get(&d->nics[i]));
}

static void nic_counters(FILE *f, const struct daemon *d)
{
	size_t i;

	header(f, "cxlnic_packets_total", "counter",
	       "Packets the NIC sent through each CTPIO window since its driver registered.");
	header(f, "cxlnic_bytes_total", "counter",
	       "Bytes the NIC sent through each CTPIO window since its driver registered.");
	for (i = 0; i < d->n_nics; i++) {
		const struct cxlnic_stats_info *s = &d->nics[i].info.stats;
		const char *nic = d->nics[i].st.pci_addr;

		if (!d->nics[i].present)
			continue;
		fprintf(f, "cxlnic_packets_total{nic=\"%s\",window=\"cxl\"} %" PRIu64 "\n"
			   "cxlnic_packets_total{nic=\"%s\",window=\"pci\"} %" PRIu64 "\n"
			   "cxlnic_bytes_total{nic=\"%s\",window=\"cxl\"} %" PRIu64 "\n"
			   "cxlnic_bytes_total{nic=\"%s\",window=\"pci\"} %" PRIu64 "\n",
			nic, s->cxl_packets, nic, s->pci_packets,
			nic, s->cxl_bytes, nic, s->pci_bytes);
	}
	nic_counter(f, d, "cxlnic_fallbacks_total",
		    "Times the kernel moved CTPIO off CXL because a piece went.",
		    get_fallbacks, true);
	nic_counter(f, d, "cxlnic_reattaches_total",
		    "Times CTPIO went back on CXL after a fallback.",
		    get_reattaches, true);
	nic_counter(f, d, "cxlnic_recoveries_total",
		    "Returns to CXL after a loss, seen by cxlnicd.",
		    get_recoveries, false);
	nic_counter(f, d, "cxlnic_step_failures_total",
		    "Recovery steps that failed (cxlnicd backs off and retries).",
		    get_step_failures, false);
}

static void daemon_metrics(FILE *f, const struct daemon *d)
{
	header(f, "cxlnic_daemon_resyncs_total", "counter",
	       "Full resyncs after lost events.");
	fprintf(f, "cxlnic_daemon_resyncs_total %u\n", d->resyncs);
	header(f, "cxlnic_recovery_seconds_total", "counter",
	       "Time from each loss to CXL again, summed (divided by cxlnic_recoveries_total: the mean).");
	for (size_t i = 0; i < d->n_nics; i++)
		fprintf(f, "cxlnic_recovery_seconds_total{nic=\"%s\"} %.3f\n",
			d->nics[i].st.pci_addr,
			d->nics[i].recovery_ms_sum / 1000.0);
	header(f, "cxlnic_last_recovery_seconds", "gauge",
	       "Duration of the NIC's last recovery to CXL.");
	for (size_t i = 0; i < d->n_nics; i++)
		if (d->nics[i].recoveries)
			fprintf(f, "cxlnic_last_recovery_seconds{nic=\"%s\"} %.3f\n",
				d->nics[i].st.pci_addr,
				d->nics[i].last_recovery_ms / 1000.0);
}

static int metrics_write(const struct daemon *d)
{
	char path[300], tmp[310];
	FILE *f;
	int fd, rc = 0;

	if (!d->cfg.metrics_dir[0])
		return 0;
	snprintf(path, sizeof(path), "%s/" METRICS_FILE, d->cfg.metrics_dir);
	/* node_exporter skips files not ending in .prom: a safe temporary. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	/*
	 * Not through a link someone planted there; and readable by
	 * node_exporter's own user whatever the service's UMask=.
	 */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		return rc;
	}
	nic_modes(f, d);
	nic_pieces(f, d);
	nic_counters(f, d);
	daemon_metrics(f, d);
	if (fflush(f) || ferror(f))
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

/* Write the metrics; a failure is logged when it starts and ends. */
void metrics_update(struct daemon *d)
{
	int rc = metrics_write(d);

	if (rc && rc != d->metrics_error)
		log_err("cannot write metrics into %s: %s", d->cfg.metrics_dir,
			strerror(-rc));
	else if (!rc && d->metrics_error)
		log_info("metrics written into %s again", d->cfg.metrics_dir);
	d->metrics_error = rc;
}

/* Fresh packet counters for the metrics, between reconciles. */
static int on_metrics_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	struct cxlnic_dev_list list = { 0 };
	struct daemon *d = arg;
	struct nic *nic;
	size_t i;

	/* An id gone stale is the reconcile's to resolve: no request here. */
	if (!d->family_stale && !cxlnic_dev_dump(d->nl, &list)) {
		for (i = 0; i < list.n; i++) {
			nic = nic_lookup(d, list.devs[i].pci_addr, false);
			if (nic && nic->present)
				nic->info.stats = list.devs[i].stats;
		}
		cxlnic_dev_list_free(&list);
	}
	metrics_update(d);
	sd_event_source_set_time(s, usec + d->cfg.metrics_interval_s * 1000000ULL);
	return 0;
}

void metrics_arm(struct daemon *d)
{
	bool on = d->cfg.metrics_dir[0] && d->cfg.metrics_interval_s;

	if (!d->metrics_timer)
		return;
	sd_event_source_set_time(d->metrics_timer, now_usec() +
				 d->cfg.metrics_interval_s * 1000000ULL);
	sd_event_source_set_enabled(d->metrics_timer,
				    on ? SD_EVENT_ON : SD_EVENT_OFF);
}

int metrics_start(struct daemon *d)
{
	int rc = sd_event_add_time(d->event, &d->metrics_timer,
				   CLOCK_MONOTONIC, 0, 100000,
				   on_metrics_timer, d);

	if (rc < 0)
		return rc;
	metrics_arm(d);
	return 0;
}
