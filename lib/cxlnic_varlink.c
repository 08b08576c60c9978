// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <string.h>

#include "cxlnic_names.h"
#include "cxlnic_varlink.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* In the order of enum cxlnic_param's bits. */
static const struct cxlnic_param_desc params[] = {
	{ "nic", "string", "a PCI address (long or short form), a handle or a netdev name" },
	{ "key", "string", "a policy key of cxlnicd.conf(5)" },
	{ "value", "string", "its value as cxlnicd.conf(5) writes it, or \"default\"" },
	{ "limit", "int", "the newest entries only; 0 or none: all" },
};

/*
 * The shapes of the objects are in docs/json.md ("cxlnicd's control
 * socket"): the description says "object" and points there rather than
 * repeating them.
 */
static const struct cxlnic_method_desc methods[CXLNIC_M_NR] = {
	[CXLNIC_M_STATUS] = { "Status", false, false, 0, 0, "daemon",
		"(daemon: object)", "The daemon itself." },
	[CXLNIC_M_LIST] = { "List", false, false, 0, 0, "nics",
		"(nics: []object)", "Every NIC cxlnicd knows." },
	[CXLNIC_M_SHOW] = { "Show", false, false, CXLNIC_P_NIC, 0, "nic",
		"(nic: object)", "One NIC." },
	[CXLNIC_M_POLICY] = { "Policy", false, false, CXLNIC_P_NIC, 0,
		"policy", "(policy: object)", "A NIC's effective policy." },
	[CXLNIC_M_SET_POLICY] = { "SetPolicy", true, false,
		CXLNIC_P_NIC | CXLNIC_P_KEY | CXLNIC_P_VALUE, 0, "nic",
		"(nic: object)",
		"Change a key of a NIC's policy at run time, kept across restarts (root)." },
	[CXLNIC_M_RECOVER] = { "Recover", true, false, CXLNIC_P_NIC, 0, "nic",
		"(nic: object)",
		"Recover a NIC now, whatever its policy's recovery (root)." },
	[CXLNIC_M_UNBIND] = { "Unbind", true, false, CXLNIC_P_NIC, 0, "nic",
		"(nic: object)",
		"Unbind a NIC's driver and hold it unbound until Bind (root)." },
	[CXLNIC_M_BIND] = { "Bind", true, false, CXLNIC_P_NIC, 0, "nic",
		"(nic: object)", "Bind a NIC's driver again (root)." },
	[CXLNIC_M_HISTORY] = { "History", false, false, 0,
		CXLNIC_P_NIC | CXLNIC_P_LIMIT, "entries", "(entries: []object)",
		"The history ring, oldest first, of one NIC or all." },
	[CXLNIC_M_MONITOR] = { "Monitor", false, true, 0, 0, "entry",
		"(ready: ?bool, entry: ?object)",
		"Call with more: first ready, then every new history entry." },
	[CXLNIC_M_RELOAD] = { "Reload", true, false, 0, 0, "daemon",
		"(daemon: object)",
		"Read the configuration again, as SIGHUP does (root)." },
};

/*
 * Errno to name goes to the first entry of the errno; name to errno finds
 * the entry of the name.  org.varlink.service's errors are read back too.
 */
const struct cxlnic_error_desc cxlnic_errors[] = {
	{ EINVAL, CXLNIC_VARLINK_INTERFACE ".InvalidValue",
	  "A value cxlnicd does not take: a policy key or value; at Reload, the configuration (the message names its file and line)." },
	{ ENODEV, CXLNIC_VARLINK_INTERFACE ".NoSuchNic",
	  "No NIC by that PCI address, handle or netdev name." },
	{ EBUSY, CXLNIC_VARLINK_INTERFACE ".Held",
	  "The NIC was unbound on request: Bind it first." },
	{ EAGAIN, CXLNIC_VARLINK_INTERFACE ".Busy",
	  "Busy: no room for another connection (sent at once, then closed), or a step that could not be taken yet; try again." },
	{ ETIMEDOUT, CXLNIC_VARLINK_INTERFACE ".IdleTimeout",
	  "No call within the idle timeout of cxlnicd(8): the connection is closed." },
	{ ENOENT, CXLNIC_VARLINK_INTERFACE ".NoSuchGroup",
	  "Reload: the configuration's read_group does not exist." },
	{ ENOSPC, CXLNIC_VARLINK_INTERFACE ".TooManyChanges",
	  "The NIC has as many run-time policy changes as cxlnicd keeps." },
	{ EPROTO, CXLNIC_VARLINK_INTERFACE ".BadMessage",
	  "A message that is no call: not one JSON object, or no method, or a member varlink does not have." },
	{ 0, CXLNIC_VARLINK_SYSTEM_ERROR,
	  "Any other failure; errno names it (EIO, ELOOP: a recovery that did not converge, ...)." },
	/* Not io.cxlnic.Daemon's own: the service interface's. */
	{ EPERM, CXLNIC_VARLINK_SERVICE_ERROR("PermissionDenied"), NULL },
	{ EACCES, CXLNIC_VARLINK_SERVICE_ERROR("PermissionDenied"), NULL },
	{ EINVAL, CXLNIC_VARLINK_SERVICE_ERROR("InvalidParameter"), NULL },
	{ EINVAL, CXLNIC_VARLINK_SERVICE_ERROR("MethodNotFound"), NULL },
	{ EINVAL, CXLNIC_VARLINK_SERVICE_ERROR("InterfaceNotFound"), NULL },
	{ EINVAL, CXLNIC_VARLINK_SERVICE_ERROR("ExpectedMore"), NULL },
	{ 0, NULL, NULL },
};

const struct cxlnic_method_desc *cxlnic_method_desc(enum cxlnic_method m)
{
	return (unsigned int)m < CXLNIC_M_NR ? &methods[m] : NULL;
}

const struct cxlnic_param_desc *cxlnic_param_desc(unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(params); i++)
		if (bit == 1u << i)
			return &params[i];
	return NULL;
}

int cxlnic_method_find(const char *qualified)
{
	size_t n = strlen(CXLNIC_VARLINK_INTERFACE);
	unsigned int i;

	if (!qualified || strncmp(qualified, CXLNIC_VARLINK_INTERFACE, n) ||
	    qualified[n] != '.')
		return -1;
	for (i = 0; i < CXLNIC_M_NR; i++)
		if (!strcmp(methods[i].name, qualified + n + 1))
			return (int)i;
	return -1;
}

const char *cxlnic_error_name(int err)
{
	const struct cxlnic_error_desc *e;

	if (err < 0)
		err = -err;
	for (e = cxlnic_errors; e->name; e++)
		if (e->errno_value == err)
			return e->name;
	return CXLNIC_VARLINK_SYSTEM_ERROR;
}

int cxlnic_error_errno(const char *name, const char *errno_name)
{
	const struct cxlnic_error_desc *e;

	if (name && !strcmp(name, CXLNIC_VARLINK_SYSTEM_ERROR))
		return cxlnic_errno_from_name(errno_name);
	for (e = cxlnic_errors; name && e->name; e++)
		if (!strcmp(e->name, name))
			return -e->errno_value;
	return -EIO;
}
