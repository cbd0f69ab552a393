#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# No caching: an open file sees foreign writes; the daemon attaches on open
# and detaches on close, read-only for a read-only open.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# pread_fd FD OFFSET LEN: pread on an fd this shell already holds
pread_fd() {
	perl -e 'open(my $f, "<&=", $ARGV[0]) or die "fd: $!\n"; sysseek($f, $ARGV[1], 0) // die "seek: $!\n";
		defined sysread($f, my $b, $ARGV[2]) or die "read: $!\n"; print $b' "$@"
}
fstat_size() { perl -e 'open(my $f, "<&=", $ARGV[0]) or die; print +(stat($f))[7]' "$1"; }
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
