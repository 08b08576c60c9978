/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cxlnicd.conf: defaults, then [driver NAME] and [nic PCI-ADDRESS] sections
 * that override them, in that order of precedence.  See cxlnicd.conf(5).
 */
#ifndef CXLNICD_CONFIG_H
#define CXLNICD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum on_loss {
	ON_LOSS_FALLBACK,	/* stay up on PCI, return to CXL by itself */
	ON_LOSS_UNBIND,		/* release the NIC's driver, bind it when back */
	ON_LOSS_NONE,		/* leave it */
};

/*
 * The coherence a region must decode in: host-only (HDM-H, a Type 3
 * "expander" decoder) or device-coherent (HDM-D/HDM-DB, a Type 2
 * "accelerator" decoder).
 */
enum decoder_mode {
	DECODER_ANY,
	DECODER_HOST_ONLY,
	DECODER_DEVICE_COHERENT,
};

/*
 * A namespace on the NIC's region (cxlnicd makes none): none (cxlnicd
 * waits until it is gone, and says so), any (cxlnicd tries the attach
 * and cxlnic.ko decides: it refuses a range a namespace holds busy, so
 * only an idle namespace is attached over).
 */
enum dax_policy {
	DAX_NONE,
	DAX_ANY,
};

/* One NIC's policy; @set marks the keys a section gave (for layering). */
struct nic_policy {
	enum on_loss on_loss;
	bool region_auto;	/* create the region when missing */
	bool recovery_auto;
	unsigned int grace_ms;
	unsigned int backoff_ms;
	unsigned int backoff_max_ms;
	unsigned int max_attempts;
	unsigned int escalate_after;
	uint64_t region_size;	/* 0: the whole memdev */
	enum decoder_mode decoder_mode;
	enum dax_policy dax;
	bool has_memdev_serial;
	uint64_t memdev_serial;
	uint32_t set;
};

enum section_kind { SECTION_DRIVER, SECTION_NIC };

struct config_section {
	enum section_kind kind;
	char match[64];
	struct nic_policy policy;
	unsigned int serial_line;	/* where memdev_serial was set, or 0 */
	char serial_file[256];		/* ... in which file */
};

struct config {
	struct nic_policy defaults;
	struct config_section *sections;
	size_t n_sections;
	char read_group[64];	/* may read state over the control socket */
	char metrics_dir[256];	/* node_exporter textfile directory, or "" */
	unsigned int metrics_interval_s; /* rewrite period; 0: on changes only */
};

struct config_error {
	char file[256];
	unsigned int line;
	char reason[256];	/* room for the list of keys */
};

void config_init(struct config *cfg);
void config_free(struct config *cfg);
/*
 * @path, then the drop-ins <path>.d/NAME.conf in the order of their names,
 * each on top of the last: 0, or -1 with @err filled and @cfg untouched.
 * A missing file or drop-in directory is not an error.
 */
int config_load(const char *path, struct config *cfg, struct config_error *err);
int config_parse(const char *name, const char *text, struct config *cfg,
		 struct config_error *err);
void config_policy_for(const struct config *cfg, const char *pci_addr,
		       const char *driver, struct nic_policy *out);
const char *decoder_mode_name(enum decoder_mode mode);
const char *dax_policy_name(enum dax_policy dax);
/* Copy into @dst the keys @src has set. */
void config_policy_overlay(struct nic_policy *dst, const struct nic_policy *src);
/* Set one key as a config line would; -EINVAL with the reason in @err. */
int config_set_key(struct nic_policy *p, const char *key, const char *value,
		   char *err, size_t len);
/* The policy keys, for listings and completion; NULL past the last. */
const char *config_key_name(unsigned int i);
/* Key @i's values by name (NULL past the last, at once for a number). */
const char *config_key_value_name(unsigned int i, unsigned int value);

/* One key's value in a policy, as its readers show it. */
struct config_value {
	const char *name;	/* a key of names: the value's; else NULL */
	uint64_t number;	/* a number key's value */
	bool unset;		/* its flag not set: no memdev_serial */
};

/*
 * Key @i's value in @p, keys in the table's order (the order of
 * config_key_name()): 0, or -1 past the last key.
 */
int config_key_value(const struct nic_policy *p, unsigned int i,
		     struct config_value *out);
bool config_key_known(const char *key);

#endif
