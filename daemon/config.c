// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration file parser.  Everything is checked: an unknown section
 * or key, a bad value or a syntax error refuses the whole file with its
 * name, line and reason, and the caller keeps the configuration it had.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"

enum key_bit {
	KEY_ON_LOSS = 1u << 0,
	KEY_REGION = 1u << 1,
	KEY_RECOVERY = 1u << 2,
	KEY_GRACE = 1u << 3,
	KEY_BACKOFF = 1u << 4,
	KEY_BACKOFF_MAX = 1u << 5,
	KEY_MAX_ATTEMPTS = 1u << 6,
	KEY_ESCALATE = 1u << 7,
	KEY_REGION_SIZE = 1u << 8,
	KEY_SERIAL = 1u << 9,
	KEY_DECODER_MODE = 1u << 10,
	KEY_DAX = 1u << 11,
};

static const char *const on_loss_names[] = {
	[ON_LOSS_FALLBACK] = "fallback",
	[ON_LOSS_UNBIND] = "unbind",
	[ON_LOSS_NONE] = "none",
};

static const char *const decoder_mode_names[] = {
	[DECODER_ANY] = "any",
	[DECODER_HOST_ONLY] = "host-only",
	[DECODER_DEVICE_COHERENT] = "device-coherent",
};

const char *decoder_mode_name(enum decoder_mode mode)
{
	return decoder_mode_names[mode];
}

static const char *const dax_policy_names[] = {
	[DAX_NONE] = "none",
	[DAX_ANY] = "any",
};

const char *dax_policy_name(enum dax_policy dax)
{
	return dax_policy_names[dax];
}

const char *on_loss_name(enum on_loss on_loss)
{
	return on_loss_names[on_loss];
}

static void policy_defaults(struct nic_policy *p)
{
	*p = (struct nic_policy) {
		.on_loss = ON_LOSS_FALLBACK,
		.region_auto = true,
		.recovery_auto = true,
		.grace_ms = 200,
		.backoff_ms = 250,
		.backoff_max_ms = 30000,
		.max_attempts = 10,
		.escalate_after = 3,
	};
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	policy_defaults(&cfg->defaults);
	cfg->metrics_interval_s = 15;
}

void config_free(struct config *cfg)
{
	free(cfg->sections);
	config_init(cfg);
}

static int fail(struct config_error *err, unsigned int line, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));
static int fail(struct config_error *err, unsigned int line, const char *fmt,
		...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * Decimal, or hex after "0x": never octal, so "grace_ms = 0100" is 100 ms
 * as it reads, not strtoull's 64.
 */
static int parse_uint(const char *v, uint64_t max, uint64_t *out)
{
	int base = 10;
	char *end;

	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
	}
	if (!isxdigit((unsigned char)*v) || (base == 10 && !isdigit((unsigned char)*v)))
		return -1;
	errno = 0;
	*out = strtoull(v, &end, base);
	return errno || *end || *out > max ? -1 : 0;
}

/*
 * A PCI address as the kernel writes it (0000:00:06.0, lower case) from
 * one as a user may (00:06.0 in domain 0, hex digits in either case).
 */
static int normalize_pci_addr(const char *in, char *out, size_t len)
{
	unsigned int dom = 0, bus, dev, fn;
	int n = -1;

	if (strspn(in, "0123456789abcdefABCDEF:.") != strlen(in))
		return -1;
	if (sscanf(in, "%4x:%2x:%2x.%1u%n", &dom, &bus, &dev, &fn, &n) != 4 ||
	    (size_t)n != strlen(in)) {
		n = -1;
		dom = 0;
		if (sscanf(in, "%2x:%2x.%1u%n", &bus, &dev, &fn, &n) != 3 ||
		    (size_t)n != strlen(in))
			return -1;
	}
	if (dev > 0x1f || fn > 7)
		return -1;
	snprintf(out, len, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return 0;
}

static int parse_choice(const char *v, const char *a, const char *b,
			bool *out)
{
	if (!strcmp(v, a))
		*out = true;
	else if (!strcmp(v, b))
		*out = false;
	else
		return -1;
	return 0;
}

/* The index of @v in @names, or -1. */
static int parse_name(const char *v, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, names[i]))
			return (int)i;
	return -1;
}

/* The same, for one of the name tables above. */
#define PARSE_NAME(v, names) \
	parse_name(v, names, sizeof(names) / sizeof((names)[0]))

struct uint_key {
	const char *name;
	enum key_bit bit;
	size_t offset;
	uint64_t min, max;
};

