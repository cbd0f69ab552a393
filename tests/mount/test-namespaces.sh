#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -o ipc_ns and -o posix_dir: an administrator mounts a container's shared
# memory from the host. The "container" is a process the test puts in its
# own IPC and mount namespaces, with its own /dev/shm.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

"$H" sysv-create 0x66 4096 >/dev/null # the host's own: must not show
"$H" posix-create host 4 >/dev/null

ready=$TMP/container-ready
stop=$TMP/container-stop
# --kill-child and a bounded wait: the container never outlives the test.
unshare --ipc --mount --propagation private --fork --kill-child bash -c '
	mount -t tmpfs tmpfs /dev/shm || exit 1
	"$1" sysv-create 0x77 4096 >/dev/null && "$1" sysv-write 0x77 0 inside &&
		"$1" posix-create inside 8 >/dev/null && "$1" posix-write inside 0 posix-in &&
		echo $$ >"$2" || exit 1
	for i in $(seq 600); do [ -e "$3" ] && break; sleep 0.1; done' bash "$H" "$ready" "$stop" &
BG_PIDS+=($!)
wait_for 5 test -s "$ready" || { fail "the container did not start"; exit 1; }
CPID=$(cat "$ready")

section "the container's segments, not the host's"
start_shmfs -o ipc_ns=/proc/$CPID/ns/ipc,posix_dir=/proc/$CPID/root/dev/shm
assert_eq 0x00000077 "$(ls "$MNT/sysv")" "sysv/ lists the container's key only"
assert_eq inside "$(ls "$MNT/posix")" "posix/ lists the container's object only"
assert_eq inside "$(cat "$MNT/sysv/0x00000077" | strip_nul)" "reads the container's segment"
assert_eq posix-in "$(cat "$MNT/posix/inside" | strip_nul)" "reads the container's object"
assert_true "write through the mount" sh -c 'printf changed >"$1"' sh "$MNT/sysv/0x00000077"
assert_eq changed "$(nsenter --ipc=/proc/$CPID/ns/ipc "$H" sysv-read 0x77 0 7)" \
	"the container sees the write (helper inside its IPC namespace)"
assert_true "create in the container" sh -c 'echo new >"$1"' sh "$MNT/sysv/0x00000078"
assert_eq 4 "$(nsenter --ipc=/proc/$CPID/ns/ipc "$H" sysv-stat 0x78 size)" \
	"the new segment is in the container's namespace"
assert_fails_with "No such file" "$H" sysv-id 0x78
assert_eq 0 "$(sysv_field 0x66 nattch)" "the host's own segment untouched"
stop_shmfs

section "clear errors"
for bad in "/proc/self/ns/net:not an IPC namespace" "$TMP/nothing:No such file or directory"; do
	out=$("$SHMFS" -f -o ipc_ns="${bad%%:*}" "$MNT" 2>&1) && rc=0 || rc=$?
	assert_eq 1 "$rc" "ipc_ns=${bad%%:*}: exit status"
	assert_match "ipc_ns=.*${bad#*:}" "$out" "ipc_ns=${bad%%:*}: says why"
	assert_eq 1 "$(wc -l <<<"$out")" "ipc_ns=${bad%%:*}: one line"
done
out=$("$SHMFS" -f -o posix_dir="$TMP/nothing" "$MNT" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "posix_dir that does not exist: exit status"
assert_match "posix_dir|POSIX directory" "$out" "posix_dir that does not exist: says why"
out=$(setpriv --reuid=1001 --regid=1001 --clear-groups \
	"$SHMFS" -f -o ipc_ns=/proc/$CPID/ns/ipc "$MNT" 2>&1) && rc=0 || rc=$?
assert_eq 1 "$rc" "ipc_ns without the privilege: exit status"
assert_match "ipc_ns=.*(CAP_SYS_ADMIN|Permission denied)" "$out" "ipc_ns without the privilege: says why"
assert_false_mounted() { ! is_mounted; }
assert_true "nothing was mounted by the refused starts" assert_false_mounted
touch "$stop"
