#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ns/: one directory per IPC namespace with processes, as the kernel's
# ptrace rule lets each caller see it, live.  "Containers" are processes in
# their own IPC and mount namespaces with a private /dev/shm, some as other
# users; the witness is the kernel (readlink of /proc/PID/ns/ipc, nsenter).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

U1=1001
U2=1002
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }
ns_ino() { stat -L -c %i "/proc/$1/ns/ipc"; }
listed() { ls "$MNT/ns" | grep -qx "$1"; }
not_listed() { ! listed "$1"; }
gone() { ! stat "$MNT/ns/$1" >/dev/null 2>&1 && not_listed "$1"; }
attr() { getfattr --absolute-names --only-values -n "user.shm.$1" "$2" 2>&1; }

# container NAME [UID]: a process in its own IPC + mount namespaces, with
# its own /dev/shm holding a segment and an object; running as UID (root
# if none).  Sets C_PID[NAME]; it ends when $TMP/stop-NAME appears.
declare -A C_PID
container() {
	local name=$1 uid=${2:-0} ready=$TMP/ready-$1
	# Ends when told to, or when this test is gone (no orphan outlives it).
	unshare --ipc --mount --propagation private --fork --kill-child bash -c '
		mount -t tmpfs -o mode=1777 tmpfs /dev/shm || exit 1
		"$1" sysv-create 0x77 65536 >/dev/null && "$1" sysv-write 0x77 0 "in-$4" &&
			"$1" posix-create "obj-$4" 8 >/dev/null || exit 1
		echo $$ >"$2"
		exec setpriv --reuid="$5" --regid="$5" --clear-groups bash -c "
			while [ ! -e $3 ] && [ -d /proc/$6 ]; do sleep 0.1; done" ' \
		bash "$H" "$ready" "$TMP/stop-$name" "$name" "$uid" $$ \
		>"$TMP/container-$name.log" 2>&1 &
	BG_PIDS+=($!)
	wait_for 5 test -s "$ready" || { fail "container $name did not start"; exit 1; }
	C_PID[$name]=$(cat "$ready")
}

start_shmfs -o allow_other

section "the mount's own namespace, and the host's"
own=$(ns_ino self)
assert_true "ns/ is at the root" test -d "$MNT/ns"
assert_has_line ns "$(ls "$MNT")" "the root lists ns"
assert_true "ns/$own (the mount's own) is listed" listed "$own"
# The test runs in namespaces of its own (lib.sh): its runner is outside.
runner=$(awk '{ print $4 }' "/proc/$PPID/stat")
assert_ne "$own" "$(ns_ino "$runner")" "the test's runner is in another namespace"
assert_true "ns/N of the test's runner is listed to root" listed "$(ns_ino "$runner")"
assert_eq 555 "$(stat -c %a "$MNT/ns/$own")" "ns/N is a read-only directory"
assert_fails_with "No such file" stat "$MNT/ns/12345"
assert_fails_with "No such file" stat "$MNT/ns/0$own"
assert_fails_with "Operation not permitted" mkdir "$MNT/ns/x"
assert_fails_with_any "Operation not permitted|Permission denied" touch "$MNT/ns/x"

section "a container is reachable at once and listed soon"
container root
cns=$(ns_ino "${C_PID[root]}")
assert_ne "$own" "$cns" "the container has its own IPC namespace"
assert_true "ns/$cns is reachable by name at once" test -d "$MNT/ns/$cns"
SOON_MS=1000 assert_soon "ns/$cns is listed within 1 s" listed "$cns"

# The kernel reuses a dead namespace's number: a scan that still has it,
# with its dead processes, must not hide the new one.
misses=0
for i in $(seq 8); do
	unshare --ipc --fork --kill-child sh -c 'echo $$ >"$1"; exec sleep 5' sh "$TMP/quick" &
	q=$!
	wait_for 5 test -s "$TMP/quick"
	qp=$(cat "$TMP/quick")
	qn=$(ns_ino "$qp")
	rm -f "$TMP/quick"
	test -d "$MNT/ns/$qn" || misses=$((misses + 1))
	kill "$qp" 2>/dev/null
	wait "$q" 2>/dev/null
done
assert_eq 0 "$misses" "8 short-lived namespaces in a row, each reachable at once"
assert_fails_with "No such file" getfattr -n user.shm.pids "$MNT/ns/12345"

section "who it is"
pids=$(attr pids "$MNT/ns/$cns")
assert_match "(^|,)${C_PID[root]}(,|$)" "$pids" "user.shm.pids has the container's process"
want=$(sed -n 's/^0:://p' "/proc/${C_PID[root]}/cgroup")
assert_eq "$want" "$(attr cgroup "$MNT/ns/$cns")" "user.shm.cgroup is its cgroup path"
assert_match "user.shm.pids=.*${C_PID[root]}" "$(attr all "$MNT/ns/$cns")" "user.shm.all has both"
assert_eq "" "$(getfattr --absolute-names -d "$MNT/ns/$cns" 2>&1)" "computed attributes are not listed"

section "the kernel's rules: who may see which"
container u1 $U1
c1=$(ns_ino "${C_PID[u1]}")
assert_true "uid $U1 sees its own container's ns/$c1" as $U1 test -d "$MNT/ns/$c1"
assert_true "uid $U1 lists it" as $U1 sh -c 'ls "$1" | grep -qx "$2"' sh "$MNT/ns" "$c1"
assert_match "${C_PID[u1]}" "$(as $U1 getfattr --absolute-names --only-values -n user.shm.pids "$MNT/ns/$c1" 2>&1)" \
	"uid $U1 reads its pids"
assert_fails_with "No such file" as $U1 stat "$MNT/ns/$cns"
assert_true "uid $U1 does not list the root container" as $U1 sh -c '! ls "$1" | grep -qx "$2"' sh "$MNT/ns" "$cns"
assert_fails_with "No such file" as $U2 stat "$MNT/ns/$c1"
assert_true "uid $U2 does not list uid $U1's" as $U2 sh -c '! ls "$1" | grep -qx "$2"' sh "$MNT/ns" "$c1"
assert_fails_with "No such file" as $U2 getfattr -n user.shm.pids "$MNT/ns/$c1"
SOON_MS=1000 assert_soon "root lists uid $U1's within 1 s" listed "$c1"
# The kernel's own answer, as the witness: uid U2 cannot read the link.
assert_true "the kernel agrees: uid $U2 cannot read the link" \
	sh -c '! setpriv --reuid="$1" --regid="$1" --clear-groups readlink "$2"' sh $U2 "/proc/${C_PID[u1]}/ns/ipc"
assert_true "the kernel agrees: uid $U1 can" as $U1 readlink "/proc/${C_PID[u1]}/ns/ipc"

section "gone within 2 s of its last process, holding nothing"
fds=$(ls -l "/proc/$SHMFS_PID/fd" | grep -c 'ipc:\[' || true)
assert_eq 0 "$fds" "the daemon holds no namespace descriptor"
touch "$TMP/stop-root" "$TMP/stop-u1"
SOON_MS=2000 assert_soon "ns/$cns is gone within 2 s" gone "$cns"
SOON_MS=2000 assert_soon "ns/$c1 is gone within 2 s" gone "$c1"
