#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A user mounts shmfs on a directory of their own, through the setuid
# fusermount3, and gets exactly their own rights: everything is listed,
# what the kernel refuses them is EACCES.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EACCES="Permission denied"
# fusermount3 needs a user with a name: nobody.
NOBODY=65534
U=(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups)

# /dev/fuse may be root-only: give the test its own node, in its own mount
# namespace, rather than change the machine's.  It lives on the test's
# private /dev/shm, so it vanishes with the namespace.
mkdir -m 755 /dev/shm/.dev
mknod -m 666 /dev/shm/.dev/fuse c 10 229
mount --bind /dev/shm/.dev/fuse /dev/fuse

"$H" sysv-create 0x1 4096 0600 >/dev/null
"$H" sysv-write 0x1 0 secret
"$H" sysv-create 0x2 4096 0644 >/dev/null
"$H" sysv-write 0x2 0 public
"$H" posix-create rootonly 8 0600 >/dev/null
"$H" posix-create shared 8 0644 >/dev/null
"$H" posix-write shared 0 readable

UMNT=$TMP/umnt
mkdir "$UMNT"
chown $NOBODY:$NOBODY "$UMNT"
"${U[@]}" "$SHMFS" -f "$UMNT" >"$TMP/user.log" 2>&1 &
UPID=$!
BG_PIDS+=("$UPID")
wait_for 5 is_mounted "$UMNT" || { fail "the user's mount did not come up" "$(cat "$TMP/user.log")"; exit 1; }

section "the user's own mount"
assert_eq $NOBODY "$(awk -v d="$UMNT" '$5 == d { print $0 }' /proc/self/mountinfo | grep -o 'user_id=[0-9]*' | cut -d= -f2)" \
	"mounted by user nobody (fusermount3)"
assert_eq $'0x00000001\n0x00000002' "$("${U[@]}" ls "$UMNT/sysv")" "lists every segment, also unreadable ones"
assert_eq $'rootonly\nshared' "$("${U[@]}" ls "$UMNT/posix")" "lists every object"
assert_eq public "$("${U[@]}" cat "$UMNT/sysv/0x00000002" | strip_nul)" "reads a 0644 segment"
assert_fails_with "$EACCES" "${U[@]}" cat "$UMNT/sysv/0x00000001"
assert_fails_with "$EACCES" "${U[@]}" sh -c 'echo x >"$1"' sh "$UMNT/sysv/0x00000002"
assert_eq public "$("$H" sysv-read 0x2 0 6)" "the refused write changed nothing"
assert_eq readable "$("${U[@]}" cat "$UMNT/posix/shared" | strip_nul)" "reads a 0644 object"
assert_fails_with "$EACCES" "${U[@]}" cat "$UMNT/posix/rootonly"
assert_true "creates a key" "${U[@]}" sh -c 'echo mine >"$1"' sh "$UMNT/sysv/0x00000003"
assert_eq "$NOBODY $NOBODY 5" "$(for f in uid cuid size; do sysv_field 0x3 $f; done | xargs)" \
	"the new segment is the user's, 5 bytes"
assert_true "removes its own" "${U[@]}" rm "$UMNT/sysv/0x00000003"
assert_fails_with "Operation not permitted" "${U[@]}" rm "$UMNT/sysv/0x00000002"
assert_eq 0 "$(sysv_field 0x2 dest)" "the refused rm removed nothing"
assert_fails_with "$EACCES" ls "$UMNT/sysv" # without allow_other, not even root
assert_match "data path: through the daemon \(no passthrough: the daemon lacks CAP_SYS_ADMIN" \
	"$(cat "$TMP/user.log")" "no passthrough for a daemon without CAP_SYS_ADMIN, and it says so"
assert_fails_with "No such device" "${U[@]}" "$H" map-read "$UMNT/posix/shared" 0 4
assert_true "the user unmounts" "${U[@]}" fusermount3 -u "$UMNT"
wait_for 5 sh -c "! kill -0 $UPID 2>/dev/null" && wait "$UPID" && rc=0 || rc=$?
assert_eq 0 "$rc" "the user's daemon exits 0"

section "-o passthrough=on fails the mount where it cannot be had"
out=$("${U[@]}" "$SHMFS" -f -o passthrough=on "$UMNT" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "the daemon exits 1"
assert_eq "shmfs: -o passthrough=on: the daemon lacks CAP_SYS_ADMIN, which registering backing files needs" \
	"$out" "one line saying why"
assert_true "nothing stays mounted" sh -c "! grep -q ' $UMNT ' /proc/self/mounts"

section "allow_other for a user follows /etc/fuse.conf"
out=$("${U[@]}" "$SHMFS" -f -o allow_other "$UMNT" 2>&1) && rc=0 || rc=$?
assert_ne 0 "$rc" "refused without user_allow_other"
assert_match "user_allow_other" "$out" "fusermount3 says why"
printf 'user_allow_other\n' >"$TMP/fuse.conf"
mount --bind "$TMP/fuse.conf" /etc/fuse.conf
"${U[@]}" "$SHMFS" -f -o allow_other "$UMNT" >"$TMP/user2.log" 2>&1 &
UPID=$!
BG_PIDS+=("$UPID")
wait_for 5 is_mounted "$UMNT" || { fail "the user's allow_other mount did not come up" "$(cat "$TMP/user2.log")"; exit 1; }
assert_match "default_permissions" "$(grep " $UMNT " /proc/self/mounts)" \
	"a user's daemon lets others in only with default_permissions"
assert_eq public "$(setpriv --reuid=1002 --regid=1002 --clear-groups cat "$UMNT/sysv/0x00000002" | strip_nul)" \
	"another user reads what the mode allows"
"$H" sysv-chmod 0x2 0640
assert_fails_with "$EACCES" setpriv --reuid=1002 --regid=1002 --clear-groups cat "$UMNT/sysv/0x00000002"
assert_true "the user unmounts" "${U[@]}" fusermount3 -u "$UMNT"
wait_for 5 sh -c "! kill -0 $UPID 2>/dev/null"
umount /etc/fuse.conf
