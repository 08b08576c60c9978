// SPDX-License-Identifier: GPL-2.0-only
/*
 * The "cxlnic" generic netlink family: dev-get (do and dump), dev-set,
 * region-attach, region-detach, and notifications on the "monitor" group.
 *
 * Every op has its own strict policy and resv_start_op is 0, so unknown or
 * malformed attributes are refused by the core with an extack message.
 * Mutating ops need CAP_NET_ADMIN (GENL_ADMIN_PERM).
 */
#include <linux/device.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/genetlink.h>
#include "cxlnic_internal.h"

static struct genl_family cxlnic_family;

enum cxlnic_nlgrp {
	CXLNIC_NLGRP_MONITOR,
};

static const struct genl_multicast_group cxlnic_mcgrps[] = {
	[CXLNIC_NLGRP_MONITOR] = { .name = CXLNIC_MCGRP_MONITOR },
};

#define CXLNIC_NAME_POLICY { .type = NLA_NUL_STRING, .len = CXLNIC_NAME_MAX - 1 }

static const struct nla_policy cxlnic_handle_policy[CXLNIC_A_DEV_HANDLE + 1] = {
	[CXLNIC_A_DEV_HANDLE] = { .type = NLA_U32 },
};

static const struct nla_policy cxlnic_dev_set_policy[CXLNIC_A_DEV_MODE + 1] = {
	[CXLNIC_A_DEV_HANDLE] = { .type = NLA_U32 },
	/* As the spec has it: off is reported, never asked for. */
	[CXLNIC_A_DEV_MODE] = NLA_POLICY_RANGE(NLA_U8, CXLNIC_CTPIO_MODE_PCI,
					       CXLNIC_CTPIO_MODE_CXL),
};

static const struct nla_policy cxlnic_attach_policy[CXLNIC_A_DEV_DECODER + 1] = {
	[CXLNIC_A_DEV_HANDLE] = { .type = NLA_U32 },
	[CXLNIC_A_DEV_REGION] = CXLNIC_NAME_POLICY,
	[CXLNIC_A_DEV_MEMDEV] = CXLNIC_NAME_POLICY,
	[CXLNIC_A_DEV_ENDPOINT] = CXLNIC_NAME_POLICY,
	[CXLNIC_A_DEV_DECODER] = CXLNIC_NAME_POLICY,
};

