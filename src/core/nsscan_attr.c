// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who a namespace of ns/ is: its processes, and the cgroup of one, where
 * Docker, Podman, containerd and Kubernetes put the container's id.
 * Computed at each request, never listed (like every user.shm.*).
 */
#include "nsscan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"

#define NS_VALUE_MAX 65536

int nsscan_parse_cgroup(const char *text, char *path, size_t size)
{
	const char *line = text, *use = NULL;

	while (line != NULL && *line != '\0') {
		const char *c1 = strchr(line, ':');
		const char *c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
		const char *end = strchr(line, '\n');

		if (c2 != NULL && (end == NULL || c2 < end)) {
			if (use == NULL || strncmp(line, "0::", 3) == 0)
				use = c2 + 1;
			if (strncmp(line, "0::", 3) == 0)
				break;
		}
		line = end != NULL ? end + 1 : NULL;
	}
	if (use == NULL)
		return -ENODATA;
	size_t len = strcspn(use, "\n");

	if (len >= size)
		return -E2BIG;
	memcpy(path, use, len);
	path[len] = '\0';
	return 0;
}

/* The cgroup path of PID, into PATH. */
static int cgroup_of(pid_t pid, char *path, size_t size)
{
	char name[40], text[4096];
	ssize_t len;
	int fd;

	snprintf(name, sizeof(name), "/proc/%d/cgroup", (int)pid);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len < 0)
		return -ENOENT;
	text[len] = '\0';
	return nsscan_parse_cgroup(text, path, size);
}

/* The value of NAME (without "user.shm.") into V, NS_VALUE_MAX bytes. */
static ssize_t value_of(const pid_t *pids, size_t n, const char *name, char *v)
{
	size_t at = 0;
	int res;

	if (strcmp(name, "pids") == 0) {
		for (size_t i = 0; i < n; i++) {
			int len = snprintf(v + at, NS_VALUE_MAX - at, "%s%d",
					   i > 0 ? "," : "", (int)pids[i]);

			if (len < 0 || (size_t)len >= NS_VALUE_MAX - at)
				return -E2BIG;
			at += (size_t)len;
		}
		return (ssize_t)at;
	}
	if (strcmp(name, "cgroup") == 0) {
		res = cgroup_of(pids[0], v, NS_VALUE_MAX);
		return res < 0 ? res : (ssize_t)strlen(v);
	}
	if (strcmp(name, "all") == 0) {
		static const char *const names[] = { "pids", "cgroup" };

		for (size_t i = 0; i < 2; i++) {
			int len = snprintf(v + at, NS_VALUE_MAX - at,
					   ATTR_XATTR_PREFIX "%s=", names[i]);
			ssize_t got;

			if (len < 0 || (size_t)len >= NS_VALUE_MAX - at)
				return -E2BIG;
			at += (size_t)len;
			got = value_of(pids, n, names[i], v + at);
			if (got < 0)
				got = 0; /* a cgroup unread: the line empty */
			at += (size_t)got;
			if (at + 1 >= NS_VALUE_MAX)
				return -E2BIG;
			v[at++] = '\n';
		}
		return (ssize_t)at;
	}
	return -ENODATA;
}

ssize_t nsscan_getxattr(const struct seg_cred *c, uint64_t ns, const char *name,
			char *buf, size_t size)
{
	static const char prefix[] = ATTR_XATTR_PREFIX;
	pid_t *pids;
	size_t n;
	ssize_t len;
	char *v;
	int res;

	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0)
		return -ENODATA;
	res = nsscan_pids(c, ns, &pids, &n);
	if (res < 0)
		return res;
	v = malloc(NS_VALUE_MAX);
	len = v != NULL ? value_of(pids, n, name + sizeof(prefix) - 1, v)
			: -ENOMEM;
	free(pids);
	if (len >= 0 && size > 0) {
		if ((size_t)len > size)
			len = -ERANGE;
		else
			memcpy(buf, v, (size_t)len);
	}
	free(v);
	return len;
}
