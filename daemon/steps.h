/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * steps.c, for recover.c: taking the step a plan chose.
 */
#ifndef CXLNICD_STEPS_H
#define CXLNICD_STEPS_H

#include "daemon.h"
#include "policy.h"
#include "topology.h"

/*
 * Record @step in the state file, take it on @names, record that it is
 * over and note how it went.  0 or -errno.
 */
int run_step(struct daemon *d, struct nic *nic, enum step step,
	     const struct nic_policy *p, const struct chain_names *names);

#endif