static int cxlnic_put_piece(struct sk_buff *msg, int type,
			    enum cxlnic_piece_kind kind, const char *name,
			    enum cxlnic_piece_state state)
{
	struct nlattr *nest = nla_nest_start(msg, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(msg, CXLNIC_A_PIECE_KIND, kind) ||
	    nla_put_string(msg, CXLNIC_A_PIECE_NAME, name) ||
	    nla_put_u8(msg, CXLNIC_A_PIECE_STATE, state)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int cxlnic_put_region(struct sk_buff *msg, const struct cxlnic_dev *nic)
{
	const struct cxlnic_topo *topo = &nic->topo;
	const struct cxlnic_piece *piece;
	unsigned int i;

	if (!topo->n_pieces)
		return 0;
	if (nla_put_string(msg, CXLNIC_A_DEV_REGION, topo->region.name) ||
	    nla_put_u64_64bit(msg, CXLNIC_A_DEV_REGION_BASE,
			      topo->region.base, CXLNIC_A_PAD) ||
	    nla_put_u64_64bit(msg, CXLNIC_A_DEV_REGION_SIZE,
			      topo->region.size, CXLNIC_A_PAD) ||
	    nla_put_u8(msg, CXLNIC_A_DEV_DECODER_MODE,
		       topo->region.decoder_mode))
		return -EMSGSIZE;
	for (i = 0; i < topo->n_pieces; i++) {
		piece = &topo->pieces[i];
		if (cxlnic_put_piece(msg, CXLNIC_A_DEV_PIECES, piece->kind,
				     piece->name, cxlnic_piece_state(piece)))
			return -EMSGSIZE;
	}
	return 0;
}

/* A stock NIC has no CTPIO counters of cxlnic's: its netdev has its own. */
static int cxlnic_put_stats(struct sk_buff *msg, struct cxlnic_dev *nic)
{
	struct cxlnic_stats stats = {};
	struct nlattr *nest;

	if (nic->ops)
		nic->ops->get_stats(nic, &stats);
	nest = nla_nest_start(msg, CXLNIC_A_DEV_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, CXLNIC_A_STATS_CXL_BYTES, stats.cxl_bytes,
			      CXLNIC_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, CXLNIC_A_STATS_CXL_PACKETS,
			      stats.cxl_packets, CXLNIC_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, CXLNIC_A_STATS_PCI_BYTES, stats.pci_bytes,
			      CXLNIC_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, CXLNIC_A_STATS_PCI_PACKETS,
			      stats.pci_packets, CXLNIC_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, CXLNIC_A_STATS_FALLBACKS, nic->fallbacks,
			      CXLNIC_A_STATS_PAD) ||
	    nla_put_u64_64bit(msg, CXLNIC_A_STATS_REATTACHES, nic->reattaches,
			      CXLNIC_A_STATS_PAD)) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* Copied while the child is held: its driver may unregister it next. */
static int cxlnic_find_netdev(struct device *dev, void *data)
{
	struct cxlnic_netdev *found = data;
	struct net_device *ndev;

	if (!dev->class || strcmp(dev->class->name, "net"))
		return 0;
	ndev = to_net_dev(dev);
	found->ifindex = ndev->ifindex;
	strscpy(found->ifname, dev_name(dev), sizeof(found->ifname));
	found->up = READ_ONCE(ndev->flags) & IFF_UP;
	return 1;
}

/**
 * cxlnic_netdev_of - the netdev a NIC's driver registered under @dev
 * @dev: the NIC's device (its netdev's parent)
 * @found: filled in when there is one
 *
 * Context: any that may take a spinlock; a snapshot, no lock of the netdev
 * is taken (rtnl may be held by the caller's caller).
 * Return: whether @dev has a netdev.
 */
bool cxlnic_netdev_of(struct device *dev, struct cxlnic_netdev *found)
{
	return device_for_each_child(dev, found, cxlnic_find_netdev);
}

static int cxlnic_put_netdev(struct sk_buff *msg, struct cxlnic_dev *nic)
{
	struct cxlnic_netdev found = {};

	if (!cxlnic_netdev_of(nic->dev, &found))
		return 0;
	if (nla_put_u32(msg, CXLNIC_A_DEV_IFINDEX, found.ifindex) ||
	    nla_put_string(msg, CXLNIC_A_DEV_IFNAME, found.ifname))
		return -EMSGSIZE;
	return 0;
}

/* A stock NIC's driver may be gone: its name was kept when it was bound. */
static const char *cxlnic_driver_name(const struct cxlnic_dev *nic)
{
	return nic->ops ? dev_driver_string(nic->dev) : nic->driver;
}

/* Everything userspace knows about a NIC; the same in replies and events. */
static int cxlnic_fill_dev(struct sk_buff *msg, struct cxlnic_dev *nic)
{
	if (nla_put_u32(msg, CXLNIC_A_DEV_HANDLE, nic->handle) ||
	    nla_put_string(msg, CXLNIC_A_DEV_PCI_ADDR, dev_name(nic->dev)) ||
	    nla_put_string(msg, CXLNIC_A_DEV_DRIVER, cxlnic_driver_name(nic)) ||
	    nla_put_u8(msg, CXLNIC_A_DEV_KIND, nic->kind) ||
	    nla_put_u8(msg, CXLNIC_A_DEV_MODE, nic->mode) ||
	    nla_put_u32(msg, CXLNIC_A_DEV_GENERATION, nic->generation) ||
	    nla_put_u8(msg, CXLNIC_A_DEV_REASON, nic->reason) ||
	    nla_put_u8(msg, CXLNIC_A_DEV_LOSS_REASON, nic->loss_reason))
		return -EMSGSIZE;
	if (nic->loss_piece.kind &&
	    cxlnic_put_piece(msg, CXLNIC_A_DEV_LOSS_PIECE, nic->loss_piece.kind,
			     nic->loss_piece.name, CXLNIC_PIECE_STATE_ABSENT))
		return -EMSGSIZE;
	if (nic->lost && nla_put_flag(msg, CXLNIC_A_DEV_LOST))
		return -EMSGSIZE;
	if (nic->quiesce && nla_put_flag(msg, CXLNIC_A_DEV_QUIESCE))
		return -EMSGSIZE;
	if (nic->link_was_up && nla_put_flag(msg, CXLNIC_A_DEV_LINK_WAS_UP))
		return -EMSGSIZE;
	if (nic->serial &&
	    nla_put_u64_64bit(msg, CXLNIC_A_DEV_SERIAL, nic->serial,
			      CXLNIC_A_PAD))
		return -EMSGSIZE;
	if (cxlnic_put_netdev(msg, nic) || cxlnic_put_region(msg, nic))
		return -EMSGSIZE;
	return cxlnic_put_stats(msg, nic);
}

static struct sk_buff *cxlnic_dev_msg(struct cxlnic_dev *nic, u32 portid,
				      u32 seq, u8 cmd, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, portid, seq, &cxlnic_family, 0, cmd);
	if (!*hdr || cxlnic_fill_dev(msg, nic)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void cxlnic_multicast(struct sk_buff *msg, void *hdr)
{
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&cxlnic_family, msg, 0, CXLNIC_NLGRP_MONITOR,
			  GFP_KERNEL);
}

static bool cxlnic_has_listeners(void)
{
	return genl_has_listeners(&cxlnic_family, &init_net,
				  CXLNIC_NLGRP_MONITOR);
}

void cxlnic_notify_dev(struct cxlnic_dev *nic, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	cxlnic_changed(nic);
	if (!cxlnic_has_listeners())
		return;
	msg = cxlnic_dev_msg(nic, 0, 0, cmd, &hdr);
	if (msg)
		cxlnic_multicast(msg, hdr);
}

void cxlnic_notify_change(struct cxlnic_dev *nic,
			  enum cxlnic_ctpio_mode prev_mode)
{
	struct sk_buff *msg;
	void *hdr;

	cxlnic_changed(nic);
	if (!cxlnic_has_listeners())
		return;
	msg = cxlnic_dev_msg(nic, 0, 0, CXLNIC_CMD_DEV_CHANGE_NTF, &hdr);
	if (!msg)
		return;
	if (nla_put_u8(msg, CXLNIC_A_DEV_PREV_MODE, prev_mode)) {
		nlmsg_free(msg);
		return;
	}
	cxlnic_multicast(msg, hdr);
}

void cxlnic_notify_piece(struct cxlnic_dev *nic,
			 const struct cxlnic_piece *piece,
			 enum cxlnic_piece_event event)
{
	struct sk_buff *msg;
	void *hdr;

	cxlnic_changed(nic);
	if (!cxlnic_has_listeners())
		return;
	msg = cxlnic_dev_msg(nic, 0, 0, CXLNIC_CMD_PIECE_NTF, &hdr);
	if (!msg)
		return;
	if (cxlnic_put_piece(msg, CXLNIC_A_DEV_PIECE, piece->kind, piece->name,
			     cxlnic_piece_state(piece)) ||
	    nla_put_u8(msg, CXLNIC_A_DEV_PIECE_EVENT, event)) {
		nlmsg_free(msg);
		return;
	}
	cxlnic_multicast(msg, hdr);
}

/*
 * The NIC named by the request's handle, with a reference (cxlnic_put()).
 * Its kind and ops are fixed; the rest wants its lock.
 */
static struct cxlnic_dev *cxlnic_nic_from_info(struct genl_info *info)
{
	struct cxlnic_dev *nic;

	/* A missing attribute: its type for tools, a sentence for people. */
	if (GENL_REQ_ATTR_CHECK(info, CXLNIC_A_DEV_HANDLE)) {
		GENL_SET_ERR_MSG(info, "missing NIC handle");
		return ERR_PTR(-EINVAL);
	}
	nic = cxlnic_get_by_handle(nla_get_u32(info->attrs[CXLNIC_A_DEV_HANDLE]));
	if (!nic) {
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[CXLNIC_A_DEV_HANDLE],
				    "no NIC with this handle");
		return ERR_PTR(-ENODEV);
	}
	return nic;
}

/* @nic's lock, unless it left the registry since it was looked up. */
static int cxlnic_nl_lock(struct cxlnic_dev *nic, struct genl_info *info)
{
	if (cxlnic_lock_live(nic))
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CXLNIC_A_DEV_HANDLE],
			    "no NIC with this handle");
	return -ENODEV;
}

