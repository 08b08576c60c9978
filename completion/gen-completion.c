// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the bash completion from its template, with cxlnicd's policy keys
 * and their values from config.c's table in place of the @POLICY_KEYS@
 * line, and the values of cxlnicctl list's filters from cli/filter.c's in
 * place of @FILTER_VALUES@: the completion offers what the programs
 * accept, and no one keeps a second list of them.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "filter.h"

static void print_policy_functions(FILE *out)
{
	const char *key, *value;
	unsigned int i, v;

	fprintf(out, "# Generated from the policy keys of cxlnicd (daemon/config.c).\n"
		"_cxlnicctl_policy_keys()\n{\n\techo \"");
	for (i = 0; (key = config_key_name(i)); i++)
		fprintf(out, "%s%s", i ? " " : "", key);
	fprintf(out, "\"\n}\n\n"
		"# The values of policy key $1 by name (none for a number).\n"
		"_cxlnicctl_policy_values()\n{\n\tcase $1 in\n");
	for (i = 0; (key = config_key_name(i)); i++) {
		if (!config_key_value_name(i, 0))
			continue;
		fprintf(out, "\t%s) echo \"", key);
		for (v = 0; (value = config_key_value_name(i, v)); v++)
			fprintf(out, "%s%s", v ? " " : "", value);
		fprintf(out, "\" ;;\n");
	}
	fprintf(out, "\tesac\n}\n");
}

static void print_filter_functions(FILE *out)
{
	const char *option, *value;
	unsigned int i, v;

	fprintf(out, "# Generated from cxlnicctl list's filters (cli/filter.c).\n"
		"# The values of filter option $1 (\"--mode\").\n"
		"_cxlnicctl_filter_values()\n{\n\tcase $1 in\n");
	for (i = 0; (option = filter_named_option(i)); i++) {
		fprintf(out, "\t--%s) echo \"", option);
		for (v = 0; (value = filter_value_name(option, v)); v++)
			fprintf(out, "%s%s", v ? " " : "", value);
		fprintf(out, "\" ;;\n");
	}
	fprintf(out, "\tesac\n}\n");
}

/* Each marker line of the template, and what replaces it. */
static const struct {
	const char *line;
	void (*print)(FILE *out);
} markers[] = {
	{ "@POLICY_KEYS@\n", print_policy_functions },
	{ "@FILTER_VALUES@\n", print_filter_functions },
};

#define N_MARKERS (sizeof(markers) / sizeof(markers[0]))

/* The marker @line is, or -1. */
static int marker_of(const char *line)
{
	unsigned int i;

	for (i = 0; i < N_MARKERS; i++)
		if (!strcmp(line, markers[i].line))
			return (int)i;
	return -1;
}

int main(int argc, char **argv)
{
	int seen[N_MARKERS] = { 0 };
	unsigned int i;
	char line[512];
	FILE *in;
	int m;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TEMPLATE > COMPLETION\n", argv[0]);
		return 2;
	}
	in = fopen(argv[1], "r");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	while (fgets(line, sizeof(line), in)) {
		m = marker_of(line);
		if (m < 0) {
			fputs(line, stdout);
			continue;
		}
		markers[m].print(stdout);
		seen[m]++;
	}
	fclose(in);
	/* A template that lost a marker would give a completion without it. */
	for (i = 0; i < N_MARKERS; i++) {
		if (seen[i] != 1) {
			fprintf(stderr, "%s: expected one %.*s line, found %d\n",
				argv[1], (int)strlen(markers[i].line) - 1,
				markers[i].line, seen[i]);
			return 1;
		}
	}
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
