#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -o kernel_cache, speed over live reads: contents go through the page
# cache and mmap(MAP_SHARED) of a file works; the daemon's own data path
# (-o passthrough=off) refuses such a mapping (ENODEV), because it could
# not show other processes' stores.  (Passthrough maps the memory itself:
# test-passthrough.sh.)
# What is cached is dropped at an open after another process attached or
# detached, on every write(2) to a POSIX object, and by our own truncate.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

reads() { [[ $(head -c "${#2}" "$1") == "$2" ]]; }

section "passthrough=off: no shared mappings"
start_shmfs -o passthrough=off
"$H" sysv-create 0x5c01 8192 0600 >/dev/null
F=$MNT/sysv/$(sysv_name 0x5c01)
assert_fails_with "No such device" "$H" map-read "$F" 0 4
stop_shmfs

section "kernel_cache: reads, writes and shared mappings"
start_shmfs -o kernel_cache
"$H" sysv-write 0x5c01 0 first
assert_eq first "$(head -c 5 "$F")" "read through the cache"
printf second | dd of="$F" bs=6 conv=notrunc status=none
assert_eq second "$("$H" sysv-read 0x5c01 0 6)" "a write reaches the segment at once"
assert_eq second "$(head -c 6 "$F")" "and reads back"
assert_eq second "$("$H" map-read "$F" 0 6)" "mmap(MAP_SHARED) of the file reads it"
"$H" map-write "$F" 100 mapped
assert_eq mapped "$("$H" sysv-read 0x5c01 100 6)" "a store through the mapping reaches the segment (msync)"
assert_eq 8192 "$(stat -c %s "$F")" "size unchanged"

section "kernel_cache: what drops the cache"
head -c 8192 "$F" >/dev/null # all of it cached
"$H" sysv-write 0x5c01 0 others
assert_true "the next open after another process's attach and store sees it" reads "$F" others
truncate -s 0 "$F"
assert_eq 0 "$("$H" sysv-read 0x5c01 0 6 | tr -d '\0' | wc -c)" "truncate zeroes the segment"
assert_soon "and the cache drops what it held" sh -c "[ -z \"\$(head -c 6 '$F' | tr -d '\\0')\" ]"
"$H" posix-create kc 100 0644
P=$MNT/posix/kc
"$H" posix-write kc 0 one
assert_eq one "$(head -c 3 "$P")" "POSIX object read through the cache"
"$H" posix-write kc 0 two
printf x >>/dev/shm/kc # a write(2): inotify says so, the cache drops
assert_soon "a POSIX object changed elsewhere is read afresh" reads "$P" two
assert_true "the daemon is alive" daemon_alive
stop_shmfs