static int cxlnic_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cxlnic_dev *nic;
	struct sk_buff *msg;
	void *hdr;
	int rc;

	nic = cxlnic_nic_from_info(info);
	if (IS_ERR(nic))
		return PTR_ERR(nic);
	rc = cxlnic_nl_lock(nic, info);
	if (rc)
		goto out_put;
	msg = cxlnic_dev_msg(nic, info->snd_portid, info->snd_seq,
			     CXLNIC_CMD_DEV_GET, &hdr);
	mutex_unlock(&nic->lock);
	if (!msg) {
		rc = -ENOMEM;
		goto out_put;
	}
	genlmsg_end(msg, hdr);
	rc = genlmsg_reply(msg, info);
out_put:
	cxlnic_put(nic);
	return rc;
}

/* One NIC's dump entry; -EMSGSIZE when it does not fit. */
static int cxlnic_dump_one(struct sk_buff *skb, struct netlink_callback *cb,
			   struct cxlnic_dev *nic)
{
	void *hdr;
	int rc = 0;

	if (!cxlnic_lock_live(nic))
		return 0;	/* gone meanwhile: not in the registry either */
	cb->seq = cxlnic_registry_generation();
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &cxlnic_family, NLM_F_MULTI, CXLNIC_CMD_DEV_GET);
	if (!hdr) {
		rc = -EMSGSIZE;
		goto out;
	}
	genl_dump_check_consistent(cb, hdr);
	rc = cxlnic_fill_dev(skb, nic);
	if (rc)
		genlmsg_cancel(skb, hdr);
	else
		genlmsg_end(skb, hdr);
