#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Reads and writes of a SysV segment on huge pages (SHM_HUGETLB, its pages
# reserved) through the mount, against the witness, and what the mount
# says of it.  It needs free huge pages.  vm.nr_hugepages is not per
# namespace, so the test never changes it: where none are free it exits
# 77 with the reason, also with CI=true, the one mount test that does
# (what runs without huge pages, SHM_NORESERVE segments, is test-statfs's).
TEST_NAME=$(basename "$0" .sh)
free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
if [[ ${_SHMFS_TEST_IN_NS:-} == "" && ${free:-0} -lt 2 ]]; then
	echo "$TEST_NAME: SKIP: needs 2 free huge pages, the machine has ${free:-none} (vm.nr_hugepages=$(cat /proc/sys/vm/nr_hugepages 2>/dev/null), not changed by tests: it is not per namespace)"
	exit 77
fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HUGE=$(awk '/^Hugepagesize:/ { print $2 * 1024 }' /proc/meminfo)
SIZE=$((2 * HUGE))
id=$("$H" sysv-create-huge 0x400 "$SIZE") || { fail "cannot make a SHM_HUGETLB segment of $SIZE bytes"; exit 1; }
start_shmfs
F=$MNT/sysv/0x00000400

section "what the mount says of it"
assert_eq "$SIZE" "$(stat -c %s "$F")" "size $SIZE"
bg_helper "$TMP/h" sysv-hold 0x400 60 || exit 1
assert_eq "$HUGE" "$(getfattr --absolute-names --only-values -n user.shm.pagesize "$F")" "pagesize $HUGE"
assert_eq hugetlb "$(getfattr --absolute-names --only-values -n user.shm.status "$F")" "status hugetlb"
kill "$BG_PID" && wait "$BG_PID" 2>/dev/null

section "writes through the mount, read by the witness"
assert_true "a write of text" sh -c 'printf "huge hello" | dd of="$1" conv=notrunc status=none' sh "$F"
assert_eq "huge hello" "$("$H" sysv-read 0x400 0 10)" "the witness reads it"
assert_true "a write across the first huge page's end" \
	sh -c 'printf across | dd of="$1" bs=1 seek=$(($2 - 3)) conv=notrunc status=none' sh "$F" "$HUGE"
assert_eq across "$("$H" sysv-read 0x400 $((HUGE - 3)) 6)" "the witness reads both halves"
assert_true "1 MiB blocks to the end" \
	sh -c 'head -c "$2" /dev/urandom >"$3" && dd if="$3" of="$1" bs=1M conv=notrunc status=none' \
	sh "$F" "$SIZE" "$TMP/data"
assert_eq "$(cksum <"$TMP/data")" "$("$H" sysv-sum 0x400)" "the witness: the same bytes"

section "writes by the witness, read through the mount"
"$H" sysv-fill 0x400 9
assert_eq "$("$H" sysv-sum 0x400)" "$(cksum <"$F")" "cat of the file: the same bytes"
assert_eq "$("$H" sysv-read 0x400 $((HUGE - 8)) 16 | od -An -tx1)" \
	"$(dd if="$F" bs=1 skip=$((HUGE - 8)) count=16 status=none | od -An -tx1)" \
	"a read across the huge page boundary"

section "truncate zero-fills"
assert_true "truncate -s $HUGE" truncate -s "$HUGE" "$F"
assert_eq "$SIZE" "$(sysv_field 0x400 size)" "the size stays"
assert_eq "$(head -c 4096 /dev/zero | od -An -tx1)" "$("$H" sysv-read 0x400 "$HUGE" 4096 | od -An -tx1)" \
	"the second huge page is zeros"
assert_true "the daemon survives" daemon_alive
stop_shmfs_cleanly
assert_all_detached
