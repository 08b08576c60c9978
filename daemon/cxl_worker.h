/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * libcxl and libndctl run in a worker process, cxlnicd-cxl, started for
 * each call of topology.h and gone when it answers: cxlnicd itself never
 * loads them.  Through libkmod they bring libcrypto (Debian 12 and 13),
 * which stays mapped once loaded (it is NODELETE) and alone would hold a
 * third of the idle daemon's memory.  The worker is also a fresh libcxl
 * context by construction, which libcxl's caching wants anyway, and a
 * crash in the libraries takes only the worker.
 *
 * cxlnicd's side (cxl_worker.c) is topology.h's functions: it writes one
 * request on the worker's stdin and reads one reply from its stdout.  The
 * worker (cxlnicd-cxl.c) runs topology.c's functions of the same names.
 * Both are of one build: the structs go as they are, their size first, so
 * that a worker of another build (an upgrade under a running daemon) is
 * refused rather than misread.
 */
#ifndef CXLNICD_CXL_WORKER_H
#define CXLNICD_CXL_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "cxlnic_dev.h"
#include "policy.h"
#include "topology.h"

/* The worker, where meson installs it; in the build tree, next to cxlnicd. */
#define CXL_WORKER_NAME "cxlnicd-cxl"

/*
 * Find the worker, once, at the start: 0, or a negative errno (said) when
 * there is none to run.  A call finds it itself when this was not called.
 */
int cxl_worker_init(void);

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
