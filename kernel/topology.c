// SPDX-License-Identifier: GPL-2.0-only
/*
 * Finding a CXL region and every device its HPA range depends on.
 *
 * The CXL core's structures are private to drivers/cxl, so everything here
 * goes through struct device: lookups by name on the CXL bus, parentage, the
 * exported is_cxl_*() predicates, and the region's and decoders' own sysfs
 * show routines, called on a private page.  Those routines take the CXL
 * core's locks themselves, exactly as a read from sysfs would.
 */
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/kernfs.h>
#include <linux/sysfs.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include "cxl_core.h"
#include "cxlnic_internal.h"

/* An interleave set has at most 16 targets (CXL 2.0 8.2.5.12.7). */
#define CXLNIC_MAX_TARGETS	16

static const struct device_attribute *
cxlnic_find_attr(struct device *dev, const char *name)
{
	const struct attribute_group *const *group;
	struct attribute **attr;

	if (!dev->type || !dev->type->groups)
		return NULL;
	for (group = dev->type->groups; *group; group++)
		for (attr = (*group)->attrs; attr && *attr; attr++)
			if (!strcmp((*attr)->name, name))
				return container_of(*attr,
						    struct device_attribute,
						    attr);
	return NULL;
}

/* Read attribute @name of @dev into @page (PAGE_SIZE, page aligned). */
static int cxlnic_read_attr(struct device *dev, const char *name, char *page)
{
	const struct device_attribute *attr = cxlnic_find_attr(dev, name);
	ssize_t len;

	if (!attr || !attr->show)
		return -ENOENT;
	len = attr->show(dev, (struct device_attribute *)attr, page);
	if (len < 0)
		return len;
	page[min_t(ssize_t, len, PAGE_SIZE - 1)] = '\0';
	strim(page);
	return 0;
}

static int cxlnic_read_u64_attr(struct device *dev, const char *name,
				char *page, u64 *val)
{
	int rc = cxlnic_read_attr(dev, name, page);

	return rc ? rc : kstrtou64(page, 0, val);
}

bool cxlnic_is_cxl_root_device(struct device *dev)
{
	struct device_driver *drv = READ_ONCE(dev->driver);

	return dev->bus == &platform_bus_type && drv &&
	       !strcmp(drv->name, "cxl_acpi");
}

/* Classify a device on the CXL bus; 0 when it is none of our pieces. */
static enum cxlnic_piece_kind cxlnic_cxl_kind(struct device *dev)
{
	if (dev->bus != &cxl_bus_type)
		return cxlnic_is_cxl_root_device(dev) ? CXLNIC_PIECE_ROOT : 0;
	if (is_cxl_region(dev))
		return CXLNIC_PIECE_REGION;
	if (is_cxl_memdev(dev))
		return CXLNIC_PIECE_MEMDEV;
	if (is_cxl_port(dev))
		return strncmp(dev_name(dev), "endpoint", 8) ?
		       CXLNIC_PIECE_PORT : CXLNIC_PIECE_ENDPOINT;
	if (dev->type && !strncmp(dev->type->name, "cxl_decoder", 11))
		return CXLNIC_PIECE_DECODER;
	return 0;
}

static struct cxlnic_piece *
cxlnic_topo_find(struct cxlnic_topo *topo, const struct device *dev)
{
	unsigned int i;

	for (i = 0; i < topo->n_pieces; i++)
		if (topo->pieces[i].dev == dev)
			return &topo->pieces[i];
	return NULL;
}

static bool cxlnic_topo_has(const struct cxlnic_topo *topo,
			    const struct device *dev)
{
	unsigned int i;

	for (i = 0; i < topo->n_pieces; i++)
		if (topo->pieces[i].dev == dev)
			return true;
	return false;
}

/* Add @dev, whose reference the caller hands over, unless already there. */
static int cxlnic_topo_add(struct cxlnic_topo *topo, struct device *dev,
			   enum cxlnic_piece_kind kind)
{
	struct cxlnic_piece *piece;

	if (cxlnic_topo_has(topo, dev)) {
		put_device(dev);
		return 0;
	}
	if (topo->n_pieces == CXLNIC_MAX_PIECES) {
		put_device(dev);
		return -E2BIG;
	}
	piece = &topo->pieces[topo->n_pieces++];
	piece->kind = kind;
	piece->dev = dev;
	strscpy(piece->name, dev_name(dev), sizeof(piece->name));
	return 0;
}

/* Add every CXL port, decoder and the CXL root above @dev. */
static int cxlnic_topo_add_ancestors(struct cxlnic_topo *topo,
				     struct device *dev)
{
	enum cxlnic_piece_kind kind;
	struct device *parent;
	int rc;

