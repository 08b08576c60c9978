/* SPDX-License-Identifier: GPL-2.0-only */
/* PCI addresses as a user writes them and as the kernel does. */
#ifndef CXLNIC_PCI_H
#define CXLNIC_PCI_H

#include <stdbool.h>
#include <stddef.h>

/* @name is @pci_addr, in either spelling ("00:04.0" is 0000:00:04.0). */
bool cxlnic_pci_addr_matches(const char *pci_addr, const char *name);
/*
 * A PCI address as the kernel writes it (0000:00:06.0, lower case) from
 * one as a user may (00:06.0 in domain 0, hex digits in either case):
 * 0, -EINVAL when @in is no PCI address, -ENAMETOOLONG when @len is short.
 */
#define CXLNIC_PCI_ADDR_LEN	sizeof("0000:00:00.0")
int cxlnic_pci_addr_normalize(const char *in, char *out, size_t len);

#endif
