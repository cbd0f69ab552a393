// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File names come from whoever calls open() on the mount.  Beyond not
 * crashing, every name the parsers accept must round-trip through the
 * formatter, and every POSIX name accepted must be one the kernel can hold.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	key_t key, key2;
	int id, id2;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (name_parse_key(s, &key) == 0) {
		char buf[NAME_KEY_LEN];

		CHECK(key != 0);
		name_format_key(key, buf);
		CHECK(name_parse_key(buf, &key2) == 0 && key2 == key);
	}
	if (name_parse_shmid(s, &id) == 0) {
		char buf[NAME_ID_LEN];

		CHECK(id >= 0);
		name_format_shmid(id, buf);
		CHECK(name_parse_shmid(buf, &id2) == 0 && id2 == id);
	}
	if (name_check_posix(s) == 0) {
		size_t len = strlen(s);

		CHECK(len > 0 && len <= 255);
		CHECK(strchr(s, '/') == NULL);
		CHECK(strcmp(s, ".") != 0 && strcmp(s, "..") != 0);
		CHECK(strncmp(s, "sem.", 4) != 0);
	}
	free(s);
	return 0;
}
