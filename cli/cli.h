/* SPDX-License-Identifier: GPL-2.0-only */
/* What cxlnicctl's command files share: option parsing and error lines. */
#ifndef CXLNICCTL_CLI_H
#define CXLNICCTL_CLI_H

#include <stdbool.h>

#include <json-c/json.h>

/* Options with a short form are their letter, as ip's and devlink's -j. */
enum { OPT_JSON = 'j', OPT_MEMDEV = 256, OPT_ENDPOINT, OPT_DECODER,
       OPT_COUNT, OPT_TIMEOUT, OPT_MODE, OPT_STATE, OPT_KIND };

struct opts {
	bool json;
	bool verbose;
	const char *memdev;
	const char *endpoint;
	const char *decoder;
	const char *mode;	/* list's filters, checked by filter.c */
	const char *state;
	const char *kind;
	long count;
	long timeout;
};

/* The command being run, for error lines. */
extern const char *cmd_name;

/* "cxlnicctl: COMMAND: message" on stderr. */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * Parse options; @allowed lists the option values this command takes.
 * Returns the index of the first operand, or -1 after a usage error (the
 * message is printed).
 */
int parse_opts(int argc, char **argv, const int *allowed, struct opts *o);
/* Print the usage line; returns EXIT_USAGE. */
int usage_error(const char *usage);

/* Commands served by cxlnicd (daemon_cmds.c). */
int cmd_status(int argc, char **argv);
int cmd_policy(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_unbind(int argc, char **argv);
int cmd_bind(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_reload(int argc, char **argv);
/* cxlnicd's NICs: 0 with the array in @list, or the exit code (reported). */
int daemon_list(struct json_object **list);
/* The state (enum nic_status) cxlnicd gives @pci_addr in @list, or -1. */
int daemon_state_of(struct json_object *list, const char *pci_addr);
/* For monitor: cxlnicd's feed, or NULL when it does not run. */
struct cxlnic_ctl *daemon_monitor_open(void);
/* Print what was already read from cxlnicd; false once it has gone. */
bool daemon_monitor_drain(struct cxlnic_ctl *ctl, bool json, long *seen,
			  long limit);
/* Read from the feed, then print as above. */
bool daemon_monitor_read(struct cxlnic_ctl *ctl, bool json, long *seen,
			 long limit);

#endif
