// SPDX-License-Identifier: GPL-2.0-only
/*
 * topology.h's functions, each run in a cxlnicd-cxl worker (cxl_worker.h):
 * spawned with the daemon's signals unblocked, one request in, one reply
 * out, waited for.  The daemon waited for libcxl as long in-process.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cxl_worker.h"
#include "fault.h"
#include "fd_io.h"
#include "log.h"

#ifndef CXL_WORKER_DIR
#define CXL_WORKER_DIR "/usr/libexec/cxlnic"
#endif

extern char **environ;

static char worker[PATH_MAX];

/*
 * Next to cxlnicd when it is there (the build tree), else where meson
 * installs it.
 */
int cxl_worker_init(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		self[n] = '\0';
		snprintf(worker, sizeof(worker), "%s/%s", dirname(self),
			 CXL_WORKER_NAME);
		if (!access(worker, X_OK))
			return 0;
	}
	snprintf(worker, sizeof(worker), "%s/%s", CXL_WORKER_DIR,
		 CXL_WORKER_NAME);
	if (!access(worker, X_OK))
		return 0;
	log_err("no libcxl worker %s: %s", worker, strerror(errno));
	return -errno;
}

static int spawn(int in_fd, int out_fd, pid_t *pid)
{
	char *argv[] = { CXL_WORKER_NAME, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int rc;

	if (!worker[0] && cxl_worker_init())
		return -ENOENT;
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* cxlnicd blocks the signals sd-event takes: the worker must not. */
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	rc = posix_spawn(pid, worker, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc)
		log_err("the libcxl worker %s: %s", worker, strerror(rc));
	return -rc;
}

static int wait_worker(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
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
 * The reply a worker that exited well wrote: all of it, of this build.
 * @n what came, or the read's error.
 */
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

/*
 * Run @req in a worker: its function's return, or why there was none.
 * The request goes into the pipe before the worker starts (it fits in the
 * pipe's buffer): a worker that dies early cannot leave cxlnicd writing
 * into a pipe nobody reads (SIGPIPE).
 */
static int worker_call(struct cxl_worker_request *req,
		       struct cxl_worker_reply *rep)
{
	int to[2], from[2], rc;
	ssize_t n;
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	rc = fault_check(FAULT_LIBCXL);
	if (rc)
		return rc;
	req->size = sizeof(*req);
	if (pipe2(to, O_CLOEXEC))
		return -errno;
	rc = fd_write_all(to[1], req, sizeof(*req));
	close(to[1]);
	if (!rc && pipe2(from, O_CLOEXEC))
		rc = -errno;
	if (rc) {
		close(to[0]);
		return rc;
	}
	rc = spawn(to[0], from[1], &pid);
	close(to[0]);
	close(from[1]);
	if (!rc) {
		/* Until it closes its end, as it exits; then how it exited. */
		n = fd_read_all(from[0], rep, sizeof(*rep));
		rc = wait_worker(pid);
		if (!rc)
			rc = check_reply(n, rep);
		if (!rc)
			rc = rep->rc;
	}
	close(from[0]);
	return rc;
}

static void copy_name(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
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
