// SPDX-License-Identifier: GPL-2.0-only
/*
 * topology.h's functions, each run in the cxlnicd-cxl worker
 * (cxl_worker.h): one request in, one reply out, waited for, as libcxl
 * was waited for in-process.  The worker is started with the first call
 * and kept for the calls of the next CXL_WORKER_IDLE_S seconds (a
 * recovery makes several): starting it costs more than a scan under
 * emulation.  Then it is told to go and cxlnicd holds nothing of it.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "cxl_worker.h"
#include "fault.h"
#include "fd_io.h"
#include "log.h"
#include "name_copy.h"

#ifndef CXL_WORKER_DIR
#define CXL_WORKER_DIR "/usr/libexec/cxlnic"
#endif

#define IDLE_USEC	((uint64_t)CXL_WORKER_IDLE_S * 1000000)

extern char **environ;

static struct {
	char path[PATH_MAX];
	sd_event *event;		/* NULL: none kept, one a call */
	sd_event_source *idle;		/* tells the worker to go */
	pid_t pid;			/* 0: none running */
	int fd;				/* our end of its socket */
} w = { .fd = -1 };

/*
 * Next to cxlnicd when it is there (the build tree), else where meson
 * installs it.
 */
static int find_worker(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		snprintf(w.path, sizeof(w.path), "%s/%s", dirname(self),
			 CXL_WORKER_NAME);
		if (!access(w.path, X_OK))
			return 0;
	}
	snprintf(w.path, sizeof(w.path), "%s/%s", CXL_WORKER_DIR,
		 CXL_WORKER_NAME);
	if (!access(w.path, X_OK))
		return 0;
	log_err("no libcxl worker %s: %s", w.path, strerror(errno));
	w.path[0] = '\0';
	return -errno;
}

int cxl_worker_init(sd_event *event)
{
	w.event = event;
	return find_worker();
}