static const struct uint_key uint_keys[] = {
	{ "grace_ms", KEY_GRACE, offsetof(struct nic_policy, grace_ms), 0, 600000 },
	/* A backoff of 0 doubles to 0: with max_attempts = 0, a hot loop. */
	{ "backoff_ms", KEY_BACKOFF, offsetof(struct nic_policy, backoff_ms), 1, 600000 },
	{ "backoff_max_ms", KEY_BACKOFF_MAX, offsetof(struct nic_policy, backoff_max_ms), 1, 3600000 },
	{ "max_attempts", KEY_MAX_ATTEMPTS, offsetof(struct nic_policy, max_attempts), 0, 1000 },
	{ "escalate_after", KEY_ESCALATE, offsetof(struct nic_policy, escalate_after), 0, 1000 },
};

/* One "key = value" line of a policy section. */
static int set_policy_key(struct nic_policy *p, const char *key,
			  const char *v, unsigned int line,
			  struct config_error *err)
{
	uint64_t n;
	size_t i;
	int e;

	if (!strcmp(key, "on_loss")) {
		if ((e = PARSE_NAME(v, on_loss_names)) < 0)
			return fail(err, line, "on_loss '%s' is not one of fallback, unbind, none", v);
		p->on_loss = e;
		p->set |= KEY_ON_LOSS;
	} else if (!strcmp(key, "region")) {
		if (parse_choice(v, "auto", "manual", &p->region_auto))
			return fail(err, line, "region '%s' is not one of auto, manual", v);
		p->set |= KEY_REGION;
	} else if (!strcmp(key, "recovery")) {
		if (parse_choice(v, "auto", "manual", &p->recovery_auto))
			return fail(err, line, "recovery '%s' is not one of auto, manual", v);
		p->set |= KEY_RECOVERY;
	} else if (!strcmp(key, "decoder_mode")) {
		if ((e = PARSE_NAME(v, decoder_mode_names)) < 0)
			return fail(err, line, "decoder_mode '%s' is not one of any, host-only, device-coherent", v);
		p->decoder_mode = e;
		p->set |= KEY_DECODER_MODE;
	} else if (!strcmp(key, "dax")) {
		/*
		 * cxlnicd made a devdax namespace for it once; the kernel
		 * now refuses a region a namespace holds (its range is busy
		 * in /proc/iomem), so such a NIC would never attach.
		 */
		if (!strcmp(v, "devdax"))
			return fail(err, line, "dax 'devdax' is no longer allowed: cxlnic.ko refuses a region that a namespace holds (see cxlnic(7)); use none or any");
		if ((e = PARSE_NAME(v, dax_policy_names)) < 0)
			return fail(err, line, "dax '%s' is not one of none, any", v);
		p->dax = e;
		p->set |= KEY_DAX;
	} else if (!strcmp(key, "region_size")) {
		if (parse_uint(v, UINT64_MAX, &p->region_size))
			return fail(err, line, "region_size '%s' is not a size in bytes", v);
		p->set |= KEY_REGION_SIZE;
	} else if (!strcmp(key, "memdev_serial")) {
		if (parse_uint(v, UINT64_MAX, &p->memdev_serial))
			return fail(err, line, "memdev_serial '%s' is not a number", v);
		p->has_memdev_serial = true;
		p->set |= KEY_SERIAL;
	} else {
		for (i = 0; i < sizeof(uint_keys) / sizeof(uint_keys[0]); i++) {
			if (strcmp(key, uint_keys[i].name))
				continue;
			if (parse_uint(v, uint_keys[i].max, &n) || n < uint_keys[i].min)
				return fail(err, line, "%s '%s' is not a number from %llu to %llu",
					    key, v, (unsigned long long)uint_keys[i].min,
					    (unsigned long long)uint_keys[i].max);
			*(unsigned int *)((char *)p + uint_keys[i].offset) = (unsigned int)n;
			p->set |= uint_keys[i].bit;
			return 0;
		}
		return fail(err, line, "unknown key '%s'", key);
	}
	return 0;
}

/* Copy into @dst the keys @src's section set. */
void config_policy_overlay(struct nic_policy *dst, const struct nic_policy *src)
{
	size_t i;

	if (src->set & KEY_ON_LOSS)
		dst->on_loss = src->on_loss;
	if (src->set & KEY_REGION)
		dst->region_auto = src->region_auto;
	if (src->set & KEY_RECOVERY)
		dst->recovery_auto = src->recovery_auto;
	if (src->set & KEY_REGION_SIZE)
		dst->region_size = src->region_size;
	if (src->set & KEY_DECODER_MODE)
		dst->decoder_mode = src->decoder_mode;
	if (src->set & KEY_DAX)
		dst->dax = src->dax;
	if (src->set & KEY_SERIAL) {
		dst->has_memdev_serial = true;
		dst->memdev_serial = src->memdev_serial;
	}
	for (i = 0; i < sizeof(uint_keys) / sizeof(uint_keys[0]); i++)
		if (src->set & uint_keys[i].bit)
			memcpy((char *)dst + uint_keys[i].offset,
			       (const char *)src + uint_keys[i].offset,
			       sizeof(unsigned int));
}

