#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Who is attached, and what leaked: user.shm.pids and user.shm.orphan of
# SysV and POSIX files, against the independent witness (shmhelper
# processes whose pids the test knows, IPC_STAT's nattch and cpid).  Read
# as the caller: a real other user sees only the processes it could
# inspect itself, also under a /proc mounted hidepid=2.  And the cost
# rule: ls -l and getfattr -d scan nothing; one scan serves every file
# and command of the same rights for 100 ms.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EPERM="Operation not permitted"
U=1001 # another user, who exists for the kernel only

# An answer may be as old as the shared map's window: 100 ms, or twice
# its scan's time, which the daemon's debug log (-d) tells ("procscan: N
# holds, T us").  Each read below waits out the longest so far (a scan
# can take far more than 50 ms under ASan on a busy machine), so that it
# tells what was just changed.
fresh_wait() {
	local us
	us=$(grep -ao 'procscan: .* [0-9]* us' "$SHMFS_LOG" | sed 's/.* \([0-9]*\) us$/\1/' | sort -n | tail -1)
	us=$((2 * ${us:-0}))
	((us < 100000)) && us=100000
	us=$((us + 50000))
	sleep "$((us / 1000000)).$(printf '%06d' $((us % 1000000)))"
}
# one attribute's value, as root or as uid $U
attr() { fresh_wait; getfattr --absolute-names --only-values -n "user.shm.$1" "$2" 2>&1; }
pids_of() { attr pids "$1"; }
orphan_of() { attr orphan "$1"; }
as_u() { setpriv --reuid=$U --regid=$U --clear-groups "$@"; }
u_pids_of() { fresh_wait; as_u getfattr --absolute-names --only-values -n user.shm.pids "$1" 2>&1; }
# u_hold OUT ARGS...: like hold, as uid $U
u_hold() {
	local out=$1
	shift
	setpriv --reuid=$U --regid=$U --clear-groups "$H" "$@" >"$out" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
	wait_for 5 grep -qx "$BG_PID" "$out" || fail "uid $U's $(_lib_show "$@") did not start"
}
# joined PID...: ascending and comma-separated, as user.shm.pids shows them
joined() { printf '%s\n' "$@" | sort -n | paste -sd, -; }
# hold OUT ARGS...: a shmhelper holding something, pid in $BG_PID
hold() { bg_helper "$@" || exit 1; }
# release PID: end a holder and reap it
release() { kill "$1" && wait "$1" 2>/dev/null; }

# The first segment of this IPC namespace: shmid 0, which the process
# in another namespace below has too.
"$H" sysv-create 0x100 4096 0666 >/dev/null
ID=$("$H" sysv-id 0x100)
start_shmfs -d -o allow_other
S=$MNT/sysv/0x00000100

section "SysV: the processes attached"
assert_eq "" "$(pids_of "$S")" "nobody attached: empty"
hold "$TMP/h1" sysv-hold 0x100 60
h1=$BG_PID
hold "$TMP/h2" sysv-hold 0x100 --ro 60
h2=$BG_PID
hold "$TMP/h3" sysv-hold 0x100 60
h3=$BG_PID
assert_eq 3 "$(sysv_field 0x100 nattch)" "the witness: nattch 3"
assert_eq "$(joined $h1 $h2 $h3)" "$(pids_of "$S")" "pids: the three holders, ascending"
assert_eq "$(joined $h1 $h2 $h3)" "$(pids_of "$MNT/sysv-id/$ID")" "the same under sysv-id/"
release $h2
assert_eq "$(joined $h1 $h3)" "$(pids_of "$S")" "a holder that exited is gone"
# Another IPC namespace with a segment of the same shmid, attached.
unshare --ipc sh -c '"$1" sysv-create 0x100 4096 >/dev/null && exec "$1" sysv-hold 0x100 60' \
	sh "$H" >"$TMP/other-ns" 2>&1 &
other=$!
BG_PIDS+=("$other")
wait_for 5 grep -qx "$other" "$TMP/other-ns" || fail "the holder in another IPC namespace did not start"
assert_eq "$ID" "$(nsenter --ipc=/proc/$other/ns/ipc "$H" sysv-id 0x100)" \
	"the other namespace's segment has shmid $ID too"
