// SPDX-License-Identifier: GPL-2.0-only
/*
 * The configuration file parser.  Everything is checked: an unknown section
 * or key, a bad value or a syntax error refuses the whole file with its
 * name, line and reason, and the caller keeps the configuration it had.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "cxlnic_pci.h"

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

/* The index of @v in @names, or -1. */
static int parse_name(const char *v, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v, names[i]))
			return (int)i;
	return -1;
}

static const char *const auto_manual[] = { "auto", "manual" };

enum key_kind {
	KIND_UINT,	/* an unsigned int from @min to @max */
	KIND_U64,	/* any uint64_t, @what it is */
	KIND_NAME,	/* an enum: the index of the value in @names */
	KIND_SWITCH,	/* a bool: true for @names[0], false for @names[1] */
};

/*
 * A policy key: its name, how its value reads and where it goes.  Its bit
 * in nic_policy.set is its index in policy_keys[].
 */
struct policy_key {
	const char *name;
	enum key_kind kind;
	size_t offset, size;	/* its field in struct nic_policy */
	size_t flag;		/* FLAG(): a bool set along with it; 0: none */
	uint64_t min, max;
	const char *what;
	const char *const *names;
	size_t n_names;
	const char *retired, *retired_why; /* a value once allowed, and why not now */
};

#define FIELD(f) .offset = offsetof(struct nic_policy, f), \
	.size = sizeof(((struct nic_policy *)0)->f)
/* Offset + 1, so that 0 (the default of an initializer) is "none". */
#define FLAG(f) .flag = offsetof(struct nic_policy, f) + 1
#define NAMES(a) .names = (a), .n_names = sizeof(a) / sizeof((a)[0])

/*
 * The one list of the policy keys: the parser, its errors, the overlay,
 * config_key_name() (and so cxlnicctl policy and its completion) derive
 * from it, and a unit test holds cxlnicd.conf(5) to it.
 */
static const struct policy_key policy_keys[] = {
	{ .name = "on_loss", .kind = KIND_NAME, FIELD(on_loss),
	  NAMES(on_loss_names) },
	{ .name = "region", .kind = KIND_SWITCH, FIELD(region_auto),
	  NAMES(auto_manual) },
	{ .name = "recovery", .kind = KIND_SWITCH, FIELD(recovery_auto),
	  NAMES(auto_manual) },
	{ .name = "grace_ms", .kind = KIND_UINT, FIELD(grace_ms),
	  .max = 600000 },
	/* A backoff of 0 doubles to 0: with max_attempts = 0, a hot loop. */
	{ .name = "backoff_ms", .kind = KIND_UINT, FIELD(backoff_ms),
	  .min = 1, .max = 600000 },
	{ .name = "backoff_max_ms", .kind = KIND_UINT, FIELD(backoff_max_ms),
	  .min = 1, .max = 3600000 },
	{ .name = "max_attempts", .kind = KIND_UINT, FIELD(max_attempts),
	  .max = 1000 },
	{ .name = "escalate_after", .kind = KIND_UINT, FIELD(escalate_after),
	  .max = 1000 },
	{ .name = "region_size", .kind = KIND_U64, FIELD(region_size),
	  .what = "a size in bytes" },
	{ .name = "decoder_mode", .kind = KIND_NAME, FIELD(decoder_mode),
	  NAMES(decoder_mode_names) },
	/*
	 * cxlnicd made a devdax namespace for it once; the kernel now
	 * refuses a region a namespace holds (its range is busy in
	 * /proc/iomem), so such a NIC would never attach.
	 */
	{ .name = "dax", .kind = KIND_NAME, FIELD(dax), NAMES(dax_policy_names),
	  .retired = "devdax",
	  .retired_why = "cxlnic.ko refuses a region that a namespace holds (see cxlnic(7))" },
	{ .name = "memdev_serial", .kind = KIND_U64, FIELD(memdev_serial),
	  FLAG(has_memdev_serial), .what = "a number" },
};

#define N_POLICY_KEYS (sizeof(policy_keys) / sizeof(policy_keys[0]))

