#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# System V segments through sysv/ and sysv-id/, checked with shmhelper/ipcs.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ENOENT="No such file or directory"
EIDRM="Invalid argument" # shmctl(IPC_STAT) of a removed shmid
EACCES="Permission denied"
EPERM="Operation not permitted"
ENOTSUP="Operation not supported"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
PAGE=$(getconf PAGESIZE)
S=$MNT/sysv
hex() { xxd -p | tr -d '\n'; }
# syswrite_at FILE OFFSET TEXT: one write(2) at OFFSET; prints its result
syswrite_at() {
	perl -e 'open(my $f, "+<", $ARGV[0]) or die "open: $!\n"; sysseek($f, $ARGV[1], 0);
		my $n = syswrite($f, $ARGV[2]); print defined $n ? $n : "$!"' "$@"
}

id=$("$H" sysv-create 0x1000 4096 0644)
F=$S/0x00001000
start_shmfs -o allow_other

section "read"
"$H" sysv-write 0x1000 100 "abc"
assert_eq abc "$(dd if="$F" bs=1 skip=100 count=3 status=none)" "dd reads at an offset"
assert_eq 4096 "$(cat "$F" | wc -c)" "reads end at shm_segsz"
assert_eq "$("$H" sysv-sum 0x1000)" "$(cksum <"$F")" "cat returns exactly the segment contents"
assert_eq "" "$(dd if="$F" bs=1 skip=4096 count=10 status=none)" "read at the end returns nothing"

section "write"
assert_true "dd writes at an offset" sh -c 'printf XYZ | dd of="$1" bs=1 seek=10 conv=notrunc status=none' sh "$F"
assert_eq XYZ "$("$H" sysv-read 0x1000 10 3)" "helper sees the dd write"
assert_eq abc "$("$H" sysv-read 0x1000 100 3)" "bytes around it are kept"
assert_eq 6 "$(syswrite_at "$F" 4090 0123456789)" "a write reaching past the end is short"
assert_eq 012345 "$("$H" sysv-read 0x1000 4090)" "the part that fits was written"
assert_eq "No space left on device" "$(syswrite_at "$F" 4096 x)" "a write at the end is ENOSPC"
assert_eq "No space left on device" "$(syswrite_at "$F" 10000 x)" "a write after the end is ENOSPC"
assert_fails_with "No space left on device" dd if=/dev/zero of="$F" bs=1k seek=4 count=1 conv=notrunc status=none
assert_eq 4096 "$(sysv_field 0x1000 size)" "failed writes do not change the size"

section "a segment that is not a whole number of pages"
"$H" sysv-create 0xd000 10 >/dev/null
D=$S/0x0000d000
assert_eq 10 "$(stat -c %s "$D")" "stat size 10"
assert_eq 10 "$(cat "$D" | wc -c)" "reads end at byte 10, not at the page end"
assert_eq 2 "$(syswrite_at "$D" 8 abcd)" "write across byte 10 is short"
assert_eq "No space left on device" "$(syswrite_at "$D" 10 x)" "write at byte 10 is ENOSPC"
assert_fails_with "File too large" truncate -s 11 "$D"
assert_eq 00000000000000006162 "$("$H" sysv-read 0xd000 | xxd -p)" "contents"

section "offsets past 4 GiB"
"$H" sysv-create 0xe000 5G >/dev/null
E=$S/0x0000e000
assert_eq 5368709120 "$(stat -c %s "$E")" "stat size of a 5 GiB segment"
"$H" sysv-write 0xe000 5368709115 "tail!"
assert_eq "tail!" "$(dd if="$E" iflag=skip_bytes skip=5368709115 bs=5 count=1 status=none)" "read at 5 GiB - 5"
assert_true "dd write at 4 GiB + 1" sh -c 'printf XY | dd of="$1" oflag=seek_bytes seek=4294967297 conv=notrunc status=none' sh "$E"
assert_eq XY "$("$H" sysv-read 0xe000 4294967297 2)" "helper sees the write at 4 GiB + 1"
assert_eq "" "$("$H" sysv-read 0xe000 1 1 | strip_nul)" "nothing written at the low 32 bits of the offset"
assert_eq "No space left on device" "$(syswrite_at "$E" 5368709120 x)" "write at 5 GiB is ENOSPC"
"$H" sysv-rm 0xe000

