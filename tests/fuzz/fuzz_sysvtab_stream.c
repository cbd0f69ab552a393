// SPDX-License-Identifier: GPL-2.0-or-later
/* A whole /proc/sysvipc/shm, as a stream: never more rows than lines. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sysvtab.h"

#define CHECK(c) ((c) ? (void)0 : abort())

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sysvtab tab = { 0 };
	size_t lines = 1;
	FILE *f;

	if (size == 0)
		return 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	f = fmemopen((void *)data, size, "r");
	if (f == NULL)
		return 0;
	if (sysvtab_read_stream(&tab, f) == 0)
		CHECK(tab.n < lines);
	CHECK(tab.n <= tab.cap);
	fclose(f);
	sysvtab_free(&tab);
	return 0;
}