_Static_assert(N_POLICY_KEYS <= 8 * sizeof(((struct nic_policy *)0)->set),
	       "a policy key without its bit in nic_policy.set");
/* KIND_NAME stores an enum as the unsigned int it is to the compiler. */
_Static_assert(sizeof(enum on_loss) == sizeof(unsigned int) &&
	       sizeof(enum decoder_mode) == sizeof(unsigned int) &&
	       sizeof(enum dax_policy) == sizeof(unsigned int),
	       "an enum of a policy key is not an unsigned int");

static uint32_t key_bit(const struct policy_key *k)
{
	return 1u << (k - policy_keys);
}

static const struct policy_key *find_key(const char *name)
{
	size_t i;

	for (i = 0; i < N_POLICY_KEYS; i++)
		if (!strcmp(name, policy_keys[i].name))
			return &policy_keys[i];
	return NULL;
}

/* @names joined with @sep, as the errors list them. */
static const char *join(const char *const *names, size_t n, const char *sep,
			char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += snprintf(buf + used, len - used, "%s%s", i ? sep : "",
				 names[i]);
	return buf;
}

static const char *key_list(char *buf, size_t len)
{
	const char *names[N_POLICY_KEYS];
	size_t i;

	for (i = 0; i < N_POLICY_KEYS; i++)
		names[i] = policy_keys[i].name;
	return join(names, N_POLICY_KEYS, ", ", buf, len);
}

/* Store @v in @k's field of @p, at the field's width. */
static void store(struct nic_policy *p, const struct policy_key *k, uint64_t v)
{
	char *field = (char *)p + k->offset;
	unsigned int u = (unsigned int)v;
	bool b = v;

	if (k->size == sizeof(uint64_t))
		memcpy(field, &v, sizeof(v));
	else if (k->size == sizeof(unsigned int))
		memcpy(field, &u, sizeof(u));
	else
		memcpy(field, &b, sizeof(b));
}

static void set_flag(struct nic_policy *p, const struct policy_key *k)
{
	if (k->flag)
		*(bool *)((char *)p + k->flag - 1) = true;
}

/* What store() put in @k's field of @p. */
static uint64_t load(const struct nic_policy *p, const struct policy_key *k)
{
	const char *field = (const char *)p + k->offset;
	unsigned int u;
	uint64_t v;
	bool b;

	if (k->size == sizeof(uint64_t)) {
		memcpy(&v, field, sizeof(v));
		return v;
	}
	if (k->size == sizeof(unsigned int)) {
		memcpy(&u, field, sizeof(u));
		return u;
	}
	memcpy(&b, field, sizeof(b));
	return b;
}

/* @v as @k's value, or -1 with the reason. */
static int parse_value(const struct policy_key *k, const char *v,
		       unsigned int line, uint64_t *out,
		       struct config_error *err)
{
	char names[96];
	int i;

	switch (k->kind) {
	case KIND_UINT:
		if (parse_uint(v, k->max, out) || *out < k->min)
			return fail(err, line, "%s '%s' is not a number from %llu to %llu",
				    k->name, v, (unsigned long long)k->min,
				    (unsigned long long)k->max);
		return 0;
	case KIND_U64:
		if (parse_uint(v, UINT64_MAX, out))
			return fail(err, line, "%s '%s' is not %s", k->name, v,
				    k->what);
		return 0;
	case KIND_NAME:
	case KIND_SWITCH:
		if (k->retired && !strcmp(v, k->retired))
			return fail(err, line, "%s '%s' is no longer allowed: %s; use %s",
				    k->name, v, k->retired_why,
				    join(k->names, k->n_names, " or ", names,
					 sizeof(names)));
		if ((i = parse_name(v, k->names, k->n_names)) < 0)
			return fail(err, line, "%s '%s' is not one of %s", k->name,
				    v, join(k->names, k->n_names, ", ", names,
					    sizeof(names)));
		*out = k->kind == KIND_SWITCH ? i == 0 : (uint64_t)i;
		return 0;
	}
	return fail(err, line, "%s: no parser", k->name);
}