	for (parent = dev->parent; parent; parent = parent->parent) {
		kind = cxlnic_cxl_kind(parent);
		if (!kind)
			break;
		rc = cxlnic_topo_add(topo, get_device(parent), kind);
		if (rc || kind == CXLNIC_PIECE_ROOT)
			return rc;
	}
	return 0;
}

void cxlnic_topo_put(struct cxlnic_topo *topo)
{
	unsigned int i;

	for (i = 0; i < topo->n_pieces; i++)
		put_device(topo->pieces[i].dev);
	memset(topo, 0, sizeof(*topo));
}

/*
 * @src's region and pieces by name and serial, without its devices: what
 * cxlnic_topo_find_again() needs, taken under the NIC's lock for use
 * without it.
 */
void cxlnic_topo_copy_names(struct cxlnic_topo *dst,
			    const struct cxlnic_topo *src)
{
	unsigned int i;

	*dst = *src;
	for (i = 0; i < dst->n_pieces; i++)
		dst->pieces[i].dev = NULL;
}

enum cxlnic_piece_state cxlnic_piece_state(const struct cxlnic_piece *piece)
{
	if (!piece->dev)
		return CXLNIC_PIECE_STATE_ABSENT;
	return cxlnic_device_bound(piece->dev) ? CXLNIC_PIECE_STATE_BOUND :
						 CXLNIC_PIECE_STATE_PRESENT;
}

/* Pieces that only serve the HPA range while their driver is bound. */
bool cxlnic_piece_needs_driver(const struct cxlnic_piece *piece)
{
	switch (piece->kind) {
	case CXLNIC_PIECE_ROOT:
	case CXLNIC_PIECE_ENDPOINT:
	case CXLNIC_PIECE_MEMDEV:
	case CXLNIC_PIECE_REGION:
		return true;
	default:
		return false;
	}
}

static enum cxlnic_decoder_mode cxlnic_decoder_mode(struct device *decoder,
						    char *page)
{
	if (cxlnic_read_attr(decoder, "target_type", page))
		return CXLNIC_DECODER_MODE_UNKNOWN;
	if (!strcmp(page, "expander"))
		return CXLNIC_DECODER_MODE_HOSTONLY;
	if (!strcmp(page, "accelerator"))
		return CXLNIC_DECODER_MODE_DEVMEM;
	return CXLNIC_DECODER_MODE_UNKNOWN;
}

/* The region's HPA range; it must be committed and enabled. */
static int cxlnic_topo_region(struct cxlnic_topo *topo, struct device *region,
			      char *page, struct netlink_ext_ack *extack)
{
	struct cxlnic_region_info *info = &topo->region;
	u64 committed;
	int rc;

	/* Its show routine waits for the region lock: a signal ends that. */
	rc = cxlnic_read_u64_attr(region, "commit", page, &committed);
	if (rc) {
		NL_SET_ERR_MSG(extack,
			       "could not read the CXL region's commit state");
		return rc;
	}
	if (!committed) {
		NL_SET_ERR_MSG(extack, "CXL region is not committed");
		return -ENXIO;
	}
	if (!cxlnic_device_bound(region)) {
		NL_SET_ERR_MSG(extack,
			       "CXL region is not enabled (no driver, or its probe is running)");
		return -ENXIO;
	}
	rc = cxlnic_read_u64_attr(region, "resource", page, &info->base);
	if (!rc)
		rc = cxlnic_read_u64_attr(region, "size", page, &info->size);
	if (rc || !info->size || info->base == U64_MAX) {
		NL_SET_ERR_MSG(extack, "CXL region has no HPA range");
		return -ENXIO;
	}
	strscpy(info->name, dev_name(region), sizeof(info->name));
	return 0;
}

static int cxlnic_match_kobj(struct device *dev, const void *kobj)
{
	return &dev->kobj == kobj;
}

/*
 * The memdev an endpoint port stands for.  The CXL core links it as the
 * port's "uport" in sysfs; struct cxl_port itself is private.  The kobject
 * is only compared, never dereferenced: bus_find_device() hands back a
 * counted reference only if that kobject is a device on the CXL bus.
 */
static struct device *cxlnic_endpoint_memdev(struct device *endpoint)
{
	struct kernfs_node *link;
	struct device *memdev = NULL;

	link = sysfs_get_dirent(endpoint->kobj.sd, "uport");
	if (!link)
		return NULL;
	if (kernfs_type(link) == KERNFS_LINK && link->symlink.target_kn)
		memdev = bus_find_device(&cxl_bus_type, NULL,
					 link->symlink.target_kn->priv,
					 cxlnic_match_kobj);
	kernfs_put(link);
	if (memdev && !is_cxl_memdev(memdev)) {
		put_device(memdev);
		return NULL;
	}
	return memdev;
}

