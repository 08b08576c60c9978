// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <daxctl/libdaxctl.h>
#include <ndctl/libndctl.h>

#include "dax.h"
#include "name_copy.h"

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
	view->other = true;
}

int dax_scan(uint64_t base, struct dax_view *view)
{
	struct ndctl_namespace *ns;
	struct ndctl_region *region;
	struct ndctl_ctx *ctx;
	int rc = ndctl_new(&ctx);

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
