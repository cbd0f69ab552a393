// SPDX-License-Identifier: GPL-2.0-or-later
#include "kind.h"

#include "posix.h"
#include "sysv.h"

const struct kind *const kinds[] = {
	&posix_kind,
	&sysv_kind,
	NULL,
};