/* One "key = value" line of a policy section. */
static int set_policy_key(struct nic_policy *p, const char *key,
			  const char *v, unsigned int line,
			  struct config_error *err)
{
	const struct policy_key *k = find_key(key);
	char keys[200];
	uint64_t n;

	if (!k)
		return fail(err, line, "unknown key '%s'; keys: %s", key,
			    key_list(keys, sizeof(keys)));
	if (parse_value(k, v, line, &n, err))
		return -1;
	store(p, k, n);
	set_flag(p, k);
	p->set |= key_bit(k);
	return 0;
}

/* Copy into @dst the keys @src's section set. */
void config_policy_overlay(struct nic_policy *dst, const struct nic_policy *src)
{
	const struct policy_key *k;

	for (k = policy_keys; k < policy_keys + N_POLICY_KEYS; k++) {
		if (!(src->set & key_bit(k)))
			continue;
		memcpy((char *)dst + k->offset, (const char *)src + k->offset,
		       k->size);
		set_flag(dst, k);
	}
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
	} else if (cxlnic_pci_addr_normalize(arg, s->match, sizeof(s->match))) {
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

/* @sec's memdev given up: a later file paired it with another NIC. */
static void unpair(struct config_section *sec)
{
	sec->policy.has_memdev_serial = false;
	sec->policy.set &= ~key_bit(find_key("memdev_serial"));
	sec->serial_line = 0;
	sec->serial_file[0] = '\0';
}

/*
 * memdev_serial pairs one NIC with one memdev: only in a [nic] section, and
 * no two NICs with the same memdev (both would be handed its region).  Two
 * in one file are a mistake; a later file moves the memdev, as a systemd
 * drop-in overrides what came before it.
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
		/* The same NIC again (a drop-in, say) may restate its own. */
		if (other->kind != SECTION_NIC || !other->serial_line ||
		    !strcmp(other->match, sec->match) ||
		    other->policy.memdev_serial != cur->memdev_serial)
			continue;
		if (strcmp(other->serial_file, err->file)) {
			unpair(other);
			continue;
		}
		return fail(err, line, "memdev_serial %#llx is already [nic %s]'s (line %u): two NICs cannot share a memdev",
			    (unsigned long long)cur->memdev_serial,
			    other->match, other->serial_line);
	}
	sec->serial_line = line;
	snprintf(sec->serial_file, sizeof(sec->serial_file), "%s", err->file);
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

/* @text, file @name, on top of what @cfg has (a drop-in on the main file). */
static int parse_into(struct config *cfg, const char *name, const char *text,
		      struct config_error *err)
{
	const char *special = NULL;	/* in [control] or [metrics] */
	struct nic_policy *cur = &cfg->defaults;
	unsigned int line = 0;
	char *copy, *next, *s;

	snprintf(err->file, sizeof(err->file), "%s", name);
	copy = strdup(text);
	if (!copy)
		return fail(err, 0, "out of memory");
	for (s = copy; s; s = next) {
		next = strchr(s, '\n');
		if (next)
			*next++ = '\0';
		if (parse_line(cfg, s, ++line, &cur, &special, err)) {
			free(copy);
			return -1;
		}
	}
	free(copy);
	return 0;
}

int config_parse(const char *name, const char *text, struct config *out,
		 struct config_error *err)
{
	struct config cfg;

	memset(err, 0, sizeof(*err));
	config_init(&cfg);
	if (parse_into(&cfg, name, text, err)) {
		config_free(&cfg);
		return -1;
	}
	config_free(out);
	*out = cfg;
	return 0;
}

static int file_error(struct config_error *err, const char *path,
		      const char *reason)
{
	snprintf(err->file, sizeof(err->file), "%s", path);
	return fail(err, 0, "%s", reason);
}

