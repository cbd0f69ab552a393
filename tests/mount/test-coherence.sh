#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# No caching: an open file sees foreign writes; the daemon attaches on open
# and detaches on close, read-only for a read-only open.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# pread_fd FD OFFSET LEN: read from an fd this shell already holds (as
# perl's stdin, so that nothing but lseek and read is done on it)
pread_fd() {
	perl -e 'sysseek(STDIN, $ARGV[0], 0) // die "seek: $!\n";
		defined sysread(STDIN, my $b, $ARGV[1]) or die "read: $!\n"; print $b' "$2" "$3" <&"$1"
}
# fstat_size FD: st_size by fstat(2), or the error
fstat_size() { perl -e 'my @s = stat(STDIN) or do { print "$!"; exit 1 }; print $s[7]' <&"$1"; }
# daemon_maps_perms SHMID: permissions of the daemon's mappings of SHMID
daemon_maps_perms() {
	awk -v id="$1" '$5 == id && $6 ~ /^\/SYSV/ { print $2 }' "/proc/$SHMFS_PID/maps"
}
nattch_is() { [[ $(sysv_field "$1" nattch) == "$2" ]]; }

id=$("$H" sysv-create 0x100 4096)
"$H" sysv-write 0x100 0 "first"
"$H" posix-create coh 4096
"$H" posix-write coh 0 "first"
F=$MNT/sysv/0x00000100
start_shmfs

section "an open file sees foreign writes"
exec 3<"$F"
assert_eq first "$(pread_fd 3 0 5)" "first read through the open fd"
"$H" sysv-write 0x100 0 "SECOND"
assert_eq SECOND "$(pread_fd 3 0 6)" "re-read after shmat write shows new bytes"
"$H" sysv-write 0x100 4000 "tail"
assert_eq tail "$(pread_fd 3 4000 4)" "also further into the segment"
exec 3<&-
exec 4<"$MNT/posix/coh"
assert_eq first "$(pread_fd 4 0 5)" "POSIX: first read"
"$H" posix-write coh 0 "SECOND"
assert_eq SECOND "$(pread_fd 4 0 6)" "POSIX: re-read shows the helper's write"
"$H" posix-truncate coh 100000
"$H" posix-write coh 99990 "grown"
assert_eq 100000 "$(fstat_size 4)" "POSIX: fstat of the open file sees the new size"
assert_eq grown "$(pread_fd 4 99990 5)" "POSIX: and the bytes past the old end"
assert_eq 100000 "$(stat -c %s "$MNT/posix/coh")" "POSIX: stat sees the new size"
exec 4<&-
"$H" sysv-write 0x100 0 "third!"
assert_eq "third!" "$(head -c 6 "$F")" "a new open sees the latest bytes"

section "attach on open, detach on close"
assert_eq 0 "$(sysv_field 0x100 nattch)" "nattch 0 with the file closed"
exec 3<"$F"
assert_eq 1 "$(sysv_field 0x100 nattch)" "open for reading attaches"
assert_eq "r--s" "$(daemon_maps_perms "$id")" "read-only open = read-only SYSV mapping in the daemon"
exec 3<&-
assert_true "nattch back to 0 after close" wait_for 3 nattch_is 0x100 0
assert_eq "" "$(daemon_maps_perms "$id")" "mapping gone from the daemon after close"
exec 3<>"$F"
assert_eq 1 "$(sysv_field 0x100 nattch)" "open for writing attaches"
assert_eq "rw-s" "$(daemon_maps_perms "$id")" "read-write open = writable SYSV mapping"
exec 3<&-
assert_true "nattch back to 0 after closing the rw fd" wait_for 3 nattch_is 0x100 0

bg_helper "$TMP/hold.out" sysv-hold 0x100 --until-file "$TMP/release"
assert_eq 1 "$(sysv_field 0x100 nattch)" "helper holds the segment"
exec 3<"$F" 5<"$MNT/sysv-id/$id"
assert_eq 3 "$(sysv_field 0x100 nattch)" "two opens on top of the helper"
exec 3<&-
assert_true "one close: nattch 2" wait_for 3 nattch_is 0x100 2
exec 5<&-
assert_true "nattch back to the helper's 1" wait_for 3 nattch_is 0x100 1
cat "$F" >/dev/null
dd if=/dev/zero of="$F" bs=1 count=1 conv=notrunc status=none
assert_true "cat and dd leave nattch at 1" wait_for 3 nattch_is 0x100 1
touch "$TMP/release"
wait "$BG_PID"
assert_eq 0 "$(sysv_field 0x100 nattch)" "all detached"
assert_eq 0 "$(getfattr --absolute-names -n user.shm.nattch --only-values "$F")" "user.shm.nattch agrees"

