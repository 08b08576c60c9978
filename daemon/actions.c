// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "policy.h"
#include "fault.h"

const char *sysfs_root = "/sys";

static int write_file(const char *path, const char *value)
{
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != strlen(value))
		rc = -EIO;
	close(fd);
	return rc;
}

static int write_attr(const char *value, const char *fmt, const char *a,
		      const char *b)
{
	char path[PATH_MAX];

	if (fault_check(FAULT_SYSFS_WRITE))
		return -EIO;
	snprintf(path, sizeof(path), fmt, sysfs_root, a, b);
	return write_file(path, value);
}

/*
 * Waits for the CXL core's queued work (cxl_bus_wq) to run.  Unbinding a
 * Type 2 driver tears its endpoint port down, and that queues
 * detach_memdev(), which releases the driver of the memdev's parent, the
 * NIC's PCI function, once the unbind lets go of its lock: whatever is
 * bound to it by then (7.3; seen to release an immediate bind).  A best
 * effort, outside the fault points: without the CXL core loaded there is
 * no such work, and an error leaves the bind to the race it had before.
 */
static void flush_cxl_bus(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bus/cxl/flush", sysfs_root);
	(void)write_file(path, "1");
}

int action_bind_memdev(const char *memdev)
{
	return write_attr(memdev, "%s/bus/cxl/drivers/%s/bind", "cxl_mem", "");
}

int action_bind_memdev_host(const char *host)
{
	return write_attr(host, "%s/bus/pci/drivers/%s/bind", "cxl_pci", "");
}

/*
 * cxl_pci is bound again whether or not the reset worked (a function may
 * have no reset method, or refuse it): the memdev must not stay without a
 * driver because a reset failed.  The first error is the one returned.
 */
int action_reset_memdev(const char *host)
{
	int rc, bind_rc;

	/*
	 * Unbinding fails with ENODEV when cxl_pci is not bound: carry on to
	 * the reset.  Any other failure leaves cxl_pci bound, and a function
	 * is never reset under its driver.
	 */
	rc = write_attr(host, "%s/bus/pci/drivers/%s/unbind", "cxl_pci", "");
	if (!policy_reset_may_follow(rc))
		return rc;
	fault_crash_at("reset-memdev-unbind");
	rc = write_attr("1", "%s/bus/pci/devices/%s/reset", host, "");
	bind_rc = action_bind_memdev_host(host);
	return rc ? rc : bind_rc;
}

int action_delete_region(const char *root_decoder, const char *region)
{
	return write_attr(region, "%s/bus/cxl/devices/%s/delete_region",
			  root_decoder, "");
}

int action_unbind_nic(const char *pci_addr, char *driver, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *slash;
	ssize_t n;
	int rc;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver",
		 sysfs_root, pci_addr);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	slash = strrchr(target, '/');
	snprintf(driver, len, "%s", slash ? slash + 1 : target);
	rc = write_attr(pci_addr, "%s/bus/pci/drivers/%s/unbind", driver, "");
	if (!rc)
		flush_cxl_bus();
	return rc;
}

int action_bind_nic(const char *pci_addr, const char *driver)
{
	return write_attr(pci_addr, "%s/bus/pci/drivers/%s/bind", driver, "");
}

static int read_override(const char *pci_addr, char *value, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/driver_override",
		 sysfs_root, pci_addr);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(value, (int)len, f))
		rc = -EIO;
	fclose(f);
	if (rc)
		return rc;
	value[strcspn(value, "\n")] = '\0';
	/* The kernel's word for none. */
	if (!strcmp(value, "(null)"))
		value[0] = '\0';
	return 0;
}

int action_hold_nic(const char *pci_addr, char *saved, size_t len)
{
	int rc = read_override(pci_addr, saved, len);

	if (rc)
		return rc;
	/* Held already (a restart): what it was before is already saved. */
	if (!strcmp(saved, HOLD_OVERRIDE))
		return -EALREADY;
	return write_attr(HOLD_OVERRIDE, "%s/bus/pci/devices/%s/driver_override",
			  pci_addr, "");
}

int action_release_hold(const char *pci_addr, const char *saved)
{
	/* A newline alone clears it. */
	return write_attr(saved[0] ? saved : "\n",
			  "%s/bus/pci/devices/%s/driver_override", pci_addr, "");
}

bool action_pci_function_exists(const char *pci_addr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", sysfs_root,
		 pci_addr);
	return !access(path, F_OK);
}
