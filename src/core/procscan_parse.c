// SPDX-License-Identifier: GPL-2.0-or-later
/* The lines of /proc/PID/maps and smaps that the scan reads. */
#include "procscan.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

static int parse_hex(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	for (; *s != '\0'; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else
			break;
		if (x > (UINT64_MAX >> 4))
			return -EINVAL;
		x = x << 4 | d;
	}
	if (s == *p)
		return -EINVAL;
	*p = s;
	*v = x;
	return 0;
}

static int parse_dec(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;

	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (x > (UINT64_MAX - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
	}
	if (s == *p)
		return -EINVAL;
	*p = s;
	*v = x;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

/* "START-END PERMS OFFSET MAJOR:MINOR INODE [PATH]", as show_map() prints. */
int procscan_parse_map(const char *line, struct procscan_map_line *m)
{
	const char *p = line;
	uint64_t major, minor;
	int res;

	res = parse_hex(&p, &m->start) ?: expect(&p, '-') ?:
	      parse_hex(&p, &m->end) ?: expect(&p, ' ');
	if (res < 0)
		return res;
	for (int i = 0; i < 4; i++)
		if (*p++ == '\0')
			return -EINVAL;
	res = expect(&p, ' ') ?: parse_hex(&p, &m->offset) ?:
	      expect(&p, ' ') ?: parse_hex(&p, &major) ?: expect(&p, ':') ?:
	      parse_hex(&p, &minor) ?: expect(&p, ' ') ?:
	      parse_dec(&p, &m->ino);
	if (res < 0 || major > UINT_MAX || minor > UINT_MAX)
		return -EINVAL;
	if (*p != '\0' && *p != ' ' && *p != '\n')
		return -EINVAL;
	while (*p == ' ')
		p++;
	m->major = (unsigned)major;
	m->minor = (unsigned)minor;
	m->path = p;
	return 0;
}

int procscan_sysv_path(const char *path, uint32_t *key)
{
	static const char deleted[] = " (deleted)";
	uint32_t k = 0;

	if (strncmp(path, "/SYSV", 5) != 0)
		return 0;
	for (int i = 5; i < 13; i++) {
		char c = path[i];

		if (c >= '0' && c <= '9')
			k = k << 4 | (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			k = k << 4 | (uint32_t)(c - 'a' + 10);
		else
			return 0;
	}
	/* Its file is always unlinked: the kernel made it so. */
	if (strcmp(path + 13, deleted) != 0)
		return 0;
	if (key != NULL)
		*key = k;
	return 1;
}

int procscan_parse_smaps(const char *line, uint64_t *start, uint64_t *pagesize)
{
	static const char kps[] = "KernelPageSize:";
	struct procscan_map_line m;
	const char *p;
	uint64_t kb;

	if (strncmp(line, kps, sizeof(kps) - 1) == 0) {
		p = line + sizeof(kps) - 1;
		while (*p == ' ')
			p++;
		if (parse_dec(&p, &kb) < 0 || strcmp(p, " kB") != 0 ||
		    kb > UINT64_MAX / 1024)
			return 0;
		*pagesize = kb * 1024;
		return 2;
	}
	if (procscan_parse_map(line, &m) < 0)
		return 0;
	*start = m.start;
	return 1;
}

const char *procscan_memfd_path(const char *path, size_t *len)
{
	static const char deleted[] = " (deleted)";
	size_t n;

	if (strncmp(path, "/memfd:", 7) != 0)
		return NULL;
	path += 7;
	n = strlen(path);
	/* Always unlinked: it never had a name in any directory. */
	if (n < sizeof(deleted) - 1 ||
	    strcmp(path + n - (sizeof(deleted) - 1), deleted) != 0)
		return NULL;
	n -= sizeof(deleted) - 1;
	if (n > PROCSCAN_MEMFD_NAME_MAX)
		return NULL;
	*len = n;
	return path;
}