/* The whole of @path into *@text (malloc'ed); -ENOENT if it is missing. */
static int read_text(const char *path, char **text, struct config_error *err)
{
	size_t len = 0;
	FILE *f = fopen(path, "r"), *mem;
	int c, read_err;
	struct stat st;

	if (!f)
		return errno == ENOENT ? -ENOENT : file_error(err, path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		fclose(f);
		return file_error(err, path, "not a regular file");
	}
	*text = NULL;
	mem = open_memstream(text, &len);
	while (mem && (c = fgetc(f)) != EOF)
		fputc(c, mem);
	/* A read error is no empty file: refuse it rather than run on defaults. */
	read_err = ferror(f) ? errno : 0;
	fclose(f);
	if (!mem)
		return file_error(err, path, "out of memory");
	fclose(mem);
	if (read_err) {
		free(*text);
		snprintf(err->file, sizeof(err->file), "%s", path);
		return fail(err, 0, "read error: %s", strerror(read_err));
	}
	return 0;
}

/* @path on top of @cfg; a missing file is an empty one if @missing_ok. */
static int load_file(struct config *cfg, const char *path, bool missing_ok,
		     struct config_error *err)
{
	char *text;
	int rc = read_text(path, &text, err);

	if (rc == -ENOENT && missing_ok)
		return 0;
	if (rc == -ENOENT)	/* listed, then gone: a dangling link */
		return file_error(err, path, strerror(ENOENT));
	if (rc)
		return -1;
	rc = parse_into(cfg, path, text, err);
	free(text);
	return rc;
}

/* *.conf as the shell globs it: no hidden file, no bare ".conf". */
static int is_dropin(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return d->d_name[0] != '.' && len > strlen(".conf") &&
	       !strcmp(d->d_name + len - strlen(".conf"), ".conf");
}

/* Byte order, the same in every locale: the order the man page promises. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/*
 * The drop-ins of <config>.d/, each on top of the last, in the order of
 * their names: as if appended to the main file, a section at a time.
 */
static int load_dropins(struct config *cfg, const char *config_path,
			struct config_error *err)
{
	/* No longer than an error can name them. */
	char dir[sizeof(err->file)], path[sizeof(err->file)];
	struct dirent **names;
	int n, i, rc = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "%s.d", config_path) >= sizeof(dir))
		return file_error(err, config_path, "path too long");
	n = scandir(dir, &names, is_dropin, by_name);
	if (n < 0)
		return errno == ENOENT ? 0 : file_error(err, dir, strerror(errno));
	for (i = 0; i < n; i++) {
		if (!rc && (size_t)snprintf(path, sizeof(path), "%s/%s", dir,
					    names[i]->d_name) >= sizeof(path))
			rc = file_error(err, dir, "path too long");
		if (!rc)
			rc = load_file(cfg, path, false, err);
		free(names[i]);
	}
	free(names);
	return rc;
}

int config_load(const char *path, struct config *out, struct config_error *err)
{
	struct config cfg;

	memset(err, 0, sizeof(*err));
	config_init(&cfg);
	if (load_file(&cfg, path, true, err) || load_dropins(&cfg, path, err)) {
		config_free(&cfg);
		return -1;
	}
	config_free(out);
	*out = cfg;
	return 0;
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

const char *config_key_name(unsigned int i)
{
	return i < N_POLICY_KEYS ? policy_keys[i].name : NULL;
}

int config_key_value(const struct nic_policy *p, unsigned int i,
		     struct config_value *out)
{
	const struct policy_key *k;
	uint64_t v;

	if (i >= N_POLICY_KEYS)
		return -1;
	k = &policy_keys[i];
	v = load(p, k);
	*out = (struct config_value) {
		.number = v,
		.unset = k->flag && !*(const bool *)((const char *)p +
						     k->flag - 1),
	};
	/* A switch stores "its first name": auto is true (parse_value()). */
	if (k->kind == KIND_SWITCH)
		out->name = k->names[v ? 0 : 1];
	else if (k->kind == KIND_NAME && v < k->n_names)
		out->name = k->names[v];
	return 0;
}

const char *config_key_value_name(unsigned int i, unsigned int value)
{
	return i < N_POLICY_KEYS && value < policy_keys[i].n_names ?
	       policy_keys[i].names[value] : NULL;
}

bool config_key_known(const char *key)
{
	return find_key(key) != NULL;
}