section "truncate"
"$H" sysv-write 0x1000 0 keepme
"$H" sysv-write 0x1000 200 gone
assert_ok truncate -s 100 "$F"
assert_eq 4096 "$(sysv_field 0x1000 size)" "truncate -s 100 keeps the size"
assert_eq 4096 "$(stat -c %s "$F")" "stat size after truncate -s 100"
assert_eq keepme "$("$H" sysv-read 0x1000 0 6)" "bytes before the cut are kept"
assert_eq "" "$("$H" sysv-read 0x1000 100 | strip_nul)" "bytes from the cut on are zeroed"
assert_true "echo hi > segment" sh -c 'echo hi > "$1"' sh "$F"
assert_eq 68690a "$("$H" sysv-read 0x1000 0 3 | hex)" "echo hi > leaves hi\\n"
assert_eq "" "$("$H" sysv-read 0x1000 3 | strip_nul)" "then zeros"
assert_eq 4096 "$(sysv_field 0x1000 size)" "echo > keeps the size"
assert_fails_with "File too large" truncate -s 4097 "$F"
assert_fails_with "File too large" truncate -s 1M "$F"
assert_eq 4096 "$(sysv_field 0x1000 size)" "refused truncate keeps the size"
assert_eq 68690a "$("$H" sysv-read 0x1000 0 3 | hex)" "refused truncate keeps the contents"

section "create"
assert_true "echo hello > new key" sh -c 'echo hello > "$1"' sh "$S/0x00002000"
assert_eq 6 "$(sysv_field 0x2000 size)" "echo hello creates a 6-byte segment"
assert_eq 68656c6c6f0a "$("$H" sysv-read 0x2000 | hex)" "with hello\\n"
assert_eq 0644 "$(sysv_field 0x2000 mode)" "mode 0644 under umask 022"
assert_eq 0 "$(sysv_field 0x2000 uid)" "owned by the caller (root)"
head -c 102400 /dev/urandom >"$TMP/100k.bin"
assert_ok cp "$TMP/100k.bin" "$S/0x00003000"
assert_eq 102400 "$(sysv_field 0x3000 size)" "cp 100 KiB creates a 102400-byte segment"
assert_eq "$(cksum <"$TMP/100k.bin")" "$("$H" sysv-sum 0x3000)" "with the file's contents"
assert_ok cmp "$TMP/100k.bin" "$S/0x00003000"
head -c 64M /dev/urandom >"$TMP/64m.bin"
assert_ok dd if="$TMP/64m.bin" of="$S/0x00004000" bs=1M count=64 status=none
assert_eq 67108864 "$(sysv_field 0x4000 size)" "dd bs=1M count=64 creates a 64 MiB segment"
assert_eq "$(cksum <"$TMP/64m.bin")" "$("$H" sysv-sum 0x4000)" "with the right 64 MiB"
assert_eq "$(cksum <"$TMP/64m.bin")" "$(cksum <"$S/0x00004000")" "and reads back the same 64 MiB"
rm -f "$TMP/64m.bin"
assert_ok touch "$S/0x00005000"
assert_eq "$PAGE" "$(sysv_field 0x5000 size)" "touch creates a one-page segment"
assert_ok truncate -s 12345 "$S/0x00006000"
assert_eq 12345 "$(sysv_field 0x6000 size)" "truncate -s 12345 creates a 12345-byte segment"
assert_true "(umask 077; echo x > new key)" sh -c 'umask 077; echo x > "$1"' sh "$S/0x00007000"
assert_eq 0600 "$(sysv_field 0x7000 mode)" "the umask applies to the mode"
assert_true "echo x > sysv/4660 (decimal name)" sh -c 'echo x > "$1"' sh "$S/4660"
assert_eq 0x00001234 "$(sysv_field 4660 key)" "creating by a decimal name uses that key"
assert_has_line 0x00001234 "$(ls "$S")" "and it is listed canonically"
assert_true "nobody creates a segment" "${NOBODY[@]}" sh -c 'echo x > "$1"' sh "$S/0x00008000"
assert_eq 65534 "$(sysv_field 0x8000 uid)" "segment uid is the creating user"
assert_eq 65534 "$(stat -c %u "$S/0x00008000")" "and stat shows it"