/* The worker's socket is its stdin and stdout. */
static int spawn(void)
{
	char *argv[] = { CXL_WORKER_NAME, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int sv[2], rc;

	if (!w.path[0] && find_worker())
		return -ENOENT;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* cxlnicd blocks the signals sd-event takes: the worker must not. */
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, sv[1], STDOUT_FILENO);
	rc = posix_spawn(&w.pid, w.path, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(sv[1]);
	if (rc) {
		log_err("the libcxl worker %s: %s", w.path, strerror(rc));
		close(sv[0]);
		w.pid = 0;
		return -rc;
	}
	w.fd = sv[0];
	return 0;
}

/* How the worker ended: 0 when it exited well. */
static int reap(void)
{
	int status;

	while (waitpid(w.pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	w.pid = 0;
	/*
	 * Killed at a crash point of the tests (CXLNICD_CRASH_AFTER inside a
	 * create-region): the daemon goes with it, as the crash it stands for
	 * took the daemon before the work moved out.
	 */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
	    getenv("CXLNICD_CRASH_AFTER"))
		fault_crash_at(getenv("CXLNICD_CRASH_AFTER"));
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	log_err("%s: %s %d", CXL_WORKER_NAME,
		WIFEXITED(status) ? "exit" : "killed by signal",
		WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return -EIO;
}

/*
 * Tell the worker to go (the end of its input) and wait for it; how it
 * ended.  An idle worker is waiting for a request: it goes at once.
 */
static int stop(void)
{
	if (!w.pid)
		return 0;
	close(w.fd);
	w.fd = -1;
	sd_event_source_set_enabled(w.idle, SD_EVENT_OFF);
	return reap();
}

void cxl_worker_close(void)
{
	stop();
	w.idle = sd_event_source_disable_unref(w.idle);
	w.event = NULL;
}

static int on_idle(sd_event_source *s, uint64_t usec, void *arg)
{
	(void)s;
	(void)usec;
	(void)arg;
	stop();
	return 0;
}

/*
 * Kept for the next call, or gone when there is no loop to end it.  The
 * reply is in: how the worker ends is said, not the call's result.
 */
static void keep(void)
{
	int rc;

	if (!w.event) {
		stop();
		return;
	}
	if (!w.idle)
		rc = sd_event_add_time_relative(w.event, &w.idle,
						CLOCK_MONOTONIC, IDLE_USEC, 0,
						on_idle, NULL);
	else
		rc = sd_event_source_set_time_relative(w.idle, IDLE_USEC);
	if (rc >= 0)
		rc = sd_event_source_set_enabled(w.idle, SD_EVENT_ONESHOT);
	if (rc < 0)
		stop();
}

/* The reply, all of it, of this build; @n what came. */
static int check_reply(ssize_t n, const struct cxl_worker_reply *rep)
{
	if (n < 0)
		return (int)n;
	if ((size_t)n != sizeof(*rep) || rep->size != sizeof(*rep)) {
		log_err("%s: a reply of %zd bytes, not %zu: a worker of another build?",
			CXL_WORKER_NAME, n, sizeof(*rep));
		return -EPROTO;
	}
	return 0;
}

/* Send @req to the worker: the number of bytes sent, or a negative errno. */
static ssize_t send_request(const struct cxl_worker_request *req)
{
	/* A socket, not a pipe: a worker gone is EPIPE here, not SIGPIPE. */
	ssize_t n = send(w.fd, req, sizeof(*req), MSG_NOSIGNAL);

	return n < 0 ? -errno : n;
}

/*
 * Run @req in the worker: its function's return, or why there was none.
 * A kept worker that went meanwhile is replaced.  One that does not answer
 * in full is waited for, and how it ended is the error; if it ended well,
 * it was of another build.
 */
static int worker_call(struct cxl_worker_request *req,
		       struct cxl_worker_reply *rep)
{
	bool kept = w.pid;
	ssize_t n;
	int rc;

	memset(rep, 0, sizeof(*rep));
	/* libcxl's and libndctl's injected failure, for the worker's call. */
	rc = fault_check(FAULT_LIBCXL);
	if (rc)
		return rc;
	req->size = sizeof(*req);
	if (!kept && (rc = spawn()))
		return rc;
	n = send_request(req);
	if (n < 0 && kept) {
		stop();
		rc = spawn();
		if (rc)
			return rc;
		n = send_request(req);
	}
	if (n == (ssize_t)sizeof(*req))
		n = fd_read_all(w.fd, rep, sizeof(*rep));
	else if (n >= 0)
		n = -EIO;	/* a short send: not a whole request */
	if (n == (ssize_t)sizeof(*rep) && rep->size == sizeof(*rep)) {
		keep();
		return rep->rc;
	}
	/* Dead, or of another build: how it ended says which. */
	rc = stop();
	return rc ? rc : check_reply(n, rep);
}

int topology_scan(uint64_t serial, const char *last_region,
		  const char *reclaim_uuid, enum decoder_mode mode,
		  struct chain_view *view, struct chain_names *names)
{
	struct cxl_worker_request req = {
		.op = CXL_WORKER_SCAN, .serial = serial, .mode = mode,
	};
	struct cxl_worker_reply rep;
	int rc;

	copy_name(req.last_region, sizeof(req.last_region), last_region);
	copy_name(req.reclaim_uuid, sizeof(req.reclaim_uuid), reclaim_uuid);
	rc = worker_call(&req, &rep);
	*view = rep.view;
	*names = rep.names;
	return rc;
}

int topology_stock_chain(const char *const *ports, size_t n_ports,
			 bool *root, bool *ports_ok)
{
	struct cxl_worker_request req = { .op = CXL_WORKER_STOCK_CHAIN };
	struct cxl_worker_reply rep;
	size_t i;
	int rc;

	if (n_ports > CXLNIC_MAX_PIECES)
		return -E2BIG;
	for (i = 0; i < n_ports; i++)
		copy_name(req.ports[i], sizeof(req.ports[i]), ports[i]);
	req.n_ports = (uint32_t)n_ports;
	rc = worker_call(&req, &rep);
	*root = rep.root;
	*ports_ok = rep.ports_ok;
	return rc;
}

int topology_create_region(const char *memdev, uint64_t size,
			   const char *uuid, char *region, size_t len)
{
	struct cxl_worker_request req = {
		.op = CXL_WORKER_CREATE_REGION, .region_size = size,
	};
	struct cxl_worker_reply rep;
	int rc;

	copy_name(req.name, sizeof(req.name), memdev);
	copy_name(req.uuid, sizeof(req.uuid), uuid);
	rc = worker_call(&req, &rep);
	copy_name(region, len, rep.region);
	return rc;
}

/* A request that names one device, and its reply's return. */
static int named_call(enum cxl_worker_op op, const char *name)
{
	struct cxl_worker_request req = { .op = op };
	struct cxl_worker_reply rep;

	copy_name(req.name, sizeof(req.name), name);
	return worker_call(&req, &rep);
}

int topology_free_dpa(const char *decoder)
{
	return named_call(CXL_WORKER_FREE_DPA, decoder);
}

int topology_enable_region(const char *region)
{
	return named_call(CXL_WORKER_ENABLE_REGION, region);
}
