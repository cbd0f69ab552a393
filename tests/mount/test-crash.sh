#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The daemon killed (SIGKILL) in the middle of writes.  Shared memory lives
# in the kernel, not in the daemon, so every segment and every byte whose
# write had returned must still be there; the mount must answer ENOTCONN
# rather than hang; fusermount3 -u and a new mount bring it all back.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=${SHMSTRESS:?run through meson: SHMSTRESS is not set}
HALF=$((512 * 1024))

idA=$("$H" sysv-create 0xcc01 1M)
"$H" posix-create crashp 1M
start_shmfs

section "before the kill: writes that completed"
assert_ok "$S" region-writer "$MNT/sysv/0x0000cc01" 0 "$HALF" 1 2
assert_ok "$S" region-writer "$MNT/posix/crashp" 0 "$HALF" 2 2
head -c 100000 /dev/urandom >"$TMP/new"
assert_ok cp "$TMP/new" "$MNT/sysv/0x0000cc02"
assert_ok cp "$TMP/new" "$MNT/posix/made-by-mount"
idB=$("$H" sysv-id 0xcc02)
sumA=$("$S" pattern "$HALF" 1 | cksum)
sumP=$("$S" pattern "$HALF" 2 | cksum)

section "kill -9 in the middle of writes"
pids=()
for f in "$MNT/sysv/0x0000cc01" "$MNT/posix/crashp"; do
	# Only the second half: the first holds what must survive.
	timeout -k 5 60 bash -c "while :; do '$S' writer '$f' 1 0x77 $((2 * HALF - 1)) $HALF >/dev/null 2>&1 || exit 0; done" &
	pids+=($!)
	BG_PIDS+=($!)
done
# A segment being made: written, never closed, so never created (a
# close after a write is what creates it, and no close comes).
python3 -c 'import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, b"never committed")
print("written", flush=True)
time.sleep(60)' "$MNT/sysv/0x0000cc09" >"$TMP/pending.out" 2>&1 &
pending=$!
BG_PIDS+=($pending)
wait_for 5 grep -q written "$TMP/pending.out"
exec 6<"$MNT/sysv/0x0000cc01"
sleep 1
assert_match '^[1-3]$' "$(sysv_field 0xcc01 nattch)" "the daemon has segment A attached"
kill -KILL "$SHMFS_PID"
wait "$SHMFS_PID" 2>/dev/null
dead_pid=$SHMFS_PID
SHMFS_PID=
assert_true "the daemon is gone" bash -c "! kill -0 $dead_pid 2>/dev/null"

section "the mount reports an error instead of hanging"
for p in "${pids[@]}"; do
	wait "$p" && rc=0 || rc=$?
	assert_eq 0 "$rc" "a writer stopped on its own with an error (not killed by the timeout)"
done
assert_fails_with "Transport endpoint is not connected" timeout 10 ls "$MNT/sysv"
assert_fails_with "Transport endpoint is not connected" timeout 10 stat "$MNT/posix/crashp"
assert_fails_with "Transport endpoint is not connected" timeout 10 cat "$MNT/sysv/0x0000cc01"
kill "$pending"
wait "$pending" 2>/dev/null
exec 6<&-

section "every segment and every completed write survived"
assert_eq "$idA" "$("$H" sysv-id 0xcc01)" "segment A: same shmid"
assert_eq 1048576 "$(sysv_field 0xcc01 size)" "segment A: same size"
assert_eq "$sumA" "$("$H" sysv-read 0xcc01 0 "$HALF" | cksum)" "segment A: the completed writes are all there"
assert_eq 0 "$(sysv_field 0xcc01 nattch)" "segment A: the dead daemon's attachments are gone"
assert_eq "$sumP" "$("$H" posix-read crashp 0 "$HALF" | cksum)" "POSIX object: the completed writes are all there"
assert_eq 1048576 "$(posix_field crashp size)" "POSIX object: same size"
assert_eq "$idB" "$("$H" sysv-id 0xcc02)" "the segment made through the mount is still there"
assert_eq "$(cksum <"$TMP/new")" "$("$H" sysv-read 0xcc02 0 100000 | cksum)" "with its data"
assert_eq "$(cksum <"$TMP/new")" "$("$H" posix-sum made-by-mount)" "the POSIX object made through the mount too"
assert_fails_with "No such file or directory" "$H" sysv-id 0xcc09
assert_eq "0x0000cc01 0x0000cc02" "$(ipcs -m | awk '$1 ~ /^0x/ { printf "%s ", $1 }' | sed 's/ $//')" \
	"no half-made or stray segment"

section "fusermount3 -u and a new mount bring it back"
assert_ok fusermount3 -u "$MNT"
assert_true "unmounted" bash -c "! awk -v d='$MNT' '\$5 == d { f = 1 } END { exit !f }' /proc/self/mountinfo"
start_shmfs
assert_eq "$sumA" "$(head -c "$HALF" "$MNT/sysv/0x0000cc01" | cksum)" "segment A reads back through the new mount"
assert_eq "$sumP" "$(head -c "$HALF" "$MNT/posix/crashp" | cksum)" "the POSIX object too"
assert_ok "$S" region-writer "$MNT/sysv/0x0000cc01" "$HALF" "$HALF" 3 1
assert_eq "$("$S" pattern "$HALF" 3 | cksum)" "$("$H" sysv-read 0xcc01 "$HALF" "$HALF" | cksum)" "and writes work again"
stop_shmfs
assert_eq 0 "$?" "the new daemon exits 0 at unmount"
