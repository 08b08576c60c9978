// SPDX-License-Identifier: GPL-2.0-only
#include "cxlnic_json.h"
#include "cxlnic_names.h"

static void add_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val));
}

/* Unsigned, so an HPA or counter past 2^63 is not printed negative. */
static void add_u64(struct json_object *o, const char *key, uint64_t val)
{
	json_object_object_add(o, key, json_object_new_uint64(val));
}

/* A piece as named by the kernel: what it is and its sysfs name. */
static struct json_object *piece_name_to_json(const struct cxlnic_piece_info *p)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "kind", cxlnic_piece_kind_name(p->kind));
	add_str(o, "name", p->name);
	return o;
}

static struct json_object *piece_to_json(const struct cxlnic_piece_info *p)
{
	struct json_object *o = piece_name_to_json(p);

	add_str(o, "state", cxlnic_piece_state_name(p->state));
	return o;
}

static struct json_object *region_to_json(const struct cxlnic_dev_info *dev)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "name", dev->region);
	add_u64(o, "base", dev->region_base);
	add_u64(o, "size", dev->region_size);
	return o;
}

static struct json_object *stats_to_json(const struct cxlnic_stats_info *s)
{
	struct json_object *o = json_object_new_object();

	add_u64(o, "cxl_bytes", s->cxl_bytes);
	add_u64(o, "cxl_packets", s->cxl_packets);
	add_u64(o, "pci_bytes", s->pci_bytes);
	add_u64(o, "pci_packets", s->pci_packets);
	add_u64(o, "fallbacks", s->fallbacks);
	add_u64(o, "reattaches", s->reattaches);
	return o;
}

struct json_object *cxlnic_dev_to_json(const struct cxlnic_dev_info *dev)
{
	struct json_object *o = json_object_new_object();
	struct json_object *pieces = json_object_new_array();
	unsigned int i;

	add_u64(o, "handle", dev->handle);
	add_str(o, "pci_addr", dev->pci_addr);
	add_str(o, "driver", dev->driver);
	add_str(o, "kind", cxlnic_nic_kind_name(dev->kind));
	if (dev->kind == CXLNIC_KIND_STOCK) {
		json_object_object_add(o, "quiesce",
				       json_object_new_boolean(dev->quiesce));
		json_object_object_add(o, "link_was_up",
				       json_object_new_boolean(dev->link_was_up));
	}
	if (dev->serial)
		add_u64(o, "serial", dev->serial);
	if (dev->ifindex) {
		add_u64(o, "ifindex", dev->ifindex);
		add_str(o, "ifname", dev->ifname);
	}
	add_str(o, "mode", cxlnic_mode_name(dev->mode));
	add_u64(o, "generation", dev->generation);
	add_str(o, "last_reason", cxlnic_reason_name(dev->reason));
	add_str(o, "loss_reason", cxlnic_reason_name(dev->loss_reason));
	json_object_object_add(o, "lost", json_object_new_boolean(dev->lost));
	/* What was lost is gone by definition: no state to show. */
	if (dev->has_loss_piece)
		json_object_object_add(o, "loss_piece",
				       piece_name_to_json(&dev->loss_piece));
	if (dev->has_region) {
		json_object_object_add(o, "region", region_to_json(dev));
		add_str(o, "decoder_mode",
			cxlnic_decoder_mode_name(dev->decoder_mode));
	}
	for (i = 0; i < dev->n_pieces; i++)
		json_object_array_add(pieces, piece_to_json(&dev->pieces[i]));
	json_object_object_add(o, "pieces", pieces);
	if (dev->pieces_truncated)
		json_object_object_add(o, "pieces_truncated",
				       json_object_new_boolean(1));
	json_object_object_add(o, "stats", stats_to_json(&dev->stats));
	return o;
}

struct json_object *cxlnic_event_to_json(const struct cxlnic_dev_info *ev)
{
	struct json_object *o = cxlnic_dev_to_json(ev);

	add_str(o, "event", cxlnic_event_name(ev->cmd));
	/* A mode change carries why it happened: "reason", the event's own. */
	if (ev->has_prev_mode) {
		add_str(o, "prev_mode", cxlnic_mode_name(ev->prev_mode));
		add_str(o, "reason", cxlnic_reason_name(ev->reason));
	}
	if (ev->has_piece) {
		json_object_object_add(o, "piece", piece_to_json(&ev->piece));
		add_str(o, "piece_event",
			cxlnic_piece_event_name(ev->piece_event));
	}
	return o;
}

struct json_object *cxlnic_overrun_to_json(void)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "event", "overrun");
	return o;
}

struct json_object *cxlnic_family_event_to_json(bool back)
{
	struct json_object *o = json_object_new_object();

	add_str(o, "event", back ? "family-back" : "family-gone");
	return o;
}
