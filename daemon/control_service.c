// SPDX-License-Identifier: GPL-2.0-only
/*
 * org.varlink.service, as cxlnicd answers it: GetInfo, and the interface
 * descriptions, io.cxlnic.Daemon's made from lib/cxlnic_varlink.c's
 * tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"
#include "control_service.h"

/*
 * org.varlink.service: varlink.org's service interface, with the two
 * errors systemd's sd-varlink adds to it.
 */
static const char service_description[] =
	"# What every varlink service answers: who it is and what it serves.\n"
	"interface org.varlink.service\n"
	"\n"
	"# The service, and the interfaces it serves.\n"
	"method GetInfo() -> (\n"
	"\tvendor: string,\n"
	"\tproduct: string,\n"
	"\tversion: string,\n"
	"\turl: string,\n"
	"\tinterfaces: []string\n"
	")\n"
	"\n"
	"# One of those interfaces, described.\n"
	"method GetInterfaceDescription(interface: string) -> (description: string)\n"
	"\n"
	"# The service serves no such interface.\n"
	"error InterfaceNotFound(interface: string)\n"
	"\n"
	"# The interface has no such method.\n"
	"error MethodNotFound(method: string)\n"
	"\n"
	"# The interface has the method, the service does not do it.\n"
	"error MethodNotImplemented(method: string)\n"
	"\n"
	"# A parameter is missing, unknown, or of the wrong type or value.\n"
	"error InvalidParameter(parameter: string)\n"
	"\n"
	"# The caller may not call this.\n"
	"error PermissionDenied()\n"
	"\n"
	"# The method streams its replies: call it with more set.\n"
	"error ExpectedMore()\n";

static char *reply_info(void)
{
	struct json_object *p = json_object_new_object();
	struct json_object *ifaces = json_object_new_array();

	json_object_object_add(p, "vendor", json_object_new_string("cxlnic"));
	json_object_object_add(p, "product", json_object_new_string("cxlnicd"));
	json_object_object_add(p, "version",
			       json_object_new_string(CXLNIC_VERSION));
	json_object_object_add(p, "url",
			       json_object_new_string("man:cxlnicd(8)"));
	json_object_array_add(ifaces,
			      json_object_new_string(CXLNIC_VARLINK_SERVICE));
	json_object_array_add(ifaces,
			      json_object_new_string(CXLNIC_VARLINK_INTERFACE));
	json_object_object_add(p, "interfaces", ifaces);
	return control_reply_parameters(p, false);
}

static char *reply_description(const char *interface)
{
	struct json_object *p;
	char *text;

	if (!strcmp(interface, CXLNIC_VARLINK_SERVICE)) {
		text = strdup(service_description);
	} else if (!strcmp(interface, CXLNIC_VARLINK_INTERFACE)) {
		text = control_interface_description();
	} else {
		p = json_object_new_object();
		json_object_object_add(p, "interface",
				       json_object_new_string(interface));
		return control_reply_named_error(
			CXLNIC_VARLINK_SERVICE_ERROR("InterfaceNotFound"), p);
	}
	if (!text)
		return NULL;
	p = json_object_new_object();
	json_object_object_add(p, "description", json_object_new_string(text));
	free(text);
	return control_reply_parameters(p, false);
}

char *control_reply_service(const struct control_request *req)
{
	if (req->service == CONTROL_GET_INFO)
		return reply_info();
	return reply_description(req->interface);
}

/* A method's parameters, "nic: string, limit: ?int". */
static void describe_params(FILE *f, const struct cxlnic_method_desc *m)
{
	const struct cxlnic_param_desc *p;
	unsigned int bit;
	bool first = true;

	for (bit = 1; (p = cxlnic_param_desc(bit)); bit <<= 1) {
		if (!((m->required | m->optional) & bit))
			continue;
		fprintf(f, "%s%s: %s%s", first ? "" : ", ", p->name,
			m->required & bit ? "" : "?", p->type);
		first = false;
	}
}

static void describe_method(FILE *f, const struct cxlnic_method_desc *m)
{
	const struct cxlnic_param_desc *p;
	unsigned int bit;

	fprintf(f, "\n# %s\n", m->doc);
	for (bit = 1; (p = cxlnic_param_desc(bit)); bit <<= 1)
		if ((m->required | m->optional) & bit)
			fprintf(f, "# %s: %s.\n", p->name, p->doc);
	fprintf(f, "method %s(", m->name);
	describe_params(f, m);
	fprintf(f, ") -> %s\n", m->reply);
}

char *control_interface_description(void)
{
	const struct cxlnic_error_desc *e;
	char *text = NULL;
	size_t len = 0;
	unsigned int i;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputs("# cxlnicd, the policy daemon of cxlnic: its NICs, their policy, "
	      "recovery\n# and history.  The objects are those of docs/json.md "
	      "(\"cxlnicd's control\n# socket\"); cxlnicd(8) has the limits "
	      "of a connection.\n"
	      "interface " CXLNIC_VARLINK_INTERFACE "\n", f);
	for (i = 0; i < CXLNIC_M_NR; i++)
		describe_method(f, cxlnic_method_desc(i));
	for (e = cxlnic_errors; e->name; e++) {
		if (!e->doc)
			continue;
		fprintf(f, "\n# %s\nerror %s(message: string%s)\n", e->doc,
			e->name + strlen(CXLNIC_VARLINK_INTERFACE) + 1,
			strcmp(e->name, CXLNIC_VARLINK_SYSTEM_ERROR) ? "" :
			", errno: string");
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}
