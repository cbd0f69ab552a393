#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Changes made by other processes show through the mount: contents and
# the names of a fresh listing at once, names and attributes the kernel
# has cached within the watcher's bound (assert_soon, lib.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode_is() { [[ $(stat -c %a "$1") == "$2" ]]; }
size_is() { [[ $(stat -c %s "$1") == "$2" ]]; }
owner_is() { [[ $(stat -c %u:%g "$1") == "$2" ]]; }
gone() { fails_with "No such file or directory" stat "$1"; }
ino_is() { [[ $(stat -c %i "$1") == "$2" ]]; }

start_shmfs

section "SysV: attributes the kernel has cached"
"$H" sysv-create 0x7101 4096 0600 >/dev/null
F=$MNT/sysv/$(sysv_name 0x7101)
ID=$("$H" sysv-id 0x7101)
assert_eq 600 "$(stat -c %a "$F")" "mode as created"
ls -l "$MNT/sysv" >/dev/null # names and attributes now in the kernel's cache
"$H" sysv-chmod 0x7101 640
assert_soon "chmod elsewhere, stat by key" mode_is "$F" 640
assert_soon "chmod elsewhere, stat by id" mode_is "$MNT/sysv-id/$ID" 640
"$H" sysv-chown 0x7101 12 34
assert_soon "chown elsewhere" owner_is "$F" 12:34

section "SysV: removal and re-creation"
"$H" sysv-create 0x7102 4096 >/dev/null
G=$MNT/sysv/$(sysv_name 0x7102)
stat "$G" >/dev/null
"$H" sysv-rm 0x7102
assert_lacks_line "$(sysv_name 0x7102)" "$(ls "$MNT/sysv")" "a fresh listing drops it at once"
assert_soon "removed elsewhere: the name is gone" gone "$G"
"$H" sysv-create 0x7102 8192 >/dev/null
NEWID=$("$H" sysv-id 0x7102)
assert_has_line "$(sysv_name 0x7102)" "$(ls "$MNT/sysv")" "a fresh listing shows the new one at once"
assert_soon "re-created elsewhere: the name is the new segment" size_is "$G" 8192
assert_eq "$((0x100000000 + NEWID))" "$(stat -c %i "$G")" "and has its inode"

section "SysV: removed while attached"
"$H" sysv-create 0x7103 4096 >/dev/null
ID3=$("$H" sysv-id 0x7103)
bg_helper "$TMP/hold" sysv-hold 0x7103 60
H3=$MNT/sysv/$(sysv_name 0x7103)
stat "$H3" "$MNT/sysv-id/$ID3" >/dev/null
"$H" sysv-rm "id:$ID3"
assert_soon "its key name goes" gone "$H3"
assert_ok stat "$MNT/sysv-id/$ID3"
assert_soon "by id it has one link left" sh -c "[ \$(stat -c %h '$MNT/sysv-id/$ID3') = 1 ]"
kill "$BG_PID"
wait "$BG_PID" 2>/dev/null

section "SysV: one segment cached among many (checked one by one)"
"$H" sysv-create-many 0x7200 300 4096
sleep 1.2 # the listing's entries age out of the kernel's cache
M=$MNT/sysv/$(sysv_name 0x7200)
stat "$M" >/dev/null
"$H" sysv-chmod 0x7200 600
assert_soon "chmod elsewhere" mode_is "$M" 600
MID=$("$H" sysv-id 0x7200)
"$H" sysv-rm 0x7200
assert_soon "removed elsewhere: the name is gone" gone "$M"
assert_soon "and its id" gone "$MNT/sysv-id/$MID"

section "SysV: contents, never cached"
"$H" sysv-write 0x7101 0 fresh-bytes
assert_eq fresh-bytes "$(head -c 11 "$F")" "a write elsewhere reads back at once"

section "POSIX: names and attributes"
"$H" posix-create vis 100 0644
P=$MNT/posix/vis
assert_eq 100 "$(stat -c %s "$P")" "size as created"
"$H" posix-truncate vis 5000
assert_soon "truncated elsewhere" size_is "$P" 5000
"$H" posix-write vis 6000 tail
assert_soon "grown by a write elsewhere" size_is "$P" 6004
chmod 600 /dev/shm/vis
assert_soon "chmod elsewhere" mode_is "$P" 600
"$H" posix-rm vis
assert_lacks_line vis "$(ls "$MNT/posix")" "a fresh listing drops it at once"
assert_soon "removed elsewhere" gone "$P"
"$H" posix-create vis 300 0644
assert_eq 300 "$(stat -c %s "$P")" "re-created: shown at once (no name is cached as missing)"

section "POSIX: renamed elsewhere, then changed"
"$H" posix-create ren 10 0644
R=$MNT/posix/ren
assert_eq 10 "$(stat -c %s "$R")" "size as created"
mv /dev/shm/ren /dev/shm/ren2
assert_soon "the old name is gone" gone "$R"
assert_eq 10 "$(stat -c %s "$MNT/posix/ren2")" "the new name is there"
"$H" posix-truncate ren2 20
assert_soon "a change under the new name shows" size_is "$MNT/posix/ren2" 20

section "POSIX: contents"
"$H" posix-write vis 0 hello
assert_eq hello "$(head -c 5 "$P")" "a write elsewhere reads back at once"

stop_shmfs
