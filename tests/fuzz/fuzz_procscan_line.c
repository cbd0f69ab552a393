// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lines of /proc/PID/maps and smaps, one a line: what the kernel prints
 * for every process, paths chosen by whoever named the files mapped.
 * What is accepted must lie within the line and make sense: the path
 * after the fields, a SysV name exactly as the kernel makes them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procscan.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *line, *save = NULL;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (line = strtok_r(s, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		struct procscan_map_line m;
		uint64_t start = 0, pagesize = 0;
		uint32_t key = 0;
		int what;

		if (procscan_parse_map(line, &m) == 0) {
			CHECK(m.path >= line && m.path <= line + strlen(line));
			CHECK(m.path == line + strlen(line) || *m.path != ' ');
		}
		if (procscan_sysv_path(line, &key)) {
			char name[16];

			CHECK(strncmp(line, "/SYSV", 5) == 0 &&
			      strlen(line) == 23);
			snprintf(name, sizeof(name), "%08x", (unsigned)key);
			CHECK(memcmp(line + 5, name, 8) == 0);
		}
		what = procscan_parse_smaps(line, &start, &pagesize);
		CHECK(what >= 0 && what <= 2);
		CHECK(what != 2 || pagesize % 1024 == 0);
	}
	free(s);
	return 0;
}
