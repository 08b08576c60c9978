// SPDX-License-Identifier: GPL-2.0-only
/* The emulated NIC with a fixed CTPIO window: the benchmark's peer. */
#define CXLNIC_SIM_FIXED_WINDOW 1
#include "cxlnic_sim.c"
