/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Stock NICs (kind stock, as sfc on 7.3): what the recovery engine needs
 * to know of one before policy_stock_next_step(), and what it checks after
 * it bound the NIC's driver again.
 */
#ifndef CXLNICD_STOCK_H
#define CXLNICD_STOCK_H

#include <stdbool.h>

#include "daemon.h"
#include "policy.h"

/*
 * How long a region may take to bind after its NIC's probe before cxlnicd
 * concludes that the platform did not keep it.
 */
#define STOCK_REGION_SETTLE_MS	2000

bool nic_is_stock(const struct nic *nic);
/* Whether the family says @nic lost CXL and has not had it back. */
bool stock_lost(const struct nic *nic);
/*
 * The family's view of @nic and the chain above its memdev (libcxl: its
 * ports by the names the family kept).  0 or -errno.
 */
int stock_view_of(struct daemon *d, struct nic *nic, struct stock_view *s);
/*
 * After a bind of @nic's driver (on its chain, @chain_whole, or not): the
 * family's view again, and the start of the wait for its region.
 */
int stock_after_bind(struct daemon *d, struct nic *nic, bool chain_whole);

#endif
