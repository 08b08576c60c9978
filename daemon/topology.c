// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cxl/libcxl.h>
#include <uuid/uuid.h>

#include "dax.h"
#include "fault.h"
#include "name_copy.h"
#include "topology.h"

#define REGION_ALIGN	(256ULL << 20)

static struct cxl_memdev *find_memdev(struct cxl_ctx *ctx, uint64_t serial)
{
	struct cxl_memdev *memdev;

	cxl_memdev_foreach(ctx, memdev)
		if (cxl_memdev_get_serial(memdev) == serial)
			return memdev;
	return NULL;
}

static bool memdev_enabled(struct cxl_memdev *memdev)
{
	struct cxl_endpoint *ep;

	if (!cxl_memdev_is_enabled(memdev))
		return false;
	ep = cxl_memdev_get_endpoint(memdev);
	return ep && cxl_endpoint_is_enabled(ep);
}

static bool region_on_memdev(struct cxl_region *region,
			     struct cxl_memdev *memdev)
{
	struct cxl_memdev_mapping *mapping;
	struct cxl_decoder *decoder;

	cxl_mapping_foreach(region, mapping) {
		decoder = cxl_mapping_get_decoder(mapping);
		if (decoder && cxl_decoder_get_memdev(decoder) == memdev)
			return true;
	}
	return false;
}

static void mark_stale(struct chain_view *view, struct chain_names *names,
		       struct cxl_decoder *root, const char *region)
{
	view->stale_region = true;
	copy_name(names->stale_region, sizeof(names->stale_region), region);
	copy_name(names->stale_root_decoder, sizeof(names->stale_root_decoder),
		  cxl_decoder_get_devname(root));
}

/* A region's coherence, from its first endpoint decoder's target type. */
static bool region_in_mode(struct cxl_region *region, enum decoder_mode mode)
{
	struct cxl_decoder *decoder;

	if (mode == DECODER_ANY)
		return true;
	decoder = cxl_region_get_target_decoder(region, 0);
	if (!decoder)
		return false;
	switch (cxl_decoder_get_target_type(decoder)) {
	case CXL_DECODER_TTYPE_EXPANDER:
		return mode == DECODER_HOST_ONLY;
	case CXL_DECODER_TTYPE_ACCELERATOR:
		return mode == DECODER_DEVICE_COHERENT;
	default:
		return false;
	}
}

static bool region_has_uuid(struct cxl_region *region, const char *want)
{
	char text[37];
	uuid_t uu;

	cxl_region_get_uuid(region, uu);
	uuid_unparse(uu, text);
	return !strcmp(text, want);
}

/* An uncommitted region left by a create-region that a crash cut short. */
static bool region_unfinished(struct cxl_region *region,
			      struct cxl_memdev *memdev, const char *uuid)
{
	return uuid && (region_has_uuid(region, uuid) ||
			(memdev && region_on_memdev(region, memdev)));
}

static void scan_regions(struct cxl_ctx *ctx, struct cxl_memdev *memdev,
			 const char *last_region, const char *reclaim_uuid,
			 enum decoder_mode mode, struct chain_view *view,
			 struct chain_names *names)
{
	struct cxl_decoder *decoder;
	struct cxl_region *region;
	struct cxl_bus *bus;

	cxl_bus_foreach(ctx, bus) {
		cxl_decoder_foreach(cxl_bus_get_port(bus), decoder) {
			view->root = true;
			cxl_region_foreach(decoder, region) {
				const char *name = cxl_region_get_devname(region);

				if (!cxl_region_decode_is_committed(region)) {
					if ((last_region && !strcmp(name, last_region)) ||
					    region_unfinished(region, memdev,
							      reclaim_uuid))
						mark_stale(view, names, decoder, name);
					continue;
				}
				if (!memdev || !region_on_memdev(region, memdev))
					continue;
				/* The NIC's own, in whatever mode. */
				if (last_region && !strcmp(name, last_region) &&
				    cxl_region_is_enabled(region))
					view->nic_region_whole = true;
				if (view->region)
					continue;
				if (!region_in_mode(region, mode)) {
					view->region_other_mode = true;
					continue;
				}
				view->region = true;
				view->region_enabled = cxl_region_is_enabled(region);
				copy_name(names->region, sizeof(names->region), name);
				names->region_base = cxl_region_get_resource(region);
			}
		}
	}
}

/* No nvdimm region (cxl_pmem not loaded) means no namespace either. */
static int scan_namespaces(struct chain_view *view, struct chain_names *names)
{
	struct dax_view dax;
	int rc = dax_scan(names->region_base, &dax);

	if (rc == -ENODEV)
		return 0;
	if (rc)
		return rc;
	view->region_namespace = dax.devdax || dax.other;
	copy_name(names->namespace, sizeof(names->namespace), dax.namespace);
	copy_name(names->dax_chardev, sizeof(names->dax_chardev), dax.chardev);
	return 0;
}

