// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fd_io.h"
#include "log.h"
#include "state.h"

struct json_object *policy_overrides_to_json(const struct policy_override *ov,
					     size_t n)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_object_add(o, ov[i].key,
				       json_object_new_string(ov[i].value));
	return o;
}

/*
 * The fields of a NIC's entry, in the order the file has them: the one
 * list state_save() writes and state_load() checks.
 */
enum field_type { FIELD_STRING, FIELD_BOOL };

struct state_field {
	const char *key;
	enum field_type type;
	size_t offset;
	size_t size;		/* a string's buffer, its NUL included */
};

#define MEMBER_SIZE(m)	sizeof(((struct nic_state *)0)->m)
#define STRING_FIELD(m)	{ #m, FIELD_STRING, offsetof(struct nic_state, m), \
			  MEMBER_SIZE(m) }
#define BOOL_FIELD(m)	{ #m, FIELD_BOOL, offsetof(struct nic_state, m), \
			  MEMBER_SIZE(m) }

static const struct state_field state_fields[] = {
	STRING_FIELD(pci_addr),
	BOOL_FIELD(unbound_by_us),
	STRING_FIELD(driver),
	STRING_FIELD(pending),
	STRING_FIELD(memdev),
	STRING_FIELD(memdev_host),
	STRING_FIELD(region),
	STRING_FIELD(region_uuid),
	BOOL_FIELD(held),
	STRING_FIELD(held_override),
	BOOL_FIELD(operator_pci),
	BOOL_FIELD(recover_requested),
};

#define POLICY_KEY	"policy"

static struct json_object *field_to_json(const struct nic_state *s,
					 const struct state_field *f)
{
	const char *p = (const char *)s + f->offset;

	if (f->type == FIELD_BOOL)
		return json_object_new_boolean(*(const bool *)p);
	return json_object_new_string(p);
}

static struct json_object *nic_to_json(const struct nic_state *s)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < sizeof(state_fields) / sizeof(state_fields[0]); i++)
		json_object_object_add(o, state_fields[i].key,
				       field_to_json(s, &state_fields[i]));
	json_object_object_add(o, POLICY_KEY,
			       policy_overrides_to_json(s->overrides, s->n_overrides));
	return o;
}

/* The rename is only durable once the directory is on disk (not on tmpfs). */
static void sync_parent_dir(const char *path)
{
	char dir[PATH_MAX];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	fsync(fd);
	close(fd);
}

int state_save(const char *path, const struct nic_state *nics, size_t n)
{
	struct json_object *root = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	char tmp[PATH_MAX];
	const char *text;
	size_t i;
	int fd, rc;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, nic_to_json(&nics[i]));
	json_object_object_add(root, "version", json_object_new_int(1));
	json_object_object_add(root, "nics", arr);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		json_object_put(root);
		return -ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		json_object_put(root);
		return -errno;
	}
	rc = fd_write_all(fd, text, strlen(text));
	if (!rc && fsync(fd))
		rc = -errno;
	close(fd);
	json_object_put(root);
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (rc)
		unlink(tmp);
	else
		sync_parent_dir(path);
	return rc;
}

/*
 * A field of the file, if there, must be of its type and fit its buffer
 * whole, or the file is not ours: a truncated name, or a string read as
 * true, would act on the wrong thing.  A string with a NUL inside would be
 * read cut short.  On refusal, @why says what is wrong with the field.
 */
static int string_from_json(char *dst, size_t size, struct json_object *v,
			    char *why, size_t why_size)
{
	size_t len;

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(why, why_size, "not a string");
		return -EINVAL;
	}
	len = (size_t)json_object_get_string_len(v);
	if (strlen(json_object_get_string(v)) != len) {
		snprintf(why, why_size, "a string with a NUL inside");
		return -EINVAL;
	}
	if (len >= size) {
		snprintf(why, why_size, "longer than %zu bytes", size - 1);
		return -EINVAL;
	}
	memcpy(dst, json_object_get_string(v), len + 1);
	return 0;
}

static int field_from_json(struct nic_state *s, const struct state_field *f,
			   struct json_object *v, char *why, size_t why_size)
{
	char *p = (char *)s + f->offset;