assert_true "its maps show /SYSV00000100 with inode $ID" \
	grep -q " $ID  *[/]SYSV00000100 (deleted)" "/proc/$other/maps"
assert_eq "$(joined $h1 $h3)" "$(pids_of "$S")" "another IPC namespace's attachment is not ours"
# Serving that namespace (-o ipc_ns): the other way round.
stop_shmfs
start_shmfs -d -o allow_other,ipc_ns=/proc/$other/ns/ipc
assert_eq "$other" "$(pids_of "$S")" "-o ipc_ns: the served namespace's holder, not ours"
assert_eq 0 "$(orphan_of "$S")" "-o ipc_ns: attached, so no orphan"
stop_shmfs
start_shmfs -d -o allow_other
# The daemon itself, while a file of the mount has the segment open.
exec 3<"$S"
assert_eq "$(joined $h1 $h3 $SHMFS_PID)" "$(pids_of "$S")" "an open file of the mount: the daemon"
exec 3<&-
assert_eq "$(joined $h1 $h3)" "$(pids_of "$S")" "closed: the daemon detached"
# Removed while attached: under sysv-id/ only, still with its holders.
"$H" sysv-rm 0x100
assert_eq "$(joined $h1 $h3)" "$(pids_of "$MNT/sysv-id/$ID")" "removed but attached: the holders"
assert_eq dest "$(attr status "$MNT/sysv-id/$ID")" "status dest"
assert_eq 0 "$(orphan_of "$MNT/sysv-id/$ID")" "attached: no orphan"
release $h1
release $h3
assert_soon "the last detach destroys it" test ! -e "$MNT/sysv-id/$ID"

section "SysV: what the caller may inspect (as uid $U)"
"$H" sysv-create 0x101 4096 0666 >/dev/null
hold "$TMP/root" sysv-hold 0x101 60
rooth=$BG_PID
u_hold "$TMP/user" sysv-hold 0x101 60
userh=$BG_PID
assert_eq "$(joined $rooth $userh)" "$(pids_of "$MNT/sysv/0x00000101")" "root sees both holders"
assert_eq "$userh" "$(u_pids_of "$MNT/sysv/0x00000101")" \
	"uid $U sees its own holder only: root's maps are closed to it"
assert_fails_with "Permission denied" as_u cat "/proc/$rooth/maps"
exec 3<"$MNT/sysv/0x00000101"
assert_eq "$(joined $rooth $userh $SHMFS_PID)" "$(pids_of "$MNT/sysv/0x00000101")" \
	"root sees the daemon attached"
assert_eq "$userh" "$(u_pids_of "$MNT/sysv/0x00000101")" \
	"uid $U does not: the daemon is root's process"
exec 3<&-
# /proc mounted hidepid=2 (this test's mount namespace only): root's
# processes are not even listed for uid $U.
mount -t proc -o hidepid=2 proc /proc || fail "cannot mount /proc with hidepid=2"
assert_eq "" "$(as_u ls -d "/proc/$rooth" 2>/dev/null)" "hidepid=2: uid $U cannot see root's holder"
assert_eq "$(joined $rooth $userh)" "$(pids_of "$MNT/sysv/0x00000101")" "hidepid=2: root sees both"
assert_eq "$userh" "$(u_pids_of "$MNT/sysv/0x00000101")" \
	"hidepid=2: uid $U sees its own"
umount /proc
release $rooth
release $userh
"$H" sysv-rm 0x101

section "SysV: leaked segments (user.shm.orphan)"
"$H" sysv-create 0x110 4096 >/dev/null # its creator exits at once
"$H" sysv-create 0x111 8192 >/dev/null
hold "$TMP/c" sysv-create 0x112 4096 0644 --hold 60 # creator stays
creator=$BG_PID
"$H" sysv-create 0x113 4096 >/dev/null
hold "$TMP/a" sysv-hold 0x113 60 # attached, creator gone
attached=$BG_PID
printf made >"$MNT/sysv/0x00000114" # made by the daemon, which runs
for k in 110 111 112 113 114; do sid[$k]=$("$H" sysv-id 0x$k); done
assert_eq "$creator" "$(sysv_field 0x112 cpid)" "the witness: 0x112's creator is the holder"
assert_eq "$SHMFS_PID" "$(sysv_field 0x114 cpid)" "the witness: 0x114's creator is the daemon"
assert_true "0x110's creator is gone" test ! -e "/proc/$(sysv_field 0x110 cpid)"
assert_eq "1 1 0 0 0" "$(for k in 110 111 112 113 114; do orphan_of "$MNT/sysv/0x00000$k"; echo; done | paste -sd' ' -)" \
	"orphan: only the two nobody attached whose creators are gone"
