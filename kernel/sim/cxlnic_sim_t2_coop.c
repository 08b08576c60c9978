// SPDX-License-Identifier: GPL-2.0-only
/* The emulated Type 2 NIC with the quiesce op a cooperating sfc would give. */
#define SIM_T2_COOPERATING 1
#include "cxlnic_sim_t2.c"
