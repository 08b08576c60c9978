// SPDX-License-Identifier: GPL-2.0-only
/*
 * cxlnicd-cxl: cxlnicd's libcxl and libndctl work (cxl_worker.h).  Not
 * for use by hand: it reads binary requests from stdin and writes a reply
 * to stdout for each, both of cxlnicd's own build, until stdin ends.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cxl_worker.h"
#include "fd_io.h"

/* 1 with a request, 0 at the end of the input, -EPROTO for anything else. */
static int read_request(struct cxl_worker_request *req)
{
	ssize_t n = fd_read_all(STDIN_FILENO, req, sizeof(*req));

	if (!n)
		return 0;
	return n == (ssize_t)sizeof(*req) && req->size == sizeof(*req) ?
	       1 : -EPROTO;
}

/* Whatever came, the names end within their arrays. */
static void terminate_names(struct cxl_worker_request *req)
{
	unsigned int i;

	req->last_region[sizeof(req->last_region) - 1] = '\0';
	req->reclaim_uuid[sizeof(req->reclaim_uuid) - 1] = '\0';
	req->name[sizeof(req->name) - 1] = '\0';
	req->uuid[sizeof(req->uuid) - 1] = '\0';
	for (i = 0; i < CXLNIC_MAX_PIECES; i++)
		req->ports[i][sizeof(req->ports[i]) - 1] = '\0';
	if (req->n_ports > CXLNIC_MAX_PIECES)
		req->n_ports = CXLNIC_MAX_PIECES;
}

/* A name the request left empty is none. */
static const char *or_null(const char *name)
{
	return name[0] ? name : NULL;
}

static int run(const struct cxl_worker_request *req,
	       struct cxl_worker_reply *rep)
{
	const char *ports[CXLNIC_MAX_PIECES];
	unsigned int i;

	switch (req->op) {
	case CXL_WORKER_SCAN:
		return topology_scan(req->serial, or_null(req->last_region),
				     or_null(req->reclaim_uuid), req->mode,
				     &rep->view, &rep->names);
	case CXL_WORKER_STOCK_CHAIN:
		for (i = 0; i < req->n_ports; i++)
			ports[i] = req->ports[i];
		return topology_stock_chain(ports, req->n_ports, &rep->root,
					    &rep->ports_ok);
	case CXL_WORKER_CREATE_REGION:
		return topology_create_region(req->name, req->region_size,
					      req->uuid, rep->region,
					      sizeof(rep->region));
	case CXL_WORKER_FREE_DPA:
		return topology_free_dpa(req->name);
	case CXL_WORKER_ENABLE_REGION:
		return topology_enable_region(req->name);
	}
	return -EINVAL;
}

/* Requests until cxlnicd ends the input: it keeps the worker a while. */
int main(int argc, char **argv)
{
	struct cxl_worker_request req;
	struct cxl_worker_reply rep;
	int rc;

	(void)argv;
	if (argc != 1 || isatty(STDIN_FILENO)) {
		fprintf(stderr, "%s: cxlnicd's worker, not for use by hand\n",
			CXL_WORKER_NAME);
		return 2;
	}
	while ((rc = read_request(&req)) > 0) {
		terminate_names(&req);
		memset(&rep, 0, sizeof(rep));
		rep.size = sizeof(rep);
		rep.rc = run(&req, &rep);
		if (fd_write_all(STDOUT_FILENO, &rep, sizeof(rep)))
			return 1;
	}
	if (rc) {
		fprintf(stderr, "%s: not a request of cxlnicd's build\n",
			CXL_WORKER_NAME);
		return 2;
	}
	return 0;
}