section "permissions (mounted with allow_other)"
"$H" sysv-create 0xb000 4096 0600 >/dev/null
"$H" sysv-write 0xb000 0 secret
"$H" sysv-create 0xb001 4096 0644 >/dev/null
"$H" sysv-write 0xb001 0 public
assert_fails_with "$EACCES" "${NOBODY[@]}" cat "$S/0x0000b000"
assert_fails_with "$EACCES" "${NOBODY[@]}" sh -c 'printf x | dd of="$1" conv=notrunc status=none' sh "$S/0x0000b001"
assert_eq public "$("${NOBODY[@]}" cat "$S/0x0000b001" | strip_nul)" "nobody can read a 0644 segment"
assert_eq public "$("$H" sysv-read 0xb001 0 6)" "nobody's refused write changed nothing"
assert_fails_with_any "$EACCES|$EPERM" "${NOBODY[@]}" chmod 666 "$S/0x0000b000"
assert_fails_with_any "$EACCES|$EPERM" "${NOBODY[@]}" rm -f "$S/0x0000b000"
assert_fails_with "Operation not permitted" "${NOBODY[@]}" chown 65534 "$S/0x0000b001"
assert_fails_with "Permission denied" "${NOBODY[@]}" truncate -s 0 "$S/0x0000b001"
assert_eq "0600 secret" "$(sysv_field 0xb000 mode) $("$H" sysv-read 0xb000 0 6)" "segment untouched by nobody"
assert_eq "0 public" "$(sysv_field 0xb001 uid) $("$H" sysv-read 0xb001 0 6)" "segment untouched by nobody"
assert_true "nobody creates, chmods and removes its own segment" "${NOBODY[@]}" \
	sh -c 'echo hi > "$1" && chmod 600 "$1" && test "$(stat -c %a "$1")" = 600 && rm "$1"' sh "$S/0x0000b002"
assert_fails_with "$ENOENT" "$H" sysv-id 0xb002

section "rm"
id2=$("$H" sysv-id 0x2000)
assert_ok rm "$S/0x00002000"
assert_fails_with "$EIDRM" "$H" sysv-stat "id:$id2"
assert_lacks_line 0x00002000 "$(ls "$S")" "rm'd segment is no longer listed"
assert_lacks_line "$id2" "$(ls "$MNT/sysv-id")" "nor in sysv-id/"
id9=$("$H" sysv-create 0x9000 8192)
"$H" sysv-write 0x9000 0 "still here"
bg_helper "$TMP/hold.out" sysv-hold 0x9000 --until-file "$TMP/release"
assert_eq 1 "$(sysv_field 0x9000 nattch)" "holder is attached"
assert_ok rm "$S/0x00009000"
assert_fails_with "$ENOENT" stat "$S/0x00009000"
assert_lacks_line 0x00009000 "$(ls "$S")" "removed key vanishes from sysv/ at once"
assert_eq 1 "$("$H" sysv-stat "id:$id9" dest)" "segment is marked for destruction"
assert_has_line "$id9" "$(ls "$MNT/sysv-id")" "attached segment stays in sysv-id/"
assert_eq "still here" "$(cat "$MNT/sysv-id/$id9" | strip_nul)" "and can still be read there"
assert_eq 1 "$(stat -c %h "$MNT/sysv-id/$id9")" "with st_nlink 1 (key is now 0)"
assert_eq dest "$(getfattr --absolute-names -n user.shm.status --only-values "$MNT/sysv-id/$id9")" "user.shm.status says dest, as ipcs"
assert_eq dest "$(ipcs -m | awk -v id="$id9" '$2 == id { print $7 }')" "(ipcs -m status)"
touch "$TMP/release"
wait "$BG_PID"
assert_fails_with "$EIDRM" "$H" sysv-stat "id:$id9"
assert_lacks_line "$id9" "$(ls "$MNT/sysv-id")" "gone from sysv-id/ after the last detach"
assert_soon "destroyed at the last detach: gone by id" fails_with "$ENOENT" stat "$MNT/sysv-id/$id9"