/*
 * A memdev's serial number, 0 when unknown.  Its show routine follows the
 * memdev's cxl_dev_state, which the CXL core clears right after deleting the
 * memdev; with cxlnic_lock held, a memdev not on our going list cannot get
 * past our DEL_DEVICE and REMOVED_DEVICE notifications, so it still has one.
 * The only show routine called under cxlnic_lock: it takes no CXL lock.
 */
static u64 cxlnic_memdev_serial(struct device *memdev, char *page)
{
	u64 serial = 0;

	mutex_lock(&cxlnic_lock);
	if (cxlnic_device_going(memdev) || !device_is_registered(memdev) ||
	    cxlnic_read_u64_attr(memdev, "serial", page, &serial))
		serial = 0;
	mutex_unlock(&cxlnic_lock);
	return serial;
}

/* Each endpoint decoder's endpoint port, its memdev and the ports up. */
static int cxlnic_topo_target(struct cxlnic_topo *topo, struct device *decoder,
			      char *page)
{
	struct device *endpoint = decoder->parent;
	struct cxlnic_piece *piece;
	struct device *memdev;
	u64 serial;
	int rc;

	rc = cxlnic_topo_add(topo, decoder, CXLNIC_PIECE_DECODER);
	if (rc)
		return rc;
	if (!endpoint || cxlnic_cxl_kind(endpoint) != CXLNIC_PIECE_ENDPOINT)
		return -ENXIO;
	memdev = cxlnic_endpoint_memdev(endpoint);
	if (memdev) {
		/* By serial, a recover finds the memdev again under any name. */
		serial = cxlnic_memdev_serial(memdev, page);
		rc = cxlnic_topo_add(topo, memdev, CXLNIC_PIECE_MEMDEV);
		if (rc)
			return rc;
		piece = cxlnic_topo_find(topo, memdev);
		if (piece)
			piece->serial = serial;
	}
	return cxlnic_topo_add_ancestors(topo, decoder);
}