out:
	mutex_unlock(&nic->lock);
	return rc;
}

/*
 * Each NIC under its own lock, in handle order.  The registry's generation
 * is read for each entry: a change to any NIC since the entry before moves
 * it, and the reader is told that the dump may be torn (NLM_F_DUMP_INTR).
 */
static int cxlnic_nl_dev_get_dumpit(struct sk_buff *skb,
				    struct netlink_callback *cb)
{
	unsigned long index = cb->args[0];
	struct cxlnic_dev *nic;
	int rc;

	for (; (nic = cxlnic_get_next(&index)); index++) {
		rc = cxlnic_dump_one(skb, cb, nic);
		cxlnic_put(nic);
		if (rc)
			break;
	}
	cb->args[0] = index;
	return skb->len;
}

static int cxlnic_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct cxlnic_dev *nic;
	u8 mode;
	int rc;

	if (GENL_REQ_ATTR_CHECK(info, CXLNIC_A_DEV_MODE)) {
		GENL_SET_ERR_MSG(info, "missing CTPIO mode");
		return -EINVAL;
	}
	mode = nla_get_u8(info->attrs[CXLNIC_A_DEV_MODE]);
	nic = cxlnic_nic_from_info(info);
	if (IS_ERR(nic))
		return PTR_ERR(nic);
	rc = cxlnic_check_cooperating(nic, info->extack);
	if (!rc)
		rc = cxlnic_nl_lock(nic, info);
	if (!rc) {
		rc = cxlnic_set_mode(nic, mode, info->extack);
		mutex_unlock(&nic->lock);
	}
	cxlnic_put(nic);
	return rc;
}

/* The request attribute that names a piece of each kind. */
static const int cxlnic_name_attr[] = {
	[CXLNIC_PIECE_REGION] = CXLNIC_A_DEV_REGION,
	[CXLNIC_PIECE_MEMDEV] = CXLNIC_A_DEV_MEMDEV,
	[CXLNIC_PIECE_ENDPOINT] = CXLNIC_A_DEV_ENDPOINT,
	[CXLNIC_PIECE_DECODER] = CXLNIC_A_DEV_DECODER,
};

static void cxlnic_get_name(char *dst, const struct nlattr *attr)
{
	if (attr)
		nla_strscpy(dst, attr, CXLNIC_NAME_MAX);
}

/* Attach, the memdev userspace named being the one the NIC is paired with. */
static int cxlnic_attach_named(struct cxlnic_dev *nic, struct cxlnic_topo *topo,
			       const struct cxlnic_attach_req *req,
			       struct genl_info *info)
{
	u64 serial = cxlnic_topo_serial_of(topo, req->memdev);

	if (*req->memdev && !serial) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[CXLNIC_A_DEV_MEMDEV],
				    "the named memdev has no serial number to pair by");
		return -EINVAL;
	}
	return cxlnic_attach(nic, topo, serial, info->extack);
}