section "chmod, chown, chgrp = IPC_SET"
assert_ok chmod 600 "$F"
assert_eq 0600 "$(sysv_field 0x1000 mode)" "chmod 600"
assert_eq 600 "$(stat -c %a "$F")" "stat shows 600"
assert_ok chmod 640 "$MNT/sysv-id/$id"
assert_eq 0640 "$(sysv_field 0x1000 mode)" "chmod through sysv-id/"
assert_ok chown 65534:65534 "$F"
assert_eq "65534 65534" "$(sysv_field 0x1000 uid) $(sysv_field 0x1000 gid)" "chown 65534:65534"
assert_ok chgrp 100 "$F"
assert_eq 100 "$(sysv_field 0x1000 gid)" "chgrp 100"
assert_eq 0 "$(sysv_field 0x1000 cuid)" "creator uid is unchanged"
assert_eq "640 65534 100" "$(stat -c '%a %u %g' "$F")" "stat agrees"
assert_eq "$(ipcs -m | awk '$1 == "0x00001000" { print $4, $5 }')" "$(stat -c '%a %s' "$F")" "ipcs -m agrees with stat"

section "stat"
"$H" sysv-create 0xa000 40960 0604 >/dev/null
A=$S/0x0000a000
assert_eq "regular file 604 0 0 40960" "$(stat -c '%F %a %u %g %s' "$A")" "type, mode, owner and size"
assert_eq 0 "$(stat -c %b "$A")" "untouched segment has no resident blocks"
"$H" sysv-fill 0xa000 1
blocks_cover() { (($(stat -c '%b * %B' "$A") == 40960)); }
assert_soon "filled segment: blocks cover the resident memory" blocks_cover

section "extended attributes"
names=$(getfattr --absolute-names --only-values -n user.shm.all "$F" 2>/dev/null | grep -o '^[a-z.]*' | sort | tr '\n' ' ')
assert_eq "user.shm.cgid user.shm.cpid user.shm.cuid user.shm.id user.shm.key user.shm.lpid user.shm.nattch user.shm.orphan user.shm.pagesize user.shm.pids user.shm.rss user.shm.status user.shm.swap " \
	"$names" "user.shm.all shows the user.shm.* attributes"
