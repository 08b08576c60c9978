// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>
#include <uuid/uuid.h>

#include "dax.h"
#include "fault.h"

/* device-dax's default, and what ndctl create-namespace -m devdax uses. */
#define DAX_ALIGN	(2UL << 20)

static void copy_name(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* libndctl is the topology's library too: it shares libcxl's fault point. */
static int new_ctx(struct ndctl_ctx **ctx)
{
	int rc = fault_check(FAULT_LIBCXL);

	return rc ? rc : ndctl_new(ctx);
}

/*
 * libnvdimm registers regions and namespaces asynchronously: a region just
 * enabled may not show its namespaces yet.  The bus's wait_probe flushes
 * that (in the kernel, no polling) before we look.
 */
static struct ndctl_region *region_at(struct ndctl_ctx *ctx, uint64_t base)
{
	struct ndctl_region *region;
	struct ndctl_bus *bus;

	ndctl_bus_foreach(ctx, bus) {
		ndctl_bus_wait_probe(bus);
		ndctl_region_foreach(bus, region)
			if (ndctl_region_get_resource(region) == base)
				return region;
	}
	return NULL;
}

static bool namespace_ours(struct ndctl_namespace *ns)
{
	const char *name = ndctl_namespace_get_alt_name(ns);

	return name && !strcmp(name, DAX_NAMESPACE_NAME);
}

/* The /dev/daxX.Y behind an enabled nd dax device. */
static void dax_chardev(struct ndctl_dax *dax, char *out, size_t len)
{
	struct daxctl_region *region = ndctl_dax_get_daxctl_region(dax);
	struct daxctl_dev *dev;

	copy_name(out, len, NULL);
	if (!region)
		return;
	daxctl_dev_foreach(region, dev) {
		copy_name(out, len, daxctl_dev_get_devname(dev));
		return;
	}
}

static void note_namespace(struct dax_view *view, struct ndctl_namespace *ns)
{
	struct ndctl_dax *dax = ndctl_namespace_get_dax(ns);

	if (!view->namespace[0])
		copy_name(view->namespace, sizeof(view->namespace),
			  ndctl_namespace_get_devname(ns));
	if (dax && ndctl_dax_is_enabled(dax)) {
		view->devdax = true;
		dax_chardev(dax, view->chardev, sizeof(view->chardev));
		return;
	}
	view->other_ours = (view->other ? view->other_ours : true) &&
			   namespace_ours(ns);
	view->other = true;
}

int dax_scan(uint64_t base, struct dax_view *view)
{
	struct ndctl_namespace *ns;
	struct ndctl_region *region;
	struct ndctl_ctx *ctx;
	int rc = new_ctx(&ctx);

	memset(view, 0, sizeof(*view));
	if (rc)
		return rc;
	region = region_at(ctx, base);
	if (region) {
		/*
		 * Active, or sized and idle: a namespace still probing after
		 * the region came back, or one an operator disabled, holds
		 * the region's capacity and label all the same.
		 */
		ndctl_namespace_foreach(region, ns)
			if (ndctl_namespace_is_active(ns) ||
			    ndctl_namespace_get_size(ns))
				note_namespace(view, ns);
	}
	ndctl_unref(ctx);
	return region ? 0 : -ENODEV;
}

/* cxlnicd's namespace of an earlier region, its label still on the memdev. */
static struct ndctl_namespace *our_namespace(struct ndctl_region *region)
{
	struct ndctl_namespace *ns;

	ndctl_namespace_foreach(region, ns)
		if (namespace_ours(ns) && ndctl_namespace_get_size(ns))
			return ns;
	return NULL;
}

/* Size the region's seed namespace over its largest free extent. */
static int size_seed(struct ndctl_region *region, struct ndctl_namespace *ns)
{
	unsigned long long size = ndctl_region_get_max_available_extent(region);
	unsigned long align = ndctl_region_get_align(region);
	uuid_t uuid;
	int rc;

	if (align)
		size -= size % align;
	if (!size)
		return -ENOSPC;
	uuid_generate(uuid);
	rc = ndctl_namespace_set_uuid(ns, uuid);
	if (!rc)
		rc = ndctl_namespace_set_alt_name(ns, DAX_NAMESPACE_NAME);
	if (!rc)
		rc = ndctl_namespace_set_size(ns, size);
	return rc;
}

/* The steps of ndctl create-namespace -m devdax, once the size is set. */
static int claim_devdax(struct ndctl_region *region,
			struct ndctl_namespace *ns, char *chardev, size_t len)
{
	struct ndctl_dax *dax = ndctl_region_get_dax_seed(region);
	uuid_t uuid;
	int rc;

	if (!dax)
		return -ENXIO;
	uuid_generate(uuid);
	/*
	 * The claim goes in the label too, as ndctl records it (on 6.1 over
	 * CXL a rebuilt region still brings the namespace back raw).
	 */
	rc = ndctl_namespace_set_enforce_mode(ns, NDCTL_NS_MODE_DAX);
	if (!rc)
		rc = ndctl_dax_set_uuid(dax, uuid);
	if (!rc)
		rc = ndctl_dax_set_location(dax, NDCTL_PFN_LOC_PMEM);
	if (!rc && ndctl_dax_has_align(dax))
		rc = ndctl_dax_set_align(dax, DAX_ALIGN);
	if (!rc)
		rc = ndctl_dax_set_namespace(dax, ns);
	if (!rc) {
		rc = ndctl_dax_enable(dax);
		if (rc)
			ndctl_dax_set_namespace(dax, NULL);
	}
	if (!rc)
		dax_chardev(dax, chardev, len);
	return rc;
}

int dax_create(uint64_t base, char *chardev, size_t len, bool *reclaimed)
{
	struct ndctl_namespace *ns;
	struct ndctl_region *region;
	struct ndctl_ctx *ctx;
	int rc = new_ctx(&ctx);

	if (rc)
		return rc;
	region = region_at(ctx, base);
	if (!region) {
		rc = -ENODEV;
		goto out;
	}
	ns = our_namespace(region);
	*reclaimed = ns != NULL;
	if (ns) {
		/*
		 * Back with the rebuilt region from its label, but not as
		 * devdax (raw on 6.1, with or without the NIC's writes over
		 * its info block): claim it again.  Not the _safe disable,
		 * which opens its /dev/pmemN, a block device the service's
		 * DevicePolicy=closed rightly keeps from cxlnicd; the
		 * namespace is cxlnicd's by its label's name.
		 */
		rc = ndctl_namespace_disable_invalidate(ns);
	} else {
		ns = ndctl_region_get_namespace_seed(region);
		rc = ns ? size_seed(region, ns) : -ENOSPC;
		/* For the tests: a sized namespace, not yet devdax. */
		if (!rc)
			fault_crash_at("create-dax-sized");
	}
	/* A failed claim leaves the namespace sized: the retry reclaims it. */
	if (!rc)
		rc = claim_devdax(region, ns, chardev, len);
out:
	ndctl_unref(ctx);
	return rc;
}
