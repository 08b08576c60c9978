// SPDX-License-Identifier: GPL-2.0-only
/*
 * Print the interface descriptions cxlnicd serves, as GetInfo lists them
 * and GetInterfaceDescription gives them, one file per interface into
 * DIR: for scripts/varlink-idl-test.sh, which has systemd's varlinkctl
 * check them.
 *   varlink-describe DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"
#include "control_service.h"

/* A reply of cxlnicd's for @call, parsed; exits on a refusal. */
static struct json_object *ask(const char *call)
{
	struct control_refusal why;
	struct control_request req;
	struct json_object *reply;
	char *text;

	if (control_parse_request(call, strlen(call), &req, &why)) {
		fprintf(stderr, "varlink-describe: %s: %s\n", call,
			why.message);
		exit(1);
	}
	text = control_reply_service(&req);
	reply = text ? json_tokener_parse(text) : NULL;
	free(text);
	if (!reply || json_object_object_get(reply, "error")) {
		fprintf(stderr, "varlink-describe: %s: refused\n", call);
		exit(1);
	}
	return reply;
}

static void describe(const char *dir, const char *interface)
{
	struct json_object *reply;
	char call[256], path[512];
	FILE *f;

	snprintf(call, sizeof(call),
		 "{\"method\":\"%s.GetInterfaceDescription\","
		 "\"parameters\":{\"interface\":\"%s\"}}",
		 CXLNIC_VARLINK_SERVICE, interface);
	reply = ask(call);
	snprintf(path, sizeof(path), "%s/%s.varlink", dir, interface);
	f = fopen(path, "w");
	if (!f || fputs(json_object_get_string(json_object_object_get(
		  json_object_object_get(reply, "parameters"), "description")),
		  f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
	puts(path);
	json_object_put(reply);
}

int main(int argc, char **argv)
{
	struct json_object *info, *ifaces;
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: varlink-describe DIR\n");
		return 2;
	}
	info = ask("{\"method\":\"" CXLNIC_VARLINK_SERVICE ".GetInfo\"}");
	ifaces = json_object_object_get(json_object_object_get(info,
				"parameters"), "interfaces");
	for (i = 0; i < json_object_array_length(ifaces); i++)
		describe(argv[1], json_object_get_string(
			 json_object_array_get_idx(ifaces, i)));
	json_object_put(info);
	return 0;
}