/* The memdev's endpoint decoder that has DPA and no region, if any. */
static void scan_orphan_dpa(struct cxl_memdev *memdev, struct chain_view *view,
			    struct chain_names *names)
{
	struct cxl_endpoint *ep = cxl_memdev_get_endpoint(memdev);
	struct cxl_decoder *decoder;
	unsigned long long dpa;

	if (!ep)
		return;
	cxl_decoder_foreach(cxl_endpoint_get_port(ep), decoder) {
		dpa = cxl_decoder_get_dpa_size(decoder);
		if (dpa && dpa != ULLONG_MAX && !cxl_decoder_get_region(decoder)) {
			view->orphan_dpa = true;
			copy_name(names->orphan_decoder,
				  sizeof(names->orphan_decoder),
				  cxl_decoder_get_devname(decoder));
			return;
		}
	}
}

int topology_scan(uint64_t serial, const char *last_region,
		  const char *reclaim_uuid, enum decoder_mode mode,
		  struct chain_view *view, struct chain_names *names)
{
	struct cxl_memdev *memdev;
	struct cxl_ctx *ctx;
	int rc = cxl_new(&ctx);

	memset(view, 0, sizeof(*view));
	memset(names, 0, sizeof(*names));
	if (rc)
		return rc;
	memdev = find_memdev(ctx, serial);
	if (memdev) {
		view->memdev = true;
		view->memdev_enabled = memdev_enabled(memdev);
		copy_name(names->memdev, sizeof(names->memdev),
			  cxl_memdev_get_devname(memdev));
		copy_name(names->memdev_host, sizeof(names->memdev_host),
			  cxl_memdev_get_host(memdev));
	}
	scan_regions(ctx, view->memdev_enabled ? memdev : NULL, last_region,
		     reclaim_uuid, mode, view, names);
	if (reclaim_uuid && view->memdev_enabled)
		scan_orphan_dpa(memdev, view, names);
	cxl_unref(ctx);
	return view->region_enabled ? scan_namespaces(view, names) : 0;
}

/* The port named @name at or below @port, or NULL. */
static struct cxl_port *port_by_name(struct cxl_port *port, const char *name)
{
	struct cxl_port *child, *found;

	if (!strcmp(cxl_port_get_devname(port), name))
		return port;
	cxl_port_foreach(port, child) {
		found = port_by_name(child, name);
		if (found)
			return found;
	}
	return NULL;
}

/*
 * A port of a stock NIC's last chain is ready for the driver's probe when
 * it is enabled, or gone: the CXL core deletes a switch port as it unbinds
 * it (or as cxl_acpi goes), and the memdev's probe enumerates it again.
 * Present but disabled, it waits for someone to bind it.
 */
static bool port_ready(struct cxl_ctx *ctx, const char *name)
{
	struct cxl_port *port;
	struct cxl_bus *bus;

	cxl_bus_foreach(ctx, bus) {
		port = port_by_name(cxl_bus_get_port(bus), name);
		if (port)
			return cxl_port_is_root(port) || cxl_port_is_enabled(port);
	}
	return true;
}

int topology_stock_chain(const char *const *ports, size_t n_ports,
			 bool *root, bool *ports_ok)
{
	struct cxl_bus *bus;
	struct cxl_ctx *ctx;
	int rc = cxl_new(&ctx);
	size_t i;

	*root = false;
	*ports_ok = false;
	if (rc)
		return rc;
	cxl_bus_foreach(ctx, bus)
		if (cxl_decoder_get_first(cxl_bus_get_port(bus)))
			*root = true;
	*ports_ok = *root;
	for (i = 0; i < n_ports && *ports_ok; i++)
		*ports_ok = port_ready(ctx, ports[i]);
	cxl_unref(ctx);
	return 0;
}

static struct cxl_memdev *memdev_by_name(struct cxl_ctx *ctx, const char *name)
{
	struct cxl_memdev *memdev;

	cxl_memdev_foreach(ctx, memdev)
		if (!strcmp(cxl_memdev_get_devname(memdev), name))
			return memdev;
	return NULL;
}

/* The memdev's first endpoint decoder with no DPA allocated. */
static struct cxl_decoder *free_endpoint_decoder(struct cxl_memdev *memdev)
{
	struct cxl_endpoint *ep = cxl_memdev_get_endpoint(memdev);
	struct cxl_decoder *decoder;

	if (!ep)
		return NULL;
	cxl_decoder_foreach(cxl_endpoint_get_port(ep), decoder)
		if (!cxl_decoder_get_dpa_size(decoder))
			return decoder;
	return NULL;
}

