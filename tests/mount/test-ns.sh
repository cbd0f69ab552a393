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
# gone N PID: ns/N is not there, or (the kernel reused its number for a
# namespace made meanwhile, by anyone on the host) it no longer has PID.
gone() {
	! stat "$MNT/ns/$1" >/dev/null 2>&1 && not_listed "$1" && return 0
	! getfattr --absolute-names --only-values -n user.shm.pids "$MNT/ns/$1" 2>/dev/null |
		tr , '\n' | grep -qx "$2"
}
attr() { getfattr --absolute-names --only-values -n "user.shm.$1" "$2" 2>&1; }

# container NAME [UID]: a process in its own IPC + mount namespaces, with
# its own /dev/shm holding a segment and an object; running as UID (root
# if none).  Sets C_PID[NAME]; it ends when $TMP/stop-NAME appears.
declare -A C_PID C_BG
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
	C_BG[$name]=$!
	wait_for 5 test -s "$ready" || { fail "container $name did not start"; exit 1; }
	C_PID[$name]=$(cat "$ready")
}

"$H" sysv-create 0x66 4096 >/dev/null # the mount's own namespace's
"$H" posix-create host-obj 4 >/dev/null
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

section "sysv/ and sysv-id/ of a container"
C=${C_PID[root]}
in_c() { nsenter -t "$C" --ipc "$H" "$@"; } # the witness, in the container
S=$MNT/ns/$cns/sysv
assert_eq 0x00000077 "$(ls "$S")" "ns/N/sysv lists the container's key only"
assert_eq "$(in_c sysv-id 0x77)" "$(ls "$MNT/ns/$cns/sysv-id")" "ns/N/sysv-id lists its shmid"
assert_has_line 0x00000066 "$(ls "$MNT/ns/$own/sysv")" "the mount's own ns/N/sysv has the test's key"
assert_lacks_line 0x00000077 "$(ls "$MNT/ns/$own/sysv")" "and not the container's"
assert_lacks_line 0x00000077 "$(ls "$MNT/sysv")" "the top sysv/ does not show the container's"
assert_eq in-root "$(strip_nul <"$S/0x00000077")" "reads the container's segment"
assert_ne "$(stat -c %i "$S/0x00000077")" "$(stat -c %i "$MNT/sysv/0x00000066")" \
	"inode numbers differ between namespaces (both shmid $(in_c sysv-id 0x77))"
assert_true "write through ns/N" sh -c 'printf changed >"$1"' sh "$S/0x00000077"
assert_eq changed "$(in_c sysv-read 0x77 0 7)" "the container sees the write"
in_c sysv-write 0x77 0 witness
assert_eq witness "$(head -c 7 "$S/0x00000077")" "ns/N sees the container's write"
assert_true "create in ns/N" sh -c 'echo new >"$1"' sh "$S/0x00000078"
assert_eq 4 "$(in_c sysv-stat 0x78 size)" "the new segment is in the container's namespace"
assert_fails_with "No such file" "$H" sysv-id 0x78
assert_true "chmod in ns/N" chmod 600 "$S/0x00000078"
assert_eq 0600 "$(in_c sysv-stat 0x78 mode)" "the container sees the chmod"
assert_true "chown in ns/N" chown $U1 "$S/0x00000078"
assert_eq $U1 "$(in_c sysv-stat 0x78 uid)" "the container sees the chown"
assert_true "rm in ns/N" rm "$S/0x00000078"
assert_fails_with "No such file" in_c sysv-id 0x78
assert_match "^shmfs" "$(df "$S" | tail -1)" "df of ns/N/sysv"
assert_match "user.shm.key=0x00000077" "$(getfattr --absolute-names --only-values -n user.shm.all "$S/0x00000077")" \
	"user.shm.* of a segment in ns/N"