/* Every target of the region, with what it depends on. */
static int cxlnic_topo_targets(struct cxlnic_topo *topo, struct device *region,
			       char *page, struct netlink_ext_ack *extack)
{
	struct device *decoder;
	char attr[16];
	u64 ways;
	int rc, i;

	rc = cxlnic_read_u64_attr(region, "interleave_ways", page, &ways);
	if (rc || !ways || ways > CXLNIC_MAX_TARGETS) {
		NL_SET_ERR_MSG(extack, "CXL region has no valid interleave");
		return -ENXIO;
	}
	for (i = 0; i < ways; i++) {
		snprintf(attr, sizeof(attr), "target%d", i);
		if (cxlnic_read_attr(region, attr, page) || !*page) {
			NL_SET_ERR_MSG(extack, "CXL region is missing a target");
			return -ENXIO;
		}
		decoder = bus_find_device_by_name(&cxl_bus_type, NULL, page);
		if (!decoder) {
			NL_SET_ERR_MSG(extack, "CXL region target decoder is gone");
			return -ENODEV;
		}
		if (i == 0)
			topo->region.decoder_mode =
				cxlnic_decoder_mode(decoder, page);
		rc = cxlnic_topo_target(topo, decoder, page);
		if (rc == -ENXIO)
			NL_SET_ERR_MSG(extack, "CXL region target is not an endpoint decoder");
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * A device userspace named must exist and already be one of the pieces;
 * when it is not, @req->bad says which name was wrong.
 */
static int cxlnic_topo_check_named(struct cxlnic_topo *topo,
				   struct cxlnic_attach_req *req,
				   const char *name, enum cxlnic_piece_kind kind,
				   struct netlink_ext_ack *extack)
{
	struct device *dev;
	int rc = 0;

	if (!*name)
		return 0;
	dev = bus_find_device_by_name(&cxl_bus_type, NULL, name);
	if (!dev || cxlnic_cxl_kind(dev) != kind) {
		NL_SET_ERR_MSG(extack, "no CXL device of that kind with this name");
		rc = -ENODEV;
	} else if (!cxlnic_topo_has(topo, dev)) {
		NL_SET_ERR_MSG(extack, "named CXL device is not part of the region");
		rc = -EINVAL;
	}
	put_device(dev);
	if (rc)
		req->bad = kind;
	return rc;
}

static int cxlnic_topo_check_drivers(struct cxlnic_topo *topo,
				     struct netlink_ext_ack *extack)
{
	unsigned int i;

	for (i = 0; i < topo->n_pieces; i++) {
		if (cxlnic_piece_needs_driver(&topo->pieces[i]) &&
		    cxlnic_piece_state(&topo->pieces[i]) !=
		    CXLNIC_PIECE_STATE_BOUND) {
			NL_SET_ERR_MSG(extack,
				       "a CXL device the region needs has no driver");
			return -ENXIO;
		}
	}
	return 0;
}

/**
 * cxlnic_topo_resolve - find a region and take a reference on its chain
 * @req: names from userspace; on failure, ->bad says which was wrong
 * @topo: filled on success; release with cxlnic_topo_put()
 * @extack: why it failed
 *
 * Called with none of our locks held: the CXL core's show routines it
 * calls take the CXL rwsems.  The chain may change before it is used;
 * cxlnic_take_topo() checks it again, under cxlnic_lock, as it records it.
 */
int cxlnic_topo_resolve(struct cxlnic_attach_req *req,
			struct cxlnic_topo *topo,
			struct netlink_ext_ack *extack)
{
	struct device *region;
	char *page;
	int rc;

	memset(topo, 0, sizeof(*topo));
	region = bus_find_device_by_name(&cxl_bus_type, NULL, req->region);
	if (!region || !is_cxl_region(region)) {
		put_device(region);
		NL_SET_ERR_MSG(extack, "no CXL region with this name");
		req->bad = CXLNIC_PIECE_REGION;
		return -ENODEV;
	}
	page = (char *)get_zeroed_page(GFP_KERNEL);
	if (!page) {
		put_device(region);
		return -ENOMEM;
	}
	rc = cxlnic_topo_add(topo, region, CXLNIC_PIECE_REGION);
	if (!rc)
		rc = cxlnic_topo_region(topo, region, page, extack);
	if (!rc)
		rc = cxlnic_topo_targets(topo, region, page, extack);
	if (!rc)
		rc = cxlnic_topo_add_ancestors(topo, region);
	if (!rc)
		rc = cxlnic_topo_check_named(topo, req, req->memdev,
					     CXLNIC_PIECE_MEMDEV, extack);
	if (!rc)
		rc = cxlnic_topo_check_named(topo, req, req->endpoint,
					     CXLNIC_PIECE_ENDPOINT, extack);
	if (!rc)
		rc = cxlnic_topo_check_named(topo, req, req->decoder,
					     CXLNIC_PIECE_DECODER, extack);
	if (!rc)
		rc = cxlnic_topo_check_drivers(topo, extack);
	if (rc == -E2BIG)
		NL_SET_ERR_MSG(extack, "CXL region depends on too many devices");
	free_page((unsigned long)page);
	if (rc)
		cxlnic_topo_put(topo);
	return rc;
}

/* Every memdev of @topo has a known serial, and there is at least one. */
static bool cxlnic_topo_has_serials(const struct cxlnic_topo *topo)
{
	unsigned int i, n = 0;

	for (i = 0; i < topo->n_pieces; i++) {
		if (topo->pieces[i].kind != CXLNIC_PIECE_MEMDEV)
			continue;
		if (!topo->pieces[i].serial)
			return false;
		n++;
	}
	return n;
}

static unsigned int cxlnic_topo_count_serial(const struct cxlnic_topo *topo,
					     u64 serial)
{
	unsigned int i, n = 0;

	for (i = 0; i < topo->n_pieces; i++)
		if (topo->pieces[i].kind == CXLNIC_PIECE_MEMDEV &&
		    topo->pieces[i].serial == serial)
			n++;
	return n;
}

/* @now stands on exactly the memdevs @last stood on, by serial number. */
static bool cxlnic_topo_same_memdevs(const struct cxlnic_topo *now,
				     const struct cxlnic_topo *last)
{
	unsigned int i, n_last = 0, n_now = 0;
	u64 serial;

	if (!cxlnic_topo_has_serials(last))
		return false;
	for (i = 0; i < last->n_pieces; i++) {
		if (last->pieces[i].kind != CXLNIC_PIECE_MEMDEV)
			continue;
		serial = last->pieces[i].serial;
		if (cxlnic_topo_count_serial(now, serial) !=
		    cxlnic_topo_count_serial(last, serial))
			return false;
		n_last++;
	}
	for (i = 0; i < now->n_pieces; i++)
		if (now->pieces[i].kind == CXLNIC_PIECE_MEMDEV)
			n_now++;
	return n_now == n_last;
}

/* A walk over the CXL regions for one whose chain resolves and matches. */
struct cxlnic_region_walk {
	struct cxlnic_topo *topo;
	bool (*match)(const struct cxlnic_topo *topo, const void *arg);
	const void *arg;
};

static int cxlnic_try_region(struct device *dev, void *data)
{
	struct cxlnic_region_walk *walk = data;
	struct cxlnic_attach_req req = {};

	if (!is_cxl_region(dev))
		return 0;
	strscpy(req.region, dev_name(dev), sizeof(req.region));
	if (cxlnic_topo_resolve(&req, walk->topo, NULL))
		return 0;
	if (walk->match(walk->topo, walk->arg))
		return 1;
	cxlnic_topo_put(walk->topo);
	return 0;
}

/* The first region that resolves into @topo and that @match takes. */
static int cxlnic_find_region(struct cxlnic_topo *topo,
			      bool (*match)(const struct cxlnic_topo *topo,
					    const void *arg),
			      const void *arg)
{
	struct cxlnic_region_walk walk = {
		.topo = topo, .match = match, .arg = arg,
	};

	if (bus_for_each_dev(&cxl_bus_type, NULL, &walk, cxlnic_try_region) > 0)
		return 0;
	return -ENODEV;
}

/* Another region than the last, on the same memdevs by serial. */
static bool cxlnic_replaces(const struct cxlnic_topo *topo, const void *arg)
{
	const struct cxlnic_topo *last = arg;

	return strcmp(topo->region.name, last->region.name) &&
	       cxlnic_topo_same_memdevs(topo, last);
}

/**
 * cxlnic_topo_find_again - resolve the region that now stands where one stood
 * @last: the topology of the last attach, kept after a loss
 * @topo: filled on success; release with cxlnic_topo_put()
 *
 * The last region by name if it still resolves (and, when serials are known,
 * still stands on the same memdevs), else any committed, enabled region on
 * the same memdevs by serial: on 6.1 a memdev that comes back needs a new
 * region, which gets a new name.  Nothing is created or bound here.
 * Called with none of our locks held; @last's devices are not used.
 *
 * Return: 0, or -ENODEV when no such region resolves.
 */
int cxlnic_topo_find_again(const struct cxlnic_topo *last,
			   struct cxlnic_topo *topo)
{
	struct cxlnic_attach_req req = {};

	strscpy(req.region, last->region.name, sizeof(req.region));
	if (!cxlnic_topo_resolve(&req, topo, NULL)) {
		if (!cxlnic_topo_has_serials(last) ||
		    cxlnic_topo_same_memdevs(topo, last))
			return 0;
		/* The name was reused for a region on other memdevs. */
		cxlnic_topo_put(topo);
	}
	if (!cxlnic_topo_has_serials(last))
		return -ENODEV;
	return cxlnic_find_region(topo, cxlnic_replaces, last);
}

struct cxlnic_serial_match {
	u64 serial;
	char *page;
};

static int cxlnic_match_bound_serial(struct device *dev, const void *data)
{
	const struct cxlnic_serial_match *match = data;

	return is_cxl_memdev(dev) && cxlnic_device_bound(dev) &&
	       cxlnic_memdev_serial(dev, match->page) == match->serial;
}

/**
 * cxlnic_memdev_serial_bound - is a memdev with this serial bound to cxl_mem
 * @serial: a serial number recorded at attach, not 0
 *
 * Called with none of our locks held, or only a NIC's.
 */
bool cxlnic_memdev_serial_bound(u64 serial)
{
	struct cxlnic_serial_match match = { .serial = serial };
	struct device *dev;

	match.page = (char *)get_zeroed_page(GFP_KERNEL);
	if (!match.page)
		return false;
	dev = bus_find_device(&cxl_bus_type, NULL, &match,
			      cxlnic_match_bound_serial);
	free_page((unsigned long)match.page);
	if (!dev)
		return false;
	put_device(dev);
	return true;
}

static bool cxlnic_stands_on(const struct cxlnic_topo *topo, const void *arg)
{
	return cxlnic_topo_has(topo, arg);
}

/**
 * cxlnic_topo_of_memdev - the region a memdev is a target of, with its chain
 * @memdev: a CXL memdev (a stock NIC's accelerator memdev)
 * @topo: filled on success; release with cxlnic_topo_put()
 *
 * The first committed, enabled region with its every piece bound that
 * stands on @memdev.  Called with none of our locks held.
 *
 * Return: 0, or -ENODEV when there is none.
 */
int cxlnic_topo_of_memdev(struct device *memdev, struct cxlnic_topo *topo)
{
	return cxlnic_find_region(topo, cxlnic_stands_on, memdev);
}
