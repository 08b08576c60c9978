/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libcxl and libndctl run in a worker process, cxlnicd-cxl, started for
 * the calls of topology.h and gone CXL_WORKER_IDLE_S seconds after the
 * last: cxlnicd itself never loads them.  Through libkmod they bring
 * libcrypto (Debian 12 and 13), which stays mapped once loaded (it is
 * NODELETE) and alone would hold a third of the idle daemon's memory.  A
 * crash in the libraries takes only the worker, and each call still makes
 * a fresh libcxl context (topology.c), as libcxl's caching wants.
 *
 * cxlnicd's side (cxl_worker.c) is topology.h's functions: each writes
 * one request into the worker's socket and reads one reply.  The worker
 * (cxlnicd-cxl.c) runs topology.c's functions of the same names, until
 * its socket ends.  Both are of one build: the structs go as they are,
 * their size first, so that a worker of another build (an upgrade under a
 * running daemon) is refused rather than misread.
 */
#ifndef CXLNICD_CXL_WORKER_H
#define CXLNICD_CXL_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "cxlnic_dev.h"
#include "policy.h"
#include "topology.h"

/* The worker, where meson installs it; in the build tree, next to cxlnicd. */
#define CXL_WORKER_NAME "cxlnicd-cxl"

/* A worker with no call for this long is told to go. */
#define CXL_WORKER_IDLE_S	10

/*
 * Find the worker, once, at the start: 0, or a negative errno (said) when
 * there is none to run.  @event is the loop whose timer ends an idle
 * worker.  Without this, each call finds the worker, starts it and ends
 * it (the unit test).
 */
int cxl_worker_init(sd_event *event);
/* End the worker, if one runs, and wait for it: at cxlnicd's exit. */
void cxl_worker_close(void);

enum cxl_worker_op {
	CXL_WORKER_SCAN,		/* topology_scan() */
	CXL_WORKER_STOCK_CHAIN,		/* topology_stock_chain() */
	CXL_WORKER_CREATE_REGION,	/* topology_create_region() */
	CXL_WORKER_FREE_DPA,		/* topology_free_dpa() */
	CXL_WORKER_ENABLE_REGION,	/* topology_enable_region() */
};

struct cxl_worker_request {
	uint32_t size;			/* sizeof(struct cxl_worker_request) */
	enum cxl_worker_op op;
	/* SCAN */
	uint64_t serial;
	char last_region[CXLNIC_NAME_MAX];	/* "": none */
	char reclaim_uuid[40];			/* "": none */
	enum decoder_mode mode;
	/* STOCK_CHAIN */
	char ports[CXLNIC_MAX_PIECES][CXLNIC_NAME_MAX];
	uint32_t n_ports;
	/* CREATE_REGION (memdev), FREE_DPA (decoder), ENABLE_REGION (region) */
	char name[CXLNIC_NAME_MAX];
	uint64_t region_size;
	char uuid[40];
};

struct cxl_worker_reply {
	uint32_t size;			/* sizeof(struct cxl_worker_reply) */
	int32_t rc;			/* the function's return */
	struct chain_view view;		/* SCAN */
	struct chain_names names;
	bool root;			/* STOCK_CHAIN */
	bool ports_ok;
	char region[CXLNIC_NAME_MAX];	/* CREATE_REGION */
};

#endif