static int cxlnic_nl_region_attach_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	struct cxlnic_attach_req req = {};
	struct cxlnic_topo *topo;
	struct cxlnic_dev *nic;
	int rc;

	if (GENL_REQ_ATTR_CHECK(info, CXLNIC_A_DEV_REGION)) {
		GENL_SET_ERR_MSG(info, "missing CXL region name");
		return -EINVAL;
	}
	cxlnic_get_name(req.region, info->attrs[CXLNIC_A_DEV_REGION]);
	cxlnic_get_name(req.memdev, info->attrs[CXLNIC_A_DEV_MEMDEV]);
	cxlnic_get_name(req.endpoint, info->attrs[CXLNIC_A_DEV_ENDPOINT]);
	cxlnic_get_name(req.decoder, info->attrs[CXLNIC_A_DEV_DECODER]);

	nic = cxlnic_nic_from_info(info);
	if (IS_ERR(nic))
		return PTR_ERR(nic);
	rc = cxlnic_check_cooperating(nic, info->extack);
	if (rc)
		goto out_put;
	topo = kzalloc(sizeof(*topo), GFP_KERNEL);
	if (!topo) {
		rc = -ENOMEM;
		goto out_put;
	}
	/* Without our locks: cxlnic_attach() checks the chain again. */
	rc = cxlnic_topo_resolve(&req, topo, info->extack);
	if (rc) {
		if (req.bad)
			NL_SET_BAD_ATTR(info->extack,
					info->attrs[cxlnic_name_attr[req.bad]]);
		goto out_free;
	}
	rc = cxlnic_nl_lock(nic, info);
	if (!rc) {
		rc = cxlnic_attach_named(nic, topo, &req, info);
		mutex_unlock(&nic->lock);
	}
	if (rc)
		cxlnic_topo_put(topo);
out_free:
	kfree(topo);
out_put:
	cxlnic_put(nic);
	return rc;
}

static int cxlnic_nl_region_detach_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	struct cxlnic_dev *nic;
	int rc = 0;

	nic = cxlnic_nic_from_info(info);
	if (IS_ERR(nic))
		return PTR_ERR(nic);
	rc = cxlnic_check_cooperating(nic, info->extack);
	if (!rc)
		rc = cxlnic_nl_lock(nic, info);
	if (!rc) {
		cxlnic_region_detach(nic);
		mutex_unlock(&nic->lock);
	}
	cxlnic_put(nic);
	return rc;
}

static const struct genl_ops cxlnic_ops[] = {
	{
		.cmd = CXLNIC_CMD_DEV_GET,
		.doit = cxlnic_nl_dev_get_doit,
		.dumpit = cxlnic_nl_dev_get_dumpit,
		.policy = cxlnic_handle_policy,
		.maxattr = ARRAY_SIZE(cxlnic_handle_policy) - 1,
	},
	{
		.cmd = CXLNIC_CMD_DEV_SET,
		.doit = cxlnic_nl_dev_set_doit,
		.policy = cxlnic_dev_set_policy,
		.maxattr = ARRAY_SIZE(cxlnic_dev_set_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CXLNIC_CMD_REGION_ATTACH,
		.doit = cxlnic_nl_region_attach_doit,
		.policy = cxlnic_attach_policy,
		.maxattr = ARRAY_SIZE(cxlnic_attach_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = CXLNIC_CMD_REGION_DETACH,
		.doit = cxlnic_nl_region_detach_doit,
		.policy = cxlnic_handle_policy,
		.maxattr = ARRAY_SIZE(cxlnic_handle_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family cxlnic_family __ro_after_init = {
	.name = CXLNIC_FAMILY_NAME,
	.version = CXLNIC_FAMILY_VERSION,
	.module = THIS_MODULE,
	.ops = cxlnic_ops,
	.n_ops = ARRAY_SIZE(cxlnic_ops),
	.mcgrps = cxlnic_mcgrps,
	.n_mcgrps = ARRAY_SIZE(cxlnic_mcgrps),
	/* Our own locks serialize the ops; genl_mutex need not be held. */
	.parallel_ops = true,
	/* resv_start_op stays 0: every command is strictly validated. */
};

int cxlnic_netlink_init(void)
{
	return genl_register_family(&cxlnic_family);
}

void cxlnic_netlink_exit(void)
{
	genl_unregister_family(&cxlnic_family);
}