# The README's one-liners, as it shows them.
mapfile -t oneliners < <(grep -E '^\$ find /run/shmfs/sysv-id .*user\.shm\.orphan' "$(dirname "$_LIB_SELF")/../../README.md" |
	sed -e 's/^\$ //' -e "s|/run/shmfs|$MNT|g")
assert_eq 2 "${#oneliners[@]}" "README shows two find one-liners (list, remove)"
assert_eq "$(printf '%s\n' "$MNT/sysv-id/${sid[110]}" "$MNT/sysv-id/${sid[111]}" | sort)" \
	"$(bash -c "${oneliners[0]}" | sort)" "README's one-liner lists the two leaked segments"
assert_true "README's one-liner removes them" bash -c "${oneliners[1]}"
assert_eq "$(printf '%s\n' "${sid[112]}" "${sid[113]}" "${sid[114]}" | sort -n)" "$("$H" sysv-list | sort -n)" \
	"the witness: only the three in use are left"
release $creator
assert_eq 1 "$(orphan_of "$MNT/sysv/0x00000112")" "its creator gone: 0x112 is an orphan now"
release $attached
for k in 112 113 114; do "$H" sysv-rm 0x$k; done

section "POSIX: the processes that map it or hold it open"
"$H" posix-create obj 8192 0666
P=$MNT/posix/obj
assert_eq "" "$(pids_of "$P")" "nobody: empty"
hold "$TMP/m" posix-hold obj 60
mapper=$BG_PID
hold "$TMP/o" posix-hold obj --open 60
opener=$BG_PID
assert_true "the mapper maps it and holds no descriptor" \
	sh -c "grep -q ' /dev/shm/obj\$' /proc/$mapper/maps && ! ls -l /proc/$mapper/fd | grep -q /dev/shm/obj"
assert_eq "$(joined $mapper $opener)" "$(pids_of "$P")" "pids: the mapper and the one holding it open"
assert_eq 0 "$(orphan_of "$P")" "in use: no orphan"
{ sleep 60 & } </dev/shm/obj
sleeper=$!
BG_PIDS+=("$sleeper")
assert_eq "$(joined $mapper $opener $sleeper)" "$(pids_of "$P")" "and sleep(1) reading it on stdin"
exec 3<"$P"
assert_eq "$(joined $mapper $opener $sleeper $SHMFS_PID)" "$(pids_of "$P")" "an open file of the mount: the daemon"
exec 3<&-
release $sleeper
release $mapper
u_hold "$TMP/u" posix-hold obj 60
userh=$BG_PID
assert_eq "$userh" "$(u_pids_of "$P")" "uid $U sees its own only"
assert_eq 0 "$(as_u getfattr --absolute-names --only-values -n user.shm.orphan "$P")" "uid $U: in use"
release $opener
release $userh
assert_eq "" "$(pids_of "$P")" "all gone: empty"

section "POSIX orphans, in a PID namespace where every process can be inspected"
# Outside one, a process the daemon may not inspect (pid 1 of a sandbox,
# say) leaves open whether some process uses an object: orphan stays 0.
"$H" posix-create held 4096 0666
"$H" posix-create left 4096 0666
mkdir "$TMP/inner"
unshare --pid --fork --mount-proc --kill-child bash -c '
	"$1" -f -o allow_other "$2" >"$3/inner.log" 2>&1 &
	for i in $(seq 100); do grep -q " $2 fuse" /proc/self/mounts && break; sleep 0.05; done
	"$4" posix-hold held 60 >/dev/null &
	for i in $(seq 100); do grep -q /dev/shm/held /proc/$!/maps 2>/dev/null && break; sleep 0.05; done
	for f in held left; do getfattr --absolute-names --only-values -n user.shm.orphan "$2/posix/$f"; echo; done
	setpriv --reuid='$U' --regid='$U' --clear-groups getfattr --absolute-names --only-values -n user.shm.orphan "$2/posix/left"; echo
	kill $!
	fusermount3 -u "$2"' bash "$SHMFS" "$TMP/inner" "$TMP" "$H" >"$TMP/orphans" 2>&1 &