section "segment removed while a file is open"
"$H" sysv-write 0x100 0 "alive"
exec 3<"$F"
"$H" sysv-rm 0x100
assert_soon "removed elsewhere: gone by key" fails_with "No such file or directory" stat "$F"
assert_eq alive "$(pread_fd 3 0 5)" "the open file still reads the removed segment"
assert_has_line "$id" "$(ls "$MNT/sysv-id")" "removed segment held by the daemon stays in sysv-id/"
assert_eq 1 "$("$H" sysv-stat "id:$id" dest)" "marked for destruction"
exec 3<&-
gone() { ! "$H" sysv-stat "id:$id" >/dev/null 2>&1; }
assert_true "segment destroyed after the close" wait_for 3 gone
assert_lacks_line "$id" "$(ls "$MNT/sysv-id")" "and gone from sysv-id/"

section "an open file stays with its object when the name is reused"
idA=$("$H" sysv-create 0x200 4096)
"$H" sysv-write 0x200 0 "old-A"
G=$MNT/sysv/0x00000200
exec 3<"$G"
inoA=$(stat -c %i "$G")
"$H" sysv-rm 0x200
idB=$("$H" sysv-create 0x200 8192)
"$H" sysv-write 0x200 0 "new-B"
assert_eq old-A "$(pread_fd 3 0 5)" "the open fd still reads the removed segment"
assert_eq 4096 "$(fstat_size 3)" "fstat of the open fd: the old size"
# The name's entry is the kernel's for up to 1 s: the watcher's notice
# (within SOON_MS) is what sends a new open to the new segment.
reads_as() { [[ $(head -c "${#1}" "$2") == "$1" ]]; }
assert_soon "a new open reads the new segment" reads_as new-B "$G"
assert_eq 8192 "$(stat -c %s "$G")" "stat by name: the new size"
assert_eq "$(stat -c %i "$MNT/sysv-id/$idB")" "$(stat -c %i "$G")" "the name has the new segment's inode"
assert_ne "$inoA" "$(stat -c %i "$G")" "not the old one's"
assert_eq 4096 "$(stat -c %s "$MNT/sysv-id/$idA")" "old segment still in sysv-id/"
exec 3<&-
gone_A() { ! "$H" sysv-stat "id:$idA" >/dev/null 2>&1; }
assert_true "old segment destroyed after the close" wait_for 3 gone_A

"$H" posix-create reuse 0
"$H" posix-write reuse 0 "old-object"
exec 4<"$MNT/posix/reuse"
"$H" posix-rm reuse
"$H" posix-create reuse 0
"$H" posix-write reuse 0 "NEW"
assert_eq old-object "$(pread_fd 4 0 10)" "POSIX: the open fd still reads the unlinked object"
assert_eq 10 "$(fstat_size 4)" "POSIX: fstat of the open fd: the old size"
assert_soon "POSIX: a new open reads the new object" reads_as NEW "$MNT/posix/reuse"
assert_eq 3 "$(stat -c %s "$MNT/posix/reuse")" "POSIX: stat by name: the new size"
exec 4<&-
exec 4<"$MNT/posix/reuse"
assert_ok rm "$MNT/posix/reuse"
assert_fails_with "No such file or directory" "$H" posix-stat reuse
assert_eq NEW "$(pread_fd 4 0 3)" "POSIX: rm through the mount while open: fd still reads"
assert_eq 3 "$(fstat_size 4)" "POSIX: rm through the mount while open: fstat still works"
exec 4<&-

section "parallel writers and readers"
"$H" sysv-create 0x300 16M >/dev/null
head -c 16M /dev/urandom >"$TMP/src"
pids=()
for i in 0 1 2 3; do
	dd if="$TMP/src" of="$MNT/sysv/0x00000300" bs=64k skip=$((i * 64)) seek=$((i * 64)) count=64 \
		conv=notrunc status=none &
	pids+=($!)
	cat "$MNT/sysv/0x00000300" >/dev/null &
	pids+=($!)
done
wait "${pids[@]}"
assert_eq "$(cksum <"$TMP/src")" "$("$H" sysv-sum 0x300)" "4 concurrent dd writers: the segment holds the source"
assert_eq "$(cksum <"$TMP/src")" "$(cksum <"$MNT/sysv/0x00000300")" "and reads back the same"
assert_true "nattch back to 0" wait_for 3 nattch_is 0x300 0

section "no leaks after many operations"
fds_before=$(fd_count)
"$H" posix-create leak 100
"$H" sysv-create 0x400 100 >/dev/null
for ((i = 0; i < 100; i++)); do
	cat "$MNT/posix/leak" "$MNT/sysv/0x00000400" >/dev/null
	cat "$MNT/posix/missing" "$MNT/sysv/0x00000401" 2>/dev/null
	echo x >"$MNT/posix/tmp$i" && rm "$MNT/posix/tmp$i"
	echo x >"$MNT/sysv/$((0x1000 + i))" && rm "$MNT/sysv/$((0x1000 + i))"
	mkdir "$MNT/posix/d" 2>/dev/null
done
assert_true "daemon's open fds back to $fds_before, no SYSV mapping left" wait_for 3 daemon_settled "$fds_before"
assert_eq "0x00000200 0x00000300 0x00000400" "$(ipcs -m | awk '$1 ~ /^0x/ { printf "%s ", $1 }' | sed 's/ $//')" "no stray segment"
assert_eq "coh leak" "$(ls /dev/shm | tr '\n' ' ' | sed 's/ $//')" "no stray POSIX object"
