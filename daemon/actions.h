/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Recovery actions that go through sysfs: driver bind and unbind, PCI
 * function reset, region deletion.  Each returns 0 or a negative errno.
 */
#ifndef CXLNICD_ACTIONS_H
#define CXLNICD_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* Root of sysfs; tests may point it elsewhere. */
extern const char *sysfs_root;

int action_bind_memdev(const char *memdev);
/* cxl_pci unbind, PCI function reset, cxl_pci bind (even if the reset failed). */
int action_reset_memdev(const char *pci_host);
/* cxl_pci bind of a memdev's PCI function: finishes an interrupted reset. */
int action_bind_memdev_host(const char *pci_host);
int action_delete_region(const char *root_decoder, const char *region);
/*
 * Release the NIC's driver; its name is saved in @driver.  Returns once
 * the CXL core's work that the unbind queued has run, so that a bind
 * after it stays bound.
 */
int action_unbind_nic(const char *pci_addr, char *driver, size_t len);
int action_bind_nic(const char *pci_addr, const char *driver);
/*
 * A hold on the NIC's PCI function: its driver_override set to a driver
 * that does not exist, so that no probe (an autoprobe, a new module, an
 * operator's bind) binds it; its value before is saved in @saved ("": none).
 */
int action_hold_nic(const char *pci_addr, char *saved, size_t len);
/* The hold ends: driver_override is @saved again. */
int action_release_hold(const char *pci_addr, const char *saved);
/* Whether the PCI function is still there (not hot-removed). */
bool action_pci_function_exists(const char *pci_addr);

/* What a held function's driver_override says: no driver has the name. */
#define HOLD_OVERRIDE "cxlnicd-held"

#endif