section "posix/ of a container: the /dev/shm its processes see"
P=$MNT/ns/$cns/posix
in_cm() { nsenter -t "$C" --mount "$@"; } # the witness, in its mount namespace
assert_eq obj-root "$(ls "$P")" "ns/N/posix lists the container's object only"
assert_has_line host-obj "$(ls "$MNT/ns/$own/posix")" "the mount's own ns/N/posix is the test's /dev/shm"
assert_true "write through ns/N/posix" sh -c 'printf posix-in >"$1"' sh "$P/obj-root"
assert_eq posix-in "$(in_cm cat /dev/shm/obj-root)" "the container sees the write"
assert_true "create in ns/N/posix" sh -c 'echo hello >"$1"' sh "$P/new"
assert_eq hello "$(in_cm cat /dev/shm/new)" "the new object is in the container's /dev/shm"
assert_missing /dev/shm/new
assert_eq hello "$(cat "$P/new")" "reads it back"
assert_true "rm in ns/N/posix" rm "$P/new"
assert_fails_with "No such file" in_cm cat /dev/shm/new
assert_eq "$(in_cm stat -f -c %b /dev/shm)" "$(stat -f -c %b "$P")" "df of ns/N/posix is the container's /dev/shm"

section "the kernel's rules: who may see which"
container u1 $U1
c1=$(ns_ino "${C_PID[u1]}")
assert_true "uid $U1 sees its own container's ns/$c1" as $U1 test -d "$MNT/ns/$c1"
assert_true "uid $U1 lists it" as $U1 sh -c 'ls "$1" | grep -qx "$2"' sh "$MNT/ns" "$c1"
assert_match "${C_PID[u1]}" "$(as $U1 getfattr --absolute-names --only-values -n user.shm.pids "$MNT/ns/$c1" 2>&1)" \
	"uid $U1 reads its pids"
assert_fails_with "No such file" as $U1 stat "$MNT/ns/$cns"
assert_fails_with "No such file" as $U1 cat "$MNT/ns/$cns/sysv/0x00000077"
assert_eq in-u1 "$(as $U1 head -c 5 "$MNT/ns/$c1/sysv/0x00000077")" "uid $U1 reads root's 0644 segment in its container"
assert_fails_with "Permission denied" as $U1 sh -c 'printf x >"$1"' sh "$MNT/ns/$c1/sysv/0x00000077"
assert_fails_with "Operation not permitted" as $U1 rm "$MNT/ns/$c1/sysv/0x00000077"
assert_true "uid $U1 creates in its container" as $U1 sh -c 'echo mine >"$1"' sh "$MNT/ns/$c1/sysv/0x00000079"
assert_eq $U1 "$(nsenter -t "${C_PID[u1]}" --ipc "$H" sysv-stat 0x79 uid)" "owned by uid $U1 there"
assert_true "uid $U1 does not list the root container" as $U1 sh -c '! ls "$1" | grep -qx "$2"' sh "$MNT/ns" "$cns"
assert_fails_with "No such file" as $U2 stat "$MNT/ns/$c1"
assert_true "uid $U2 does not list uid $U1's" as $U2 sh -c '! ls "$1" | grep -qx "$2"' sh "$MNT/ns" "$c1"
assert_fails_with "No such file" as $U2 getfattr -n user.shm.pids "$MNT/ns/$c1"
SOON_MS=1000 assert_soon "root lists uid $U1's within 1 s" listed "$c1"
# The kernel's own answer, as the witness: uid U2 cannot read the link.
assert_true "the kernel agrees: uid $U2 cannot read the link" \
	sh -c '! setpriv --reuid="$1" --regid="$1" --clear-groups readlink "$2"' sh $U2 "/proc/${C_PID[u1]}/ns/ipc"
assert_true "the kernel agrees: uid $U1 can" as $U1 readlink "/proc/${C_PID[u1]}/ns/ipc"

