#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Who may do what, with a root daemon mounted -o allow_other: every rule of
# the kernel, in both directions, checked by really switching users. The
# point of each case is one the kernel decides differently from a plain
# owner/group/other check (the creator rules, supplementary groups).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EACCES="Permission denied"
EPERM="Operation not permitted"

# as UID[:GID] [GROUP[,GROUP...]] CMD...: run CMD as that user, with
# primary group GID (default: UID) and those supplementary groups.
as() {
	local uid=${1%:*} gid=${1#*:} groups=$2
	shift 2
	if [[ -n $groups ]]; then
		setpriv --reuid="$uid" --regid="$gid" --groups="$groups" "$@"
	else
		setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"
	fi
}
# shmhelper as another user: the independent view of what they may do.
h_as() { local uid=$1 groups=$2; shift 2; as "$uid" "$groups" "$H" "$@"; }

# A: owner 1001 by IPC_SET, creator root, mode 0600.
"$H" sysv-create 0xa 4096 0600 >/dev/null
"$H" sysv-write 0xa 0 "of A"
"$H" sysv-chown 0xa 1001 1001
# B: created by 1001, then given to 1002: 1001 stays the creator.
h_as 1001 "" sysv-create 0xb 4096 0600 >/dev/null
h_as 1001 "" sysv-write 0xb 0 "of B"
h_as 1001 "" sysv-chown 0xb 1002 1002
# C: group 2000 may read and write, nobody else but root.
"$H" sysv-create 0xc 4096 0060 >/dev/null
"$H" sysv-chown 0xc 0 2000
# D: created with group 3000, then given to group 0: cgid stays 3000.
h_as 1003:3000 "" sysv-create 0xd 4096 0060 >/dev/null
"$H" sysv-chown 0xd 0 0
as 0 "" true # setpriv works at all
assert_eq "1001 1002" "$(sysv_field 0xb cuid) $(sysv_field 0xb uid)" "B: creator 1001, owner 1002"
assert_eq "3000 0" "$(sysv_field 0xd cgid) $(sysv_field 0xd gid)" "D: creator's group 3000, group 0"

"$H" posix-create priv 16 0600 >/dev/null
chown 1001:1001 /dev/shm/priv
"$H" posix-write priv 0 "of 1001"

start_shmfs -o allow_other
S=$MNT/sysv
P=$MNT/posix
chmod 755 "$MNT"

section "SysV read and write: owner, creator, group, other"
assert_eq "of A" "$(as 1001 "" cat "$S/0x0000000a" | strip_nul)" "owner 1001 reads A"
assert_fails_with "$EACCES" as 1002 "" cat "$S/0x0000000a"
assert_fails_with "$EACCES" as 1002 "" sh -c 'echo x >"$1"' sh "$S/0x0000000a"
assert_eq "of A" "$("$H" sysv-read 0xa 0 4)" "A untouched by the refused write"
assert_eq "of B" "$(as 1001 "" cat "$S/0x0000000b" | strip_nul)" "creator 1001 reads B (owner is 1002)"
assert_true "creator 1001 writes B" as 1001 "" sh -c 'printf new >"$1"' sh "$S/0x0000000b"
assert_eq "new" "$("$H" sysv-read 0xb 0 3)" "B holds the creator's write"
assert_eq "new" "$(as 1002 "" cat "$S/0x0000000b" | strip_nul)" "owner 1002 reads B"
assert_fails_with "$EACCES" as 1003 "" cat "$S/0x0000000b"
assert_true "group 2000 writes C" as 1001 2000 sh -c 'printf grp >"$1"' sh "$S/0x0000000c"
assert_eq "grp" "$("$H" sysv-read 0xc 0 3)" "C holds the group member's write"
assert_fails_with "$EACCES" as 1001 "" cat "$S/0x0000000c"
assert_fails_with "$EACCES" as 1001 2001 cat "$S/0x0000000c"
assert_true "creator's group 3000 reads D (group is 0)" as 1004 3000 cat "$S/0x0000000d"
assert_fails_with "$EACCES" as 1004 "" cat "$S/0x0000000d"
assert_true "root reads everything" cat "$S/0x0000000a" "$S/0x0000000b" "$S/0x0000000c"
assert_true "access(2) agrees: owner may write A" as 1001 "" test -w "$S/0x0000000a"
assert_true "access(2) agrees: creator may read B" as 1001 "" test -r "$S/0x0000000b"
assert_true "access(2) agrees: 1002 may not read A" as 1002 "" test ! -r "$S/0x0000000a"
assert_true "access(2) agrees: group 3000 may read D" as 1004 3000 test -r "$S/0x0000000d"

section "SysV chmod, chown, rm: owner, creator or root"
assert_fails_with "$EPERM" as 1003 "" chmod 666 "$S/0x0000000b"
assert_fails_with "$EPERM" as 1001 2000 chmod 666 "$S/0x0000000c"
assert_eq 0600 "$(sysv_field 0xb mode)" "B's mode unchanged by the refused chmod"
assert_true "creator 1001 chmods B" as 1001 "" chmod 640 "$S/0x0000000b"
assert_eq 0640 "$(sysv_field 0xb mode)" "B's mode set by its creator"
assert_true "owner 1001 chowns A to 1005" as 1001 "" chown 1005:1005 "$S/0x0000000a"
assert_eq "1005 0" "$(sysv_field 0xa uid) $(sysv_field 0xa cuid)" "A's owner changed, creator kept"
assert_fails_with "$EPERM" as 1001 "" chown 1001 "$S/0x0000000a"
assert_fails_with "$EPERM" as 1003 "" rm -f "$S/0x0000000b"
assert_eq 0 "$(sysv_field 0xb dest)" "B not removed by the refused rm"
assert_true "creator 1001 removes B" as 1001 "" rm "$S/0x0000000b"
assert_fails_with "No such file" "$H" sysv-id 0xb

section "files created through the mount belong to the caller"
assert_true "1006 creates a SysV key" as 1006 "" sh -c 'echo hi >"$1"' sh "$S/0x0000000e"
assert_eq "1006 1006 1006 1006" \
	"$(for f in uid gid cuid cgid; do sysv_field 0xe $f; done | xargs)" "SysV: owner and creator 1006"
assert_true "1006 creates a POSIX object, umask 077" as 1006 "" sh -c 'umask 077; echo hi >"$1"' sh "$P/by1006"
assert_eq "1006 1006 0600" "$(for f in uid gid mode; do posix_field by1006 $f; done | xargs)" \
	"POSIX: owner 1006, the caller's umask applied"
assert_fails_with "$EACCES" as 1007 "" cat "$P/by1006"

section "POSIX: file rules, sticky /dev/shm"
assert_eq "of 1001" "$(as 1001 "" cat "$P/priv" | strip_nul)" "owner reads its 0600 object"
assert_fails_with "$EACCES" as 1002 "" cat "$P/priv"
assert_fails_with "$EACCES" as 1002 "" sh -c 'echo x >>"$1"' sh "$P/priv"
assert_fails_with "$EPERM" as 1002 "" chmod 666 "$P/priv"
assert_fails_with "$EPERM" as 1002 "" rm -f "$P/priv"
assert_eq "of 1001" "$("$H" posix-read priv)" "object untouched by 1002"
assert_fails_with "$EPERM" as 1001 "" chown 1002 "$P/priv"
assert_true "owner removes its object" as 1001 "" rm "$P/priv"
assert_missing /dev/shm/priv

section "ls shows what the caller may not read, as ipcs does"
assert_has_line 0x0000000a "$(as 1003 "" ls "$S")" "1003 lists A"
assert_has_line 0x0000000c "$(as 1003 "" ls "$S")" "1003 lists C"
assert_eq 4096 "$(as 1003 "" stat -c %s "$S/0x0000000c")" "1003 stats C"
assert_eq 0x0000000c "$(as 1003 "" getfattr --only-values -n user.shm.key "$S/0x0000000c")" \
	"1003 reads C's key attribute"
stop_shmfs

section "-o ro: reads work, every change is EROFS"
"$H" posix-create ro 8 0666 >/dev/null
start_shmfs -o ro,allow_other
EROFS="Read-only file system"
assert_eq "grp" "$(cat "$S/0x0000000c" | strip_nul)" "read works"
assert_fails_with "$EROFS" sh -c 'echo x >"$1"' sh "$S/0x0000000c"
assert_fails_with "$EROFS" sh -c 'echo x >"$1"' sh "$P/ro"
assert_fails_with "$EROFS" truncate -s 0 "$P/ro"
assert_fails_with "$EROFS" sh -c 'echo x >"$1"' sh "$S/0x00000099"
assert_fails_with "$EROFS" touch "$P/new"
assert_fails_with "$EROFS" rm "$S/0x0000000c"
assert_fails_with "$EROFS" rm "$P/ro"
assert_fails_with "$EROFS" chmod 600 "$S/0x0000000c"
assert_fails_with "$EROFS" chown 1 "$P/ro"
assert_eq "grp" "$("$H" sysv-read 0xc 0 3)" "C unchanged"
assert_eq 8 "$(posix_field ro size)" "POSIX object unchanged"
assert_fails_with "No such file" "$H" sysv-id 0x99
stop_shmfs
