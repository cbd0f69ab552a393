// SPDX-License-Identifier: GPL-2.0-or-later
#include "name.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int digit_value(char c, unsigned base)
{
	unsigned v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return v < base ? (int)v : -1;
}

/* strtoul accepts signs, spaces and overflow quietly; names must not. */
static int parse_unsigned(const char *s, unsigned base, uint64_t max,
			  uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		int d = digit_value(*s, base);

		if (d < 0)
			return -EINVAL;
		v = v * base + (unsigned)d;
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int name_parse_key(const char *s, key_t *key)
{
	uint64_t v;
	int res;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		res = parse_unsigned(s + 2, 16, UINT32_MAX, &v);
	else
		res = parse_unsigned(s, 10, UINT32_MAX, &v);
	if (res < 0)
		return res;
	if (v == 0)
		return -EINVAL;
	*key = (key_t)(uint32_t)v;
	return 0;
}

/* By hand: the watcher formats one for every segment, 20 times a second. */
void name_format_key(key_t key, char buf[NAME_KEY_LEN])
{
	static const char hex[] = "0123456789abcdef";
	uint32_t k = (uint32_t)key;

	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < 8; i++)
		buf[2 + i] = hex[(k >> (28 - 4 * i)) & 0xf];
	buf[10] = '\0';
}

int name_parse_shmid(const char *s, int *shmid)
{
	uint64_t v;
	int res;

	res = parse_unsigned(s, 10, INT_MAX, &v);
	if (res < 0)
		return res;
	*shmid = (int)v;
	return 0;
}

void name_format_shmid(int shmid, char buf[NAME_ID_LEN])
{
	snprintf(buf, NAME_ID_LEN, "%d", shmid);
}

int name_check_posix(const char *name)
{
	size_t len = strlen(name);

	if (len > NAME_MAX)
		return -ENAMETOOLONG;
	if (len == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return -EINVAL;
	if (strchr(name, '/') != NULL)
		return -EINVAL;
	if (strncmp(name, "sem.", 4) == 0)
		return -EINVAL;
	return 0;
}