section "a directory held from when it was visible is not a way in"
# uid U1 has a process in the root container's namespace for a while (so
# sees ns/$cns), makes ns/$cns/sysv its cwd then, and keeps it after.
nsenter -t "$C" --ipc setpriv --reuid=$U1 --regid=$U1 --clear-groups sleep 60 &
visitor=$!
BG_PIDS+=($visitor)
wait_for 5 as $U1 test -d "$MNT/ns/$cns" || fail "uid $U1 does not see ns/$cns with a process in it"
as $U1 bash -c 'cd "$1" && exec 3<"$3" && echo in && while [ ! -e "$2" ]; do sleep 0.05; done &&
	{ ls; head -c 7 0x00000077; echo; echo x >0x0000007a; stat -c %n /dev/fd/3/obj-root; }' sh "$S" "$TMP/held-go" "$P" \
	>"$TMP/held.out" 2>&1 &
holder=$!
BG_PIDS+=($holder)
wait_for 5 grep -qx in "$TMP/held.out" || fail "uid $U1 could not enter ns/$cns/sysv"
kill "$visitor"
wait "$visitor" 2>/dev/null
wait_for 5 fails_with "No such file" as $U1 stat "$MNT/ns/$cns"
touch "$TMP/held-go"
wait "$holder"
held=$(strip_nul <"$TMP/held.out")
assert_lacks_line 0x00000077 "$held" "its cwd lists nothing of ns/$cns once it may not see it"
assert_no_match "witness" "$held" "nor reads a segment there"
assert_fails_with "No such file" in_c sysv-id 0x7a
assert_lacks_line /dev/fd/3/obj-root "$held" "nor finds an object of ns/$cns/posix through a descriptor kept open"

section "gone within 2 s of its last process, holding nothing"
# A container's 64 MiB segment, read through the mount while it lives.
container big
cb=$(ns_ino "${C_PID[big]}")
nsenter -t "${C_PID[big]}" --ipc "$H" sysv-create 0x88 $((64 << 20)) >/dev/null
nsenter -t "${C_PID[big]}" --ipc "$H" sysv-fill 0x88 7
head -c $((32 << 20)) /dev/zero | tr '\0' x | nsenter -t "${C_PID[big]}" --mount sh -c 'cat >/dev/shm/big'
assert_eq $((32 << 20)) "$(wc -c <"$MNT/ns/$cb/posix/big")" "the big object read through ns/N/posix"
assert_eq $((64 << 20)) "$(wc -c <"$MNT/ns/$cb/sysv/0x00000088")" "the big segment read through ns/N"
exec 7<"$MNT/ns/$cb/sysv/0x00000088" # open while the container lives
exec 7<&-
holds() { ls -l "/proc/$SHMFS_PID/fd" "/proc/$SHMFS_PID/task/"*/ns/ipc 2>/dev/null | grep -c "ipc:\[$1\]"; }
for n in "$cns" "$c1" "$cb"; do
	assert_eq 0 "$(holds "$n")" "no descriptor or thread of the daemon in ns $n"
done
shmem_kb() { awk '/^Shmem:/ { print $2 }' /proc/meminfo; }
before=$(shmem_kb)
touch "$TMP/stop-root" "$TMP/stop-u1" "$TMP/stop-big"
# The times run from the end of their last processes (unshare waits for
# its child), however long a loaded machine takes to end them.
for n in root u1 big; do wait "${C_BG[$n]}" 2>/dev/null; done
freed() { (($(shmem_kb) < before - 72 * 1024)); }
SOON_MS=2000 assert_soon "the dead container's 64 + 32 MiB are freed (Shmem in /proc/meminfo)" freed
assert_eq 0 "$(grep -c 'SYSV00000088' "/proc/$SHMFS_PID/maps")" "the daemon maps nothing of it"
SOON_MS=2000 assert_soon "ns/$cns is gone within 2 s" gone "$cns" "${C_PID[root]}"
SOON_MS=2000 assert_soon "ns/$c1 is gone within 2 s" gone "$c1" "${C_PID[u1]}"
SOON_MS=2000 assert_soon "ns/$cb is gone within 2 s" gone "$cb" "${C_PID[big]}"