	if (f->type == FIELD_STRING)
		return string_from_json(p, f->size, v, why, why_size);
	if (!json_object_is_type(v, json_type_boolean)) {
		snprintf(why, why_size, "not a boolean");
		return -EINVAL;
	}
	*(bool *)p = json_object_get_boolean(v);
	return 0;
}

static int override_from_json(struct nic_state *s, const char *key,
			      struct json_object *v, char *why, size_t why_size)
{
	struct policy_override *ov = &s->overrides[s->n_overrides];
	int n;

	if (s->n_overrides == STATE_MAX_OVERRIDES) {
		snprintf(why, why_size, "more than %d keys", STATE_MAX_OVERRIDES);
		return -EINVAL;
	}
	if (strlen(key) >= sizeof(ov->key)) {
		snprintf(why, why_size, "a key longer than %zu bytes",
			 sizeof(ov->key) - 1);
		return -EINVAL;
	}
	n = snprintf(why, why_size, "%s: ", key);
	if (string_from_json(ov->value, sizeof(ov->value), v,
			     why + n, why_size - n))
		return -EINVAL;
	strcpy(ov->key, key);
	s->n_overrides++;
	return 0;
}

static int overrides_from_json(struct json_object *o, struct nic_state *s,
			       char *why, size_t why_size)
{
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, why_size, "not an object");
		return -EINVAL;
	}
	json_object_object_foreach(o, key, v)
		if (override_from_json(s, key, v, why, why_size))
			return -EINVAL;
	return 0;
}

/* A field's refusal, as the log gives it: "\"held\": not a boolean". */
static int refuse_field(const char *key, const char *reason, char *why,
			size_t why_size)
{
	snprintf(why, why_size, "\"%s\": %s", key, reason);
	return -EINVAL;
}

static int nic_from_json(struct json_object *o, struct nic_state *s,
			 char *why, size_t why_size)
{
	char reason[160];
	struct json_object *v;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, why_size, "not an object");
		return -EINVAL;
	}
	for (i = 0; i < sizeof(state_fields) / sizeof(state_fields[0]); i++) {
		const struct state_field *f = &state_fields[i];

		if (json_object_object_get_ex(o, f->key, &v) &&
		    field_from_json(s, f, v, reason, sizeof(reason)))
			return refuse_field(f->key, reason, why, why_size);
	}
	if (json_object_object_get_ex(o, POLICY_KEY, &v) &&
	    overrides_from_json(v, s, reason, sizeof(reason)))
		return refuse_field(POLICY_KEY, reason, why, why_size);
	if (!s->pci_addr[0])
		return refuse_field("pci_addr", "missing or empty", why,
				    why_size);
	return 0;
}

/*
 * Each NIC's entry, all or nothing: one the file does not hold as it was
 * written makes the file unreadable, and the log says which field.
 */
static int nics_from_json(const char *path, struct json_object *arr,
			  struct nic_state *nics, size_t len)
{
	char why[256];
	size_t i;

	for (i = 0; i < len; i++) {
		if (nic_from_json(json_object_array_get_idx(arr, i), &nics[i],
				  why, sizeof(why))) {
			log_nic(LOG_ERR, nics[i].pci_addr[0] ? nics[i].pci_addr :
				NULL, NULL, -1, "%s: NIC entry %zu: %s", path,
				i, why);
			return -EINVAL;
		}
	}
	return 0;
}

int state_load(const char *path, struct nic_state **out, size_t *n)
{
	struct json_object *root, *arr;
	struct nic_state *nics;
	size_t len;
	int rc;

	*out = NULL;
	*n = 0;
	if (access(path, F_OK))
		return errno == ENOENT ? 0 : -errno;
	root = json_object_from_file(path);
	if (!root || !json_object_object_get_ex(root, "nics", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		log_err("%s: %s", path, root ? "no \"nics\" array" :
			"cannot be read as JSON");
		json_object_put(root);
		return -EINVAL;
	}
	len = json_object_array_length(arr);
	nics = calloc(len ? len : 1, sizeof(*nics));
	if (!nics) {
		json_object_put(root);
		return -ENOMEM;
	}
	rc = nics_from_json(path, arr, nics, len);
	json_object_put(root);
	if (rc) {
		free(nics);
		return rc;
	}
	*out = nics;
	*n = len;
	return 0;
}
