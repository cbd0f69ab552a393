/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SipHash-2-4 (Aumasson and Bernstein): a keyed hash that one who does not
 * know the key cannot make collide, for hashes of names others choose.
 */
#ifndef SHMFS_SIPHASH_H
#define SHMFS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