assert_eq "" "$(getfattr --absolute-names -d -m - "$F" 2>&1)" "getfattr -d lists none: copy tools would copy them"
xa() { getfattr --absolute-names -n "user.shm.$1" --only-values "$2" 2>&1; }
assert_eq 0x00001000 "$(xa key "$F")" "user.shm.key, as named under sysv/"
assert_eq "$id" "$(xa id "$F")" "user.shm.id"
assert_eq "$(sysv_field 0x1000 cpid)" "$(xa cpid "$F")" "user.shm.cpid"
assert_eq "$(sysv_field 0x1000 lpid)" "$(xa lpid "$F")" "user.shm.lpid"
assert_eq 0 "$(xa cuid "$F")" "user.shm.cuid"
assert_eq 0 "$(xa cgid "$F")" "user.shm.cgid"
assert_eq 0 "$(xa nattch "$F")" "user.shm.nattch"
# /proc/sysvipc/shm: the kernel's own rss and swap (bytes) per shmid
procshm() { awk -v id="$1" -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	$(c["shmid"]) == id { print $(c[col]) }' /proc/sysvipc/shm; }
idA=$("$H" sysv-id 0xa000)
assert_eq "$(procshm "$idA" rss)" "$(xa rss "$A")" "user.shm.rss = rss in /proc/sysvipc/shm"
assert_eq "$(procshm "$idA" swap)" "$(xa swap "$A")" "user.shm.swap = swap in /proc/sysvipc/shm"
assert_eq "" "$(xa status "$A")" "user.shm.status of a plain segment is empty"
bg_helper "$TMP/hold2.out" sysv-hold 0x1000 --until-file "$TMP/release2"
assert_eq 1 "$(xa nattch "$F")" "user.shm.nattch follows attaches"
touch "$TMP/release2"
wait "$BG_PID"
# user.shm.* are the kernel's and read-only (EPERM); a segment has no room
# for any other user.* attribute (ENOTSUP).
assert_fails_with "$EPERM" setfattr -n user.shm.key -v 5 "$F"
assert_fails_with "$ENOTSUP" setfattr -n user.other -v 5 "$F"
assert_fails_with "$EPERM" setfattr -x user.shm.id "$F"
assert_fails_with "$ENOTSUP" setfattr -x user.other "$F"
assert_eq "$id" "$(xa id "$F")" "attributes unchanged"

section "sysv-id/ agrees with ipcs"
"$H" sysv-create IPC_PRIVATE 777 >/dev/null
assert_eq "$(ipcs -m | awk '$2 ~ /^[0-9]+$/ { print $2 }' | sort -n)" "$(ls "$MNT/sysv-id" | sort -n)" "ls sysv-id/ = ipcs -m"
assert_eq "$("$H" sysv-list | sort -n)" "$(ls "$MNT/sysv-id" | sort -n)" "ls sysv-id/ = helper's list"
sizes_ipcs=$(ipcs -m | awk '$2 ~ /^[0-9]+$/ { print $2, $5 }' | sort -n)
sizes_fs=$(cd "$MNT/sysv-id" && for f in *; do echo "$f $(stat -c %s "$f")"; done | sort -n)
assert_eq "$sizes_ipcs" "$sizes_fs" "sizes in sysv-id/ = ipcs -m"

section "fallocate: within the fixed size; punching a hole zeroes"
rss() { awk -v id="$("$H" sysv-id "$1")" '$2 == id { print $15 }' /proc/sysvipc/shm; }
"$H" sysv-create 0xf000 $((4 * PAGE)) >/dev/null
FA=$S/0x0000f000
"$H" sysv-fill 0xf000 9
before=$("$H" sysv-read 0xf000 | xxd -p | tr -d '\n')
zeros=$(head -c $((2 * PAGE)) /dev/zero | xxd -p | tr -d '\n')
assert_eq $((4 * PAGE)) "$(rss 0xf000)" "all four pages are resident"
# (A read through a mapping, as the witness's, faults the pages back in.)
assert_ok fallocate -p -o 100 -l $((2 * PAGE)) "$FA"
assert_eq $((3 * PAGE)) "$(rss 0xf000)" "fallocate -p frees the whole page in the range"
after=$("$H" sysv-read 0xf000 | xxd -p | tr -d '\n')
assert_eq "$zeros" "${after:200:$((4 * PAGE))}" "and zeroes the range"
assert_eq "${before:0:200}|${before:$((200 + 4 * PAGE))}" "${after:0:200}|${after:$((200 + 4 * PAGE))}" "and nothing else"
assert_ok fallocate -p -o $((3 * PAGE)) -l $((4 * PAGE)) "$FA"
assert_eq $((3 * PAGE)) "$(rss 0xf000)" "a hole reaching past the end frees up to the end"
assert_eq $((4 * PAGE)) "$(sysv_field 0xf000 size)" "which stays"
assert_ok fallocate -l $((4 * PAGE)) "$FA"
assert_eq $((4 * PAGE)) "$(rss 0xf000)" "fallocate -l of the size backs every page"
assert_eq "$zeros" "$("$H" sysv-read 0xf000 100 $((2 * PAGE)) | xxd -p | tr -d '\n')" "without changing a byte"
assert_fails_with "File too large" fallocate -l $((4 * PAGE + 1)) "$FA"
assert_ok fallocate -n -l $((8 * PAGE)) "$FA"
assert_eq $((4 * PAGE)) "$(sysv_field 0xf000 size)" "fallocate -n past the end leaves the size"
assert_fails_with "$ENOTSUP" fallocate -z -l $PAGE "$FA"
assert_fails_with "$EACCES" "${NOBODY[@]}" fallocate -l $PAGE "$FA"

section "SEEK_DATA and SEEK_HOLE: a segment is all data"
seek() {
	python3 - "$@" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for off in map(int, sys.argv[2:]):
    for w in (os.SEEK_DATA, os.SEEK_HOLE):
        try:
            print(os.lseek(fd, off, w), end=" ")
        except OSError as e:
            print(os.strerror(e.errno), end=" ")
PY
}
assert_eq "0 $((4 * PAGE)) 5 $((4 * PAGE)) No such device or address No such device or address " \
	"$(seek "$FA" 0 5 $((4 * PAGE)))" "from 0, from 5, from the end"
# Not answered ENOSYS, which would end lseek on the mount: POSIX holes
# are still found afterwards.
"$H" posix-create holes 0
"$H" posix-write holes $((2 * PAGE)) x
assert_eq "$((2 * PAGE)) 0 $((2 * PAGE)) $((2 * PAGE + 1)) " "$(seek "$MNT/posix/holes" 0 $((2 * PAGE)))" "a POSIX object's holes are still found"
