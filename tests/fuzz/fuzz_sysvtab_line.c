// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The header and lines of /proc/sysvipc/shm, one at a time: the first line
 * of the input is the header, every other one a row.  What is accepted
 * must be in range for the fields it fills.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sysvtab_parse.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sysvtab_cols cols;
	char *s = malloc(size + 1), *line, *save = NULL;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	line = strtok_r(s, "\n", &save);
	if (line != NULL && sysvtab_parse_header(line, &cols) == 0) {
		CHECK(cols.ncols > 0);
		for (int c = 0; c < SYSVTAB_NCOLS; c++)
			CHECK(cols.pos[c] >= -1 && cols.pos[c] < cols.ncols);
		while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
			struct sysv_info info;

			if (sysvtab_parse_line(&cols, line, &info) == 0) {
				CHECK(info.shmid >= 0);
				CHECK((info.mode & ~07777u) == 0);
				CHECK(info.cpid >= 0 && info.lpid >= 0);
			}
		}
	}
	free(s);
	return 0;
}