static int open_section(struct config *cfg, char *head, unsigned int line,
			struct nic_policy **cur, struct config_error *err)
{
	struct config_section *s;
	char *arg;

	if (!strcmp(head, "defaults")) {
		*cur = &cfg->defaults;
		return 0;
	}
	if (!strcmp(head, "control") || !strcmp(head, "metrics")) {
		*cur = NULL;
		return 0;
	}
	arg = strchr(head, ' ');
	if (!arg)
		return fail(err, line, "unknown section [%s]; expected [defaults], [control], [metrics], [driver NAME] or [nic PCI-ADDRESS]", head);
	*arg++ = '\0';
	arg = trim(arg);
	if ((strcmp(head, "driver") && strcmp(head, "nic")) || !*arg ||
	    strlen(arg) >= sizeof(s->match))
		return fail(err, line, "bad section [%s %s]", head, arg);
	s = realloc(cfg->sections, (cfg->n_sections + 1) * sizeof(*s));
	if (!s)
		return fail(err, line, "out of memory");
	cfg->sections = s;
	s = &cfg->sections[cfg->n_sections++];
	memset(s, 0, sizeof(*s));
	s->kind = strcmp(head, "nic") ? SECTION_DRIVER : SECTION_NIC;
	if (s->kind == SECTION_DRIVER) {
		strcpy(s->match, arg);
	} else if (normalize_pci_addr(arg, s->match, sizeof(s->match))) {
		cfg->n_sections--;
		return fail(err, line, "[nic %s]: not a PCI address (0000:00:06.0 or 00:06.0)", arg);
	}
	*cur = &s->policy;
	return 0;
}

static int set_metrics_key(struct config *cfg, const char *key, const char *v,
			   unsigned int line, struct config_error *err)
{
	uint64_t n;

	if (!strcmp(key, "textfile_dir")) {
		if (*v != '/' || strlen(v) >= sizeof(cfg->metrics_dir))
			return fail(err, line, "textfile_dir '%s' is not an absolute path", v);
		strcpy(cfg->metrics_dir, v);
		return 0;
	}
	if (!strcmp(key, "interval_s")) {
		if (parse_uint(v, 3600, &n))
			return fail(err, line, "interval_s '%s' is not a number from 0 to 3600", v);
		cfg->metrics_interval_s = (unsigned int)n;
		return 0;
	}
	return fail(err, line, "unknown key '%s' in [metrics]; keys: textfile_dir, interval_s", key);
}

static int set_control_key(struct config *cfg, const char *key, const char *v,
			   unsigned int line, struct config_error *err)
{
	if (strcmp(key, "read_group"))
		return fail(err, line, "unknown key '%s' in [control]", key);
	if (strlen(v) >= sizeof(cfg->read_group))
		return fail(err, line, "read_group is too long");
	strcpy(cfg->read_group, v);
	return 0;
}

/*
 * memdev_serial pairs one NIC with one memdev: only in a [nic] section, and
 * no two NICs with the same memdev (both would be handed its region).
 */
static int set_nic_serial(struct config *cfg, struct nic_policy *cur,
			  const char *v, unsigned int line,
			  struct config_error *err)
{
	struct config_section *sec = NULL, *other;
	size_t i;

	if (cfg->n_sections &&
	    cur == &cfg->sections[cfg->n_sections - 1].policy &&
	    cfg->sections[cfg->n_sections - 1].kind == SECTION_NIC)
		sec = &cfg->sections[cfg->n_sections - 1];
	if (!sec)
		return fail(err, line, "memdev_serial pairs one NIC with its memdev: it belongs in a [nic PCI-ADDRESS] section");
	if (set_policy_key(cur, "memdev_serial", v, line, err))
		return -1;
	for (i = 0; i + 1 < cfg->n_sections; i++) {
		other = &cfg->sections[i];
		if (other->kind == SECTION_NIC && other->serial_line &&
		    other->policy.memdev_serial == cur->memdev_serial)
			return fail(err, line, "memdev_serial %#llx is already [nic %s]'s (line %u): two NICs cannot share a memdev",
				    (unsigned long long)cur->memdev_serial,
				    other->match, other->serial_line);
	}
	sec->serial_line = line;
	return 0;
}

