// SPDX-License-Identifier: GPL-2.0-only
/*
 * PCI addresses in the kernel's spelling.  libc only, no netlink: the
 * completion's generator builds daemon/config.c with it for the build
 * machine, where the family's libraries need not be.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cxlnic_pci.h"

int cxlnic_pci_addr_normalize(const char *in, char *out, size_t len)
{
	unsigned int dom = 0, bus, dev, fn;
	int n = -1;

	if (strspn(in, "0123456789abcdefABCDEF:.") != strlen(in))
		return -EINVAL;
	if (sscanf(in, "%4x:%2x:%2x.%1u%n", &dom, &bus, &dev, &fn, &n) != 4 ||
	    (size_t)n != strlen(in)) {
		n = -1;
		dom = 0;
		if (sscanf(in, "%2x:%2x.%1u%n", &bus, &dev, &fn, &n) != 3 ||
		    (size_t)n != strlen(in))
			return -EINVAL;
	}
	if (dev > 0x1f || fn > 7)
		return -EINVAL;
	if ((size_t)snprintf(out, len, "%04x:%02x:%02x.%u", dom, bus, dev, fn) >=
	    len)
		return -ENAMETOOLONG;
	return 0;
}

/* Both in the kernel's spelling, so that "00:04.0" is 0000:00:04.0. */
bool cxlnic_pci_addr_matches(const char *pci_addr, const char *name)
{
	char a[CXLNIC_PCI_ADDR_LEN], b[CXLNIC_PCI_ADDR_LEN];

	return !cxlnic_pci_addr_normalize(pci_addr, a, sizeof(a)) &&
	       !cxlnic_pci_addr_normalize(name, b, sizeof(b)) &&
	       !strcmp(a, b);
}
