// SPDX-License-Identifier: GPL-2.0-or-later
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

#define GROW_MIN 16

void *grow(void *v, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : GROW_MIN;

	if (need <= *cap)
		return v;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			return NULL;
		n *= 2;
	}
	if (size > 0 && n > SIZE_MAX / size)
		return NULL;
	v = realloc(v, n * size);
	if (v != NULL)
		*cap = n;
	return v;
}
