#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Concurrent writers: several processes write disjoint regions of one
# segment through the mount, several rounds each, while others read it.
# Afterwards every region must hold exactly what its writer wrote last,
# checked through shmat/mmap (shmhelper), not through the mount.  Region
# boundaries fall in the middle of pages on purpose: a write that spills
# or a read-modify-write of a page would clobber a neighbour.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=${SHMSTRESS:?run through meson: SHMSTRESS is not set}
WRITERS=8
ROUNDS=${SHMFS_CONCURRENT_ROUNDS:-8}
SIZE=$((8 * 1024 * 1024 + 4096))
REGION=1048573 # prime: never page-aligned

# region_of I -> "OFFSET LEN"; the last region takes the rest
region_of() {
	local off=$(($1 * REGION)) len=$REGION
	(($1 == WRITERS - 1)) && len=$((SIZE - off))
	echo "$off $len"
}

# run KIND FILE SUM-CMD...: writers and readers on FILE, then check each
# region with "$H" KIND-read
run() {
	local kind=$1 file=$2 seg=$3 i pids=() rpids=() off len rc
	for ((i = 0; i < WRITERS; i++)); do
		read -r off len < <(region_of "$i")
		timeout -k 5 120 "$S" region-writer "$file" "$off" "$len" $((i + 100)) "$ROUNDS" \
			>"$TMP/w$i.out" 2>&1 &
		pids+=($!)
		BG_PIDS+=($!)
	done
	for i in 1 2 3; do
		timeout -k 5 120 bash -c "while kill -0 ${pids[0]} 2>/dev/null; do cat '$file' >/dev/null || exit 1; done" \
			>"$TMP/r$i.out" 2>&1 &
		rpids+=($!)
		BG_PIDS+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[i]}" && rc=0 || rc=$?
		assert_eq 0 "$rc" "$kind writer $i finished without an error $(head -c 300 "$TMP/w$i.out")"
	done
	for i in "${!rpids[@]}"; do
		wait "${rpids[i]}" && rc=0 || rc=$?
		assert_eq 0 "$rc" "$kind reader $((i + 1)) read without an error $(head -c 300 "$TMP/r$((i + 1)).out")"
	done
	for ((i = 0; i < WRITERS; i++)); do
		read -r off len < <(region_of "$i")
		assert_eq "$("$S" pattern "$len" $((i + 100)) | cksum)" \
			"$("$H" "$kind-read" "$seg" "$off" "$len" | cksum)" \
			"$kind region $i [$off, +$len) holds exactly its writer's last round"
	done
}

"$H" sysv-create 0xc0c0 "$SIZE" >/dev/null
"$H" posix-create conc "$SIZE"
start_shmfs

section "$WRITERS writers x $ROUNDS rounds on a SysV segment, 3 readers"
run sysv "$MNT/sysv/0x0000c0c0" 0xc0c0
assert_eq "$SIZE" "$(sysv_field 0xc0c0 size)" "the segment's size did not change"
assert_eq "$("$H" sysv-sum 0xc0c0)" "$(cksum <"$MNT/sysv/0x0000c0c0")" "a read through the mount agrees"

section "$WRITERS writers x $ROUNDS rounds on a POSIX object, 3 readers"
run posix "$MNT/posix/conc" conc
assert_eq "$SIZE" "$(posix_field conc size)" "the object's size did not change"
assert_eq "$("$H" posix-sum conc)" "$(cksum <"$MNT/posix/conc")" "a read through the mount agrees"

section "two writers on one byte range: one of them wins, whole pieces only"
# Both write 64 KiB pieces of their own pattern over the same 1 MiB; any
# byte must come from one of the two, at its own position.
"$H" sysv-create 0xc0c1 1M >/dev/null
wpids=()
for s in 7 8; do
	timeout -k 5 120 "$S" region-writer "$MNT/sysv/0x0000c0c1" 0 1M "$s" 3 >"$TMP/o$s.out" 2>&1 &
	wpids+=($!)
	BG_PIDS+=($!)
done
for p in "${wpids[@]}"; do
	wait "$p" && rc=0 || rc=$?
	assert_eq 0 "$rc" "overlapping writer finished without an error"
done
"$S" pattern 1M 7 >"$TMP/p7"
"$S" pattern 1M 8 >"$TMP/p8"
"$H" sysv-read 0xc0c1 >"$TMP/got"
stray=$(python3 - "$TMP/p7" "$TMP/p8" "$TMP/got" <<'PY'
import sys
a, b, g = (open(f, "rb").read() for f in sys.argv[1:4])
print(len(g) - len(a) + sum(1 for x, y, z in zip(a, b, g) if z != x and z != y))
PY
)
assert_eq 0 "$stray" "every byte is one writer's byte for its position"

assert_true "the daemon is alive" daemon_alive
stop_shmfs_cleanly
