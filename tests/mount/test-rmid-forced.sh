#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kernel.shm_rmid_forced=1: the kernel destroys a segment at its last
# detach.  Reading a file must never be what destroys a segment, so shmfs
# refuses to attach one that nobody else has attached (EBUSY), and works
# normally on one that another process holds.  The sysctl is per IPC
# namespace; lib.sh runs us in a private one.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

exists_id() { "$H" sysv-stat "id:$1" >/dev/null 2>&1; }
gone_id() { ! exists_id "$1"; }
nattch_is() { [[ $(sysv_field "id:$1" nattch) == "$2" ]]; }

# Data goes in while the setting is still 0: under 1, a helper's own
# attach-write-detach would destroy the segment.  The creators stay alive
# (--hold) because under 1 the kernel also destroys an unattached segment
# when its creator exits.
bg_helper "$TMP/a.out" sysv-create 0x5001 4096 --hold --until-file "$TMP/release-a" || exit 1
idA=$(head -n1 "$TMP/a.out")
"$H" sysv-write 0x5001 0 "precious-A"
bg_helper "$TMP/b.out" sysv-create 0x5002 8192 --hold --until-file "$TMP/release-b" || exit 1
idB=$(head -n1 "$TMP/b.out")
"$H" sysv-write 0x5002 0 "precious-B"
bg_helper "$TMP/d.out" sysv-create 0x5006 4096 --hold --until-file "$TMP/release-d" || exit 1
idD=$(head -n1 "$TMP/d.out")
"$H" posix-create px 0

echo 1 >/proc/sys/kernel/shm_rmid_forced ||
	_lib_cannot_run "cannot set kernel.shm_rmid_forced in a private IPC namespace"
assert_eq 1 "$(cat /proc/sys/kernel/shm_rmid_forced)" "shm_rmid_forced is 1 in our namespace"
assert_true "segment A survives the sysctl (its creator is alive)" exists_id "$idA"

section "sanity: the kernel really destroys at the last detach here"
"$H" sysv-create 0x5003 4096 --hold --until-file "$TMP/release-c" >"$TMP/c.out" 2>&1 &
BG_PIDS+=($!)
wait_for 5 grep -qx "$!" "$TMP/c.out"
idC=$(head -n1 "$TMP/c.out")
"$H" sysv-read 0x5003 0 1 >/dev/null # attach + detach
assert_true "a plain attach and detach destroyed segment C" wait_for 3 gone_id "$idC"

start_shmfs
F=$MNT/sysv/0x00005001

section "mount-time warning"
assert_match "shm_rmid_forced" "$(cat "$SHMFS_LOG")" "the daemon warned about shm_rmid_forced at mount"

section "a segment nobody has attached: refused, and left alone"
assert_eq 4096 "$(stat -c %s "$F")" "stat works without attaching"
assert_has_line 0x00005001 "$(ls "$MNT/sysv")" "listed in sysv/"
assert_eq 0 "$(getfattr --absolute-names -n user.shm.nattch --only-values "$F")" "getfattr works, nattch 0"
assert_fails_with "Device or resource busy" cat "$F"
assert_fails_with "Device or resource busy" cat "$MNT/sysv-id/$idA"
assert_fails_with "Device or resource busy" dd if=/dev/zero of="$F" bs=1 count=1 conv=notrunc status=none
assert_fails_with "Device or resource busy" truncate -s 0 "$F"
assert_fails_with "Device or resource busy" bash -c ": >'$F'"
assert_match "shm_rmid_forced" "$(grep -F "shmid $idA" "$SHMFS_LOG")" "the log says why shmid $idA was refused"
assert_true "segment A still exists after all that" exists_id "$idA"
assert_eq 0 "$(sysv_field "id:$idA" nattch)" "and nothing is attached to it"
assert_true "the daemon is alive" daemon_alive
# Reading A through the helper needs a holder, or the read destroys it.
bg_helper "$TMP/holdA.out" sysv-hold 0x5001 --until-file "$TMP/release-holdA"
assert_eq precious-A "$("$H" sysv-read 0x5001 0 10)" "segment A's data is intact"

section "a segment another process holds: works, and survives"
bg_helper "$TMP/holdB.out" sysv-hold 0x5002 --until-file "$TMP/release-holdB"
G=$MNT/sysv/0x00005002
assert_eq precious-B "$(head -c 10 "$G")" "cat reads it"
assert_true "after the read nattch is back to the holder's 1" wait_for 3 nattch_is "$idB" 1
assert_ok dd if=/dev/zero of="$G" bs=1 count=1 seek=100 conv=notrunc status=none
printf 'written' | dd of="$G" bs=1 seek=20 conv=notrunc status=none
assert_eq written "$("$H" sysv-read 0x5002 20 7)" "a write through the mount landed"
assert_ok truncate -s 4096 "$G"
assert_eq 8192 "$(sysv_field 0x5002 size)" "truncate zero-filled and kept the size"
assert_eq precious-B "$("$H" sysv-read 0x5002 0 10)" "bytes before the truncate point kept"
assert_true "segment B survives the reads and writes" exists_id "$idB"
assert_true "nattch back to 1" wait_for 3 nattch_is "$idB" 1
touch "$TMP/release-holdB"
assert_true "once the holder detaches, the kernel destroys B (not us)" wait_for 5 gone_id "$idB"

section "no new keys under shm_rmid_forced"
assert_fails_with "Device or resource busy" bash -c "echo hi >'$MNT/sysv/0x00005004'"
assert_fails_with "Device or resource busy" touch "$MNT/sysv/0x00005005"
assert_fails_with "No such file or directory" "$H" sysv-id 0x5004
assert_fails_with "No such file or directory" "$H" sysv-id 0x5005
assert_match "not creating key 0x00005004" "$(cat "$SHMFS_LOG")" "the log says why the create was refused"
# Any user may ask as often as it likes: the log says so once a minute.
for i in $(seq 100 199); do touch "$MNT/sysv/0x00005$i" 2>/dev/null; done
assert_eq 1 "$(grep -c "not creating key" "$SHMFS_LOG")" "101 refused creates, one line in the log"

section "POSIX objects are not affected"
assert_ok bash -c "echo hello >'$MNT/posix/px'"
assert_eq hello "$("$H" posix-read px)" "POSIX write through the mount"
assert_eq hello "$(cat "$MNT/posix/px")" "POSIX read through the mount"

section "rm is an explicit request and still works"
assert_eq 0 "$(sysv_field "id:$idD" nattch)" "segment D: nobody attached"
assert_ok rm "$MNT/sysv/0x00005006"
assert_true "segment D is gone after rm" wait_for 3 gone_id "$idD"
touch "$TMP/release-holdA"
assert_true "A goes with its holder's detach (the kernel's doing)" wait_for 5 gone_id "$idA"
assert_true "the daemon is alive" daemon_alive
stop_shmfs_cleanly