static int parse_line(struct config *cfg, char *text, unsigned int line,
		      struct nic_policy **cur, const char **special,
		      struct config_error *err)
{
	char *s = trim(text), *eq, *key, *val;

	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *close = strchr(s, ']');

		if (!close || *trim(close + 1))
			return fail(err, line, "section header needs a closing ']' and nothing after it");
		*close = '\0';
		if (open_section(cfg, trim(s + 1), line, cur, err))
			return -1;
		*special = *cur ? NULL : !strcmp(trim(s + 1), "metrics") ?
			   "metrics" : "control";
		return 0;
	}
	eq = strchr(s, '=');
	if (!eq)
		return fail(err, line, "expected 'key = value'");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!*key || !*val)
		return fail(err, line, "expected 'key = value'");
	if (*special && !strcmp(*special, "metrics"))
		return set_metrics_key(cfg, key, val, line, err);
	if (*special)
		return set_control_key(cfg, key, val, line, err);
	if (!strcmp(key, "memdev_serial"))
		return set_nic_serial(cfg, *cur, val, line, err);
	return set_policy_key(*cur, key, val, line, err);
}

int config_parse(const char *name, const char *text, struct config *out,
		 struct config_error *err)
{
	const char *special = NULL;	/* in [control] or [metrics] */
	struct nic_policy *cur;
	unsigned int line = 0;
	struct config cfg;
	char *copy, *next, *s;

	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name);
	config_init(&cfg);
	cur = &cfg.defaults;
	copy = strdup(text);
	if (!copy)
		return fail(err, 0, "out of memory");
	for (s = copy; s; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		if (parse_line(&cfg, s, ++line, &cur, &special, err)) {
			free(copy);
			config_free(&cfg);
			return -1;
		}
	}
	free(copy);
	config_free(out);
	*out = cfg;
	return 0;
}

int config_load(const char *path, struct config *cfg, struct config_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r"), *mem;
	int c, rc, read_err;
	struct stat st;

	if (!f && errno == ENOENT) {
		config_free(cfg);
		return 0;
	}
	if (!f) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		return fail(err, 0, "%s", strerror(errno));
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		snprintf(err->file, sizeof(err->file), "%s", path);
		return fail(err, 0, "not a regular file");
	}
	mem = open_memstream(&text, &len);
	while (mem && (c = fgetc(f)) != EOF)
		fputc(c, mem);
	/* A read error is no empty file: refuse it rather than run on defaults. */
	read_err = ferror(f) ? errno : 0;
	fclose(f);
	if (!mem) {
		snprintf(err->file, sizeof(err->file), "%s", path);
		return fail(err, 0, "out of memory");
	}
	fclose(mem);
	if (read_err) {
		free(text);
		snprintf(err->file, sizeof(err->file), "%s", path);
		return fail(err, 0, "read error: %s", strerror(read_err));
	}
	rc = config_parse(path, text, cfg, err);
	free(text);
	return rc;
}

void config_policy_for(const struct config *cfg, const char *pci_addr,
		       const char *driver, struct nic_policy *out)
{
	size_t i;

	*out = cfg->defaults;
	for (i = 0; i < cfg->n_sections; i++)
		if (cfg->sections[i].kind == SECTION_DRIVER &&
		    !strcmp(cfg->sections[i].match, driver))
			config_policy_overlay(out, &cfg->sections[i].policy);
	for (i = 0; i < cfg->n_sections; i++)
		if (cfg->sections[i].kind == SECTION_NIC &&
		    !strcmp(cfg->sections[i].match, pci_addr))
			config_policy_overlay(out, &cfg->sections[i].policy);
}

int config_set_key(struct nic_policy *p, const char *key, const char *value,
		   char *err, size_t len)
{
	struct config_error e;

	if (set_policy_key(p, key, value, 0, &e)) {
		snprintf(err, len, "%s", e.reason);
		return -EINVAL;
	}
	return 0;
}

static const char *const key_names[] = {
	"on_loss", "region", "recovery", "grace_ms", "backoff_ms",
	"backoff_max_ms", "max_attempts", "escalate_after", "region_size",
	"decoder_mode", "dax", "memdev_serial",
};

const char *config_key_name(unsigned int i)
{
	return i < sizeof(key_names) / sizeof(key_names[0]) ? key_names[i] :
							      NULL;
}

bool config_key_known(const char *key)
{
	const char *k;
	unsigned int i;

	for (i = 0; (k = config_key_name(i)); i++)
		if (!strcmp(k, key))
			return true;
	return false;
}
