// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

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

static struct json_object *nic_to_json(const struct nic_state *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "pci_addr", json_object_new_string(s->pci_addr));
	json_object_object_add(o, "unbound_by_us",
			       json_object_new_boolean(s->unbound_by_us));
	json_object_object_add(o, "driver", json_object_new_string(s->driver));
	json_object_object_add(o, "pending", json_object_new_string(s->pending));
	json_object_object_add(o, "memdev", json_object_new_string(s->memdev));
	json_object_object_add(o, "memdev_host",
			       json_object_new_string(s->memdev_host));
	json_object_object_add(o, "region", json_object_new_string(s->region));
	json_object_object_add(o, "region_uuid",
			       json_object_new_string(s->region_uuid));
	json_object_object_add(o, "held", json_object_new_boolean(s->held));
	json_object_object_add(o, "held_override",
			       json_object_new_string(s->held_override));
	json_object_object_add(o, "operator_pci",
			       json_object_new_boolean(s->operator_pci));
	json_object_object_add(o, "recover_requested",
			       json_object_new_boolean(s->recover_requested));
	json_object_object_add(o, "policy",
			       policy_overrides_to_json(s->overrides, s->n_overrides));
	return o;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
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
	rc = write_all(fd, text, strlen(text));
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
 * A field of the file, if there: of its type and size, or the file is not
 * ours (a truncated name or a string read as true would act on the wrong
 * thing).
 */
static int copy_str(char *dst, size_t len, struct json_object *o,
		    const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) >= len)
		return -EINVAL;
	memcpy(dst, json_object_get_string(v), json_object_get_string_len(v) + 1);
	return 0;
}

static int copy_bool(bool *dst, struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return -EINVAL;
	*dst = json_object_get_boolean(v);
	return 0;
}

static int overrides_from_json(struct json_object *o, struct nic_state *s)
{
	struct policy_override *ov;

	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	json_object_object_foreach(o, key, v) {
		if (s->n_overrides == STATE_MAX_OVERRIDES ||
		    !json_object_is_type(v, json_type_string) ||
		    strlen(key) >= sizeof(ov->key) ||
		    strlen(json_object_get_string(v)) >= sizeof(ov->value))
			return -EINVAL;
		ov = &s->overrides[s->n_overrides++];
		strcpy(ov->key, key);
		strcpy(ov->value, json_object_get_string(v));
	}
	return 0;
}

static int nic_from_json(struct json_object *o, struct nic_state *s)
{
	struct json_object *v;

	memset(s, 0, sizeof(*s));
	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	if (copy_str(s->pci_addr, sizeof(s->pci_addr), o, "pci_addr") ||
	    copy_str(s->driver, sizeof(s->driver), o, "driver") ||
	    copy_str(s->pending, sizeof(s->pending), o, "pending") ||
	    copy_str(s->memdev, sizeof(s->memdev), o, "memdev") ||
	    copy_str(s->memdev_host, sizeof(s->memdev_host), o,
		     "memdev_host") ||
	    copy_str(s->region, sizeof(s->region), o, "region") ||
	    copy_str(s->region_uuid, sizeof(s->region_uuid), o,
		     "region_uuid") ||
	    copy_str(s->held_override, sizeof(s->held_override), o,
		     "held_override") ||
	    copy_bool(&s->unbound_by_us, o, "unbound_by_us") ||
	    copy_bool(&s->held, o, "held") ||
	    copy_bool(&s->operator_pci, o, "operator_pci") ||
	    copy_bool(&s->recover_requested, o, "recover_requested"))
		return -EINVAL;
	if (json_object_object_get_ex(o, "policy", &v) &&
	    overrides_from_json(v, s))
		return -EINVAL;
	return s->pci_addr[0] ? 0 : -EINVAL;
}

int state_load(const char *path, struct nic_state **out, size_t *n)
{
	struct json_object *root, *arr;
	struct nic_state *nics;
	size_t i, len;

	*out = NULL;
	*n = 0;
	if (access(path, F_OK))
		return errno == ENOENT ? 0 : -errno;
	root = json_object_from_file(path);
	if (!root || !json_object_object_get_ex(root, "nics", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		json_object_put(root);
		return -EINVAL;
	}
	len = json_object_array_length(arr);
	nics = calloc(len ? len : 1, sizeof(*nics));
	if (!nics) {
		json_object_put(root);
		return -ENOMEM;
	}
	for (i = 0; i < len; i++) {
		if (nic_from_json(json_object_array_get_idx(arr, i), &nics[i])) {
			free(nics);
			json_object_put(root);
			return -EINVAL;
		}
	}
	json_object_put(root);
	*out = nics;
	*n = len;
	return 0;
}
