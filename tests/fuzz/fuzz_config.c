// SPDX-License-Identifier: GPL-2.0-only
/* Fuzz cxlnicd.conf's parser, and the policy lookup on what it accepted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_error err;
	struct nic_policy p;
	struct config cfg;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	config_init(&cfg);
	if (!config_parse("fuzz.conf", text, &cfg, &err)) {
		config_policy_for(&cfg, "0000:00:06.0", "cxlnic_sim", &p);
		if (cfg.n_sections)
			config_policy_for(&cfg, cfg.sections[0].match,
					  cfg.sections[0].match, &p);
	} else if (!err.reason[0] || err.line > size + 1) {
		abort();	/* a refusal always says where and why */
	}
	config_free(&cfg);
	free(text);
	return 0;
}
