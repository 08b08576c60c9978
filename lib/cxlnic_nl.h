/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Client of the cxlnic generic netlink family (libnl-genl-3).  Requests go
 * on one socket, notifications arrive on another (struct cxlnic_monitor), so
 * a burst of events never gets between a request and its answer.
 *
 * Functions return 0 or a negative errno from the kernel; the kernel's
 * extack message, when there was one, is in cxlnic_client_extack().
 */
#ifndef CXLNIC_NL_H
#define CXLNIC_NL_H

#include "cxlnic_dev.h"

/* The family is not registered: cxlnic.ko is not loaded. */
#define CXLNIC_ENOMODULE	1000

struct cxlnic_client;
struct cxlnic_monitor;

struct cxlnic_attach_args {
	const char *region;
	const char *memdev;	/* NULL when not given */
	const char *endpoint;
	const char *decoder;
};

int cxlnic_client_open(struct cxlnic_client **out);
/*
 * Ask nlctrl for the family's id again: a reload of cxlnic.ko gives it a
 * new one, and requests with the old one fail with ENOENT (or reach
 * another family).  1 when the id changed, 0 when not, -CXLNIC_ENOMODULE
 * while the family is not registered.
 */
int cxlnic_client_resolve(struct cxlnic_client *c);
void cxlnic_client_close(struct cxlnic_client *c);
const char *cxlnic_client_extack(const struct cxlnic_client *c);
/*
 * The byte offset, from the start of the request's netlink header, of the
 * attribute the kernel's extack blamed in the last request; 0 when none.
 */
uint32_t cxlnic_client_bad_attr_offset(const struct cxlnic_client *c);
const char *cxlnic_strerror(int err);

int cxlnic_dev_get(struct cxlnic_client *c, uint32_t handle,
		   struct cxlnic_dev_info *dev);
/* Retries a dump the kernel marked as interrupted (NLM_F_DUMP_INTR). */
int cxlnic_dev_dump(struct cxlnic_client *c, struct cxlnic_dev_list *list);
int cxlnic_dev_set_mode(struct cxlnic_client *c, uint32_t handle,
			uint8_t mode);
int cxlnic_region_attach(struct cxlnic_client *c, uint32_t handle,
			 const struct cxlnic_attach_args *args);
int cxlnic_region_detach(struct cxlnic_client *c, uint32_t handle);

/*
 * A request built by hand (for tests that send malformed ones): add
 * attributes with nla_put_*(), then send it; the message is consumed.
 */
struct nl_msg;
struct nl_msg *cxlnic_request_new(struct cxlnic_client *c, uint8_t cmd,
				  int flags);
int cxlnic_request_send(struct cxlnic_client *c, struct nl_msg *msg);

typedef void (*cxlnic_event_fn)(const struct cxlnic_dev_info *event,
				void *arg);

/* @rcvbuf: receive buffer in bytes, 0 for the default (4 MiB). */
int cxlnic_monitor_open(struct cxlnic_monitor **out, int rcvbuf);
/*
 * Join the family's group again, with its number asked for anew: an
 * unregistered family takes its group's memberships with it, and a new
 * registration may give the group another number.
 */
int cxlnic_monitor_rejoin(struct cxlnic_monitor *m);

/* What nlctrl said of the cxlnic family. */
enum cxlnic_family_change {
	CXLNIC_FAMILY_NONE,	/* nothing: another family, or another notice */
	CXLNIC_FAMILY_GONE,	/* unregistered: cxlnic.ko unloaded */
	CXLNIC_FAMILY_BACK,	/* registered (again): cxlnic.ko loaded */
};
struct nlmsghdr;
enum cxlnic_family_change cxlnic_family_change_of(struct nlmsghdr *nlh);

typedef void (*cxlnic_family_fn)(enum cxlnic_family_change change, void *arg);
/*
 * Also follow nlctrl's family notices on the monitor socket:
 * cxlnic_monitor_recv() then calls @fn when the family goes or comes.
 */
int cxlnic_monitor_follow_family(struct cxlnic_monitor *m, cxlnic_family_fn fn,
				 void *arg);
void cxlnic_monitor_close(struct cxlnic_monitor *m);
int cxlnic_monitor_fd(const struct cxlnic_monitor *m);
/*
 * Read what is queued (the socket is non-blocking) and call @fn per event.
 * Returns 0, or -ENOBUFS when the kernel dropped events: the caller must
 * re-dump, since its view is stale.
 */
int cxlnic_monitor_recv(struct cxlnic_monitor *m, cxlnic_event_fn fn,
			void *arg);

#endif
