/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A NIC's CXL chain as libcxl sees it, and the libcxl work of rebuilding
 * it.  Every call makes a fresh libcxl context: libcxl caches what it
 * enumerates and has no invalidate, and the chain is exactly what changes.
 *
 * topology.c implements these in the worker, cxlnicd-cxl; in cxlnicd
 * each is cxl_worker.c's, which runs that worker (cxl_worker.h).
 */
#ifndef CXLNICD_TOPOLOGY_H
#define CXLNICD_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

struct chain_names {
	char memdev[32];		/* memN */
	char memdev_host[32];		/* its PCI function */
	char region[32];		/* committed region on the memdev */
	uint64_t region_base;		/* its host physical address */
	char namespace[32];		/* a namespace on it, for the logs */
	char dax_chardev[32];		/* daxX.Y, when that one is devdax */
	char stale_region[32];		/* decommitted, to delete */
	char stale_root_decoder[32];	/* where the stale region lives */
	char orphan_decoder[32];	/* endpoint decoder with DPA, no region */
};

/*
 * Scan for the memdev with @serial.  Stale, to be deleted: @last_region
 * (the region the NIC was attached to) if it is still there decommitted,
 * and with @reclaim_uuid (a create-region cxlnicd was in when it died) any
 * uncommitted region with that uuid or on the memdev, and the DPA of the
 * memdev's endpoint decoders that no region holds (orphan_dpa).  Only a
 * region decoding in @mode counts as the NIC's; one in another mode sets
 * region_other_mode.  An enabled region's nvdimm namespaces are looked at
 * too (dax.h).
 */
int topology_scan(uint64_t serial, const char *last_region,
		  const char *reclaim_uuid, enum decoder_mode mode,
		  struct chain_view *view, struct chain_names *names);
/*
 * The chain above a stock NIC's memdev, which its driver's next probe
 * needs: a CXL root with its decoders (@root) and each of @ports, the
 * ports of its last chain by name, enabled or gone (@ports_ok; a root
 * port, rootN, has no driver: there is enough).  Its memdev, endpoint and
 * region are the probe's to make, and so is a switch port that went (the
 * core deletes one as it unbinds it); libcxl rejects an accelerator memdev.
 */
int topology_stock_chain(const char *const *ports, size_t n_ports,
			 bool *root, bool *ports_ok);
/*
 * A committed, enabled x1 pmem region on @memdev with @uuid (recorded
 * before, so that a crash half-way is reclaimed by it); its name in
 * @region.
 */
int topology_create_region(const char *memdev, uint64_t size,
			   const char *uuid, char *region, size_t len);
/* The DPA of endpoint decoder @decoder freed (a create-region cut short). */
int topology_free_dpa(const char *decoder);
int topology_enable_region(const char *region);

#endif
