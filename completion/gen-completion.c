// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes the bash completion from its template, with cxlnicd's policy keys
 * and their values from config.c's table in place of the @POLICY_KEYS@
 * line: the completion offers what the daemon accepts, and no one keeps a
 * second list of them.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"

#define MARKER "@POLICY_KEYS@\n"

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

int main(int argc, char **argv)
{
	char line[512];
	FILE *in;
	int markers = 0;

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
		if (strcmp(line, MARKER)) {
			fputs(line, stdout);
			continue;
		}
		print_policy_functions(stdout);
		markers++;
	}
	fclose(in);
	/* A template that lost its marker would give a completion without keys. */
	if (markers != 1) {
		fprintf(stderr, "%s: expected one %s line, found %d\n", argv[1],
			"@POLICY_KEYS@", markers);
		return 1;
	}
	return ferror(stdout) || fflush(stdout) ? 1 : 0;
}