/* The steps of cxl-cli's create-region, for one target. */
static int build_region(struct cxl_region *region, struct cxl_decoder *root,
			struct cxl_decoder *target, uint64_t size,
			const char *uuid_text)
{
	uuid_t uuid;
	int rc;

	if (uuid_parse(uuid_text, uuid))
		return -EINVAL;
	rc = cxl_region_set_interleave_granularity(region,
		cxl_decoder_get_interleave_granularity(root));
	if (!rc)
		rc = cxl_region_set_interleave_ways(region, 1);
	if (!rc)
		rc = cxl_region_set_uuid(region, uuid);
	if (!rc)
		rc = cxl_decoder_set_mode(target, CXL_DECODER_MODE_PMEM);
	if (!rc)
		rc = cxl_decoder_set_dpa_size(target, size);
	/* For the tests: die with the DPA taken and no target set. */
	if (!rc)
		fault_crash_at("create-region-sized");
	if (!rc)
		rc = cxl_region_set_size(region, size);
	if (!rc)
		rc = cxl_region_set_target(region, 0, target);
	if (!rc)
		rc = cxl_region_decode_commit(region);
	if (!rc)
		rc = cxl_region_enable(region);
	return rc;
}

static void undo_region(struct cxl_region *region, struct cxl_decoder *target)
{
	cxl_region_decode_reset(region);
	cxl_region_clear_all_targets(region);
	cxl_decoder_set_dpa_size(target, 0);
	cxl_region_delete(region);
}

/*
 * The pmem-capable root decoder whose window targets @memdev, as cxl-cli's
 * create-region picks it, or NULL.
 */
static struct cxl_decoder *root_for_memdev(struct cxl_ctx *ctx,
					   struct cxl_memdev *memdev)
{
	struct cxl_decoder *root;
	struct cxl_bus *bus;

	cxl_bus_foreach(ctx, bus)
		cxl_decoder_foreach(cxl_bus_get_port(bus), root)
			if (cxl_decoder_is_pmem_capable(root) &&
			    cxl_decoder_get_target_by_memdev(root, memdev))
				return root;
	return NULL;
}

/*
 * @want (0: the memdev's whole pmem capacity) as it fits: no larger than
 * the window's largest free extent, rounded down to 256 MiB (times the
 * ways, 1).  0 when nothing fits.
 */
static uint64_t region_size_for(struct cxl_decoder *root,
				struct cxl_memdev *memdev, uint64_t want)
{
	uint64_t free = cxl_decoder_get_max_available_extent(root);
	uint64_t size = want ? want : cxl_memdev_get_pmem_size(memdev);

	if (free != ULLONG_MAX && size > free)
		size = free;
	return size - size % REGION_ALIGN;
}

static int create_in_window(struct cxl_ctx *ctx, struct cxl_memdev *memdev,
			    uint64_t want, const char *uuid, char *out,
			    size_t len)
{
	struct cxl_decoder *root = root_for_memdev(ctx, memdev), *target;
	struct cxl_region *region;
	uint64_t size;
	int rc;

	if (!root)
		return -ENXIO;
	size = region_size_for(root, memdev, want);
	if (!size)
		return -ENOSPC;
	target = free_endpoint_decoder(memdev);
	if (!target)
		return -ENOSPC;
	region = cxl_decoder_create_pmem_region(root);
	if (!region)
		return -EIO;
	rc = build_region(region, root, target, size, uuid);
	if (rc) {
		undo_region(region, target);
		return rc;
	}
	copy_name(out, len, cxl_region_get_devname(region));
	return 0;
}

int topology_create_region(const char *memdev_name, uint64_t size,
			   const char *uuid, char *out, size_t len)
{
	struct cxl_memdev *memdev;
	struct cxl_ctx *ctx;
	int rc = cxl_new(&ctx);

	if (rc)
		return rc;
	memdev = memdev_by_name(ctx, memdev_name);
	rc = memdev ? create_in_window(ctx, memdev, size, uuid, out, len) :
		      -ENODEV;
	cxl_unref(ctx);
	return rc;
}

int topology_free_dpa(const char *name)
{
	struct cxl_memdev *memdev;
	struct cxl_endpoint *ep;
	struct cxl_decoder *decoder;
	struct cxl_ctx *ctx;
	int rc = cxl_new(&ctx);

	if (rc)
		return rc;
	rc = -ENODEV;
	cxl_memdev_foreach(ctx, memdev) {
		ep = cxl_memdev_get_endpoint(memdev);
		if (!ep)
			continue;
		cxl_decoder_foreach(cxl_endpoint_get_port(ep), decoder)
			if (!strcmp(cxl_decoder_get_devname(decoder), name))
				rc = cxl_decoder_set_dpa_size(decoder, 0);
	}
	cxl_unref(ctx);
	return rc;
}

int topology_enable_region(const char *name)
{
	struct cxl_decoder *decoder;
	struct cxl_region *region;
	struct cxl_bus *bus;
	struct cxl_ctx *ctx;
	int rc = cxl_new(&ctx);

	if (rc)
		return rc;
	rc = -ENODEV;
	cxl_bus_foreach(ctx, bus)
		cxl_decoder_foreach(cxl_bus_get_port(bus), decoder)
			cxl_region_foreach(decoder, region)
				if (!strcmp(cxl_region_get_devname(region), name))
					rc = cxl_region_enable(region);
	cxl_unref(ctx);
	return rc;
}