inner=$!
BG_PIDS+=("$inner")
wait "$inner"
assert_eq "$(printf '0\n1\n0')" "$(cat "$TMP/orphans")" \
	"held: 0; unused: 1; unused, asked by uid $U, who cannot inspect root's processes: 0"
rmdir "$TMP/inner"

section "read-only, read by name and in user.shm.all, not listed"
"$H" sysv-create 0x120 4096 >/dev/null
for f in "$MNT/sysv/0x00000120" "$P"; do
	for a in pids orphan pagesize; do
		assert_fails_with "$EPERM" setfattr -n user.shm.$a -v 1 "$f"
		assert_fails_with "$EPERM" setfattr -x user.shm.$a "$f"
		assert_has_line "user.shm.$a" "$(attr all "$f" | sed 's/=.*//')" \
			"user.shm.all of $f shows user.shm.$a"
		assert_lacks_line "user.shm.$a" "$(getfattr --absolute-names -d "$f" 2>/dev/null | sed 's/=.*//')" \
			"getfattr -d $f does not list user.shm.$a"
	done
done
# A POSIX object's own attributes stay its own; ours win over a
# namesake set on /dev/shm directly.
setfattr -n user.note -v kept /dev/shm/obj
setfattr -n user.shm.pids -v forged /dev/shm/obj
assert_true "setfattr of another name goes to the object" setfattr -n user.more -v x "$P"
assert_eq "x" "$(getfattr --absolute-names --only-values -n user.more /dev/shm/obj)" "it is on /dev/shm/obj"
assert_eq "" "$(pids_of "$P")" "user.shm.pids is ours, not the file's"
assert_eq 1 "$(attr all "$P" | grep -c '^user.shm.pids=')" "shown once by user.shm.all"
assert_eq 0 "$(getfattr --absolute-names -d "$P" 2>/dev/null | grep -c '^user.shm.pids=')" \
	"the namesake is not listed either: it reads as ours"
assert_has_line 'user.note="kept"' "$(getfattr --absolute-names -d "$P" 2>/dev/null)" \
	"the object's own attribute is listed"

section "the cost: ls -l and getfattr -d scan nothing, user.shm.all once"
stop_shmfs
start_shmfs -d
: >"$SHMFS_LOG"
ls -l "$MNT/sysv" "$MNT/sysv-id" "$MNT/posix" >/dev/null
assert_eq 0 "$(grep -ac 'procscan:' "$SHMFS_LOG")" "ls -l: no scan of /proc"
getfattr -d "$MNT/sysv/0x00000120" >/dev/null 2>&1
assert_eq 0 "$(grep -ac 'procscan:' "$SHMFS_LOG")" "getfattr -d: no scan"
getfattr -n user.shm.all "$MNT/sysv/0x00000120" >/dev/null 2>&1
assert_eq 1 "$(grep -ac 'procscan:' "$SHMFS_LOG")" \
	"getfattr -n user.shm.all (asked twice): one scan"
# One map answers for every object and every command of the same rights
# while it is fresh: at most one scan per 100 ms, however many ask.
fresh_wait
: >"$SHMFS_LOG"
t0=$(now_ms)
for _ in $(seq 50); do getfattr -n user.shm.pids "$MNT/sysv/0x00000120" >/dev/null 2>&1; done
getfattr -R -n user.shm.pids "$MNT" >/dev/null 2>&1
dt=$(($(now_ms) - t0))
n=$(grep -ac 'procscan:' "$SHMFS_LOG")
assert_true "50 commands and a walk of the tree in $dt ms: $n scans, one a window at most" \
	test "$n" -ge 1 -a "$n" -le $((dt / 100 + 1))
stop_shmfs_cleanly
