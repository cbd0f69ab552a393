#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The seed scenario: two ordinary programs share memory, one through a
# System V segment, one through a POSIX object; shmfs shows both as files,
# and a write through the mount is seen by shmat.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

section "processes create shared memory"
assert_ok "$H" sysv-create 1234 4096
assert_ok "$H" sysv-write 1234 0 "Hello, World!"
assert_ok "$H" posix-create myshm 4096
assert_ok "$H" posix-write myshm 0 "Hello from process 1!"

start_shmfs

section "cat shows them"
assert_eq $'memfd\nns\nposix\nsysv\nsysv-id' "$(ls "$MNT")" "ls MNT"
assert_eq "0x000004d2" "$(ls "$MNT/sysv")" "ls MNT/sysv"
assert_eq "myshm" "$(ls "$MNT/posix")" "ls MNT/posix"
assert_eq "Hello, World!" "$(cat "$MNT/sysv/0x000004d2" | strip_nul)" "cat sysv/0x000004d2"
assert_eq 4096 "$(cat "$MNT/sysv/0x000004d2" | wc -c)" "cat sysv/0x000004d2 returns the whole segment"
assert_eq "Hello from process 1!" "$(cat "$MNT/posix/myshm" | strip_nul)" "cat posix/myshm"
assert_eq 4096 "$(stat -c %s "$MNT/posix/myshm")" "size of posix/myshm"

section "echo through the mount is seen by shmat/mmap"
assert_true "echo > sysv/0x000004d2" sh -c 'echo "Hi there" > "$1"' sh "$MNT/sysv/0x000004d2"
assert_eq "Hi there" "$("$H" sysv-read 1234 0 8)" "helper reads the new text"
assert_eq "0a00000000" "$("$H" sysv-read 1234 8 5 | xxd -p)" "newline, then the old text is zeroed"
assert_eq "" "$("$H" sysv-read 1234 9 | strip_nul)" "rest of the segment is zero"
assert_eq 4096 "$(sysv_field 1234 size)" "segment keeps its size"
assert_true "echo > posix/myshm" sh -c 'echo "Hello back" > "$1"' sh "$MNT/posix/myshm"
assert_eq "$(printf 'Hello back\n' | xxd -p)" "$("$H" posix-read myshm | xxd -p)" "helper reads the POSIX object"
assert_eq 11 "$(posix_field myshm size)" "POSIX object is truncated and rewritten"

section "unmount"
stop_shmfs && rc=0 || rc=$?
assert_eq 0 "$rc" "daemon exits 0 after fusermount3 -u"
assert_eq "Hi there" "$("$H" sysv-read 1234 0 8)" "segment survives the unmount"
