#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The scan behind user.shm.pids and .orphan (issue 20) as unprivileged
# users attack it on a root allow_other mount:
#  - hang: a scan never makes the daemon wait on itself (a descriptor of
#    the mount's own file, its attributes lapsed, must not cost a GETATTR
#    that no worker is left to answer);
#  - stall: processes with huge maps and many scan loops cost their own
#    scans, never another user's reads;
#  - spoof: a tmpfs file of a user namespace that looks like a SysV
#    attachment (the shmid as inode, a /SYSV name) is not one;
#  - rights: a process that drops a capability at once reads as it is now;
#  - interrupt: a request killed while it waits for a scan is answered;
#  - leader: a process whose main thread exited still holds what its
#    other threads hold (no false orphan).
# Each hang detector is generous (a bound on hanging, not on speed); a
# hung mount is aborted through the fuse control file system, then the
# test fails.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

U=1001	 # the attacker
U2=1002	 # another user
BOUND_S=20 # how long another user's request may take before it is hung

# "${AS_U[@]}" CMD...: CMD as uid $U, without groups; an array, not a
# function, so that timeout and & run the command itself (a function in
# the background is a subshell, whose kill would leave CMD running).
AS_U=(setpriv --reuid=$U --regid=$U --clear-groups)
AS_U2=(setpriv --reuid=$U2 --regid=$U2 --clear-groups)

# served DESCRIPTION CMD...: CMD, as another user, answered within BOUND_S;
# else the mount is hung: aborted, and the test ends.
served() {
	local desc=$1 t0
	shift
	t0=$(now_ms)
	if timeout "$BOUND_S" "$@" >/dev/null 2>&1; then
		pass "$desc (after $(($(now_ms) - t0)) ms)"
		return 0
	fi
	fail "$desc" "no answer within $BOUND_S s: the daemon is hung; aborting it"
	abort_mount
	stop_loops
	stop_shmfs
	exit 1
}

LOOPS=()
# loops N USER CMD...: N processes running CMD as USER until stop_loops
loops() {
	local n=$1 u=$2 i
	shift 2
	for ((i = 0; i < n; i++)); do
		setpriv --reuid="$u" --regid="$u" --clear-groups \
			sh -c 'while :; do "$@" >/dev/null 2>&1; done' sh "$@" &
		LOOPS+=($!)
		BG_PIDS+=($!)
	done
}
stop_loops() {
	local p
	for p in "${LOOPS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${LOOPS[@]}"; do wait "$p" 2>/dev/null; done
	LOOPS=()
}

# hugemaps N: a process of uid $U mapping one page of a file at a
# 3,800-byte path N times (mappings the kernel cannot merge: all at offset
# 0), MAP_SHARED; prints its pid when ready.
hugemaps() {
	"${AS_U[@]}" /usr/bin/python3 - "$LONG/f" "$1" <<'PY' &
import ctypes, mmap, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.mmap.restype = ctypes.c_void_p
libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                      ctypes.c_int, ctypes.c_int, ctypes.c_long]
fd = os.open(sys.argv[1], os.O_RDONLY)
for _ in range(int(sys.argv[2])):
    if libc.mmap(None, 4096, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0) in (None, 2**64 - 1):
        sys.exit("mmap: " + os.strerror(ctypes.get_errno()))
print(os.getpid(), flush=True)
time.sleep(120)
PY
	BG_PIDS+=($!)
}

# long_path: LONG, a directory of uid $U at a path of about 3,800 bytes,
# on a disk, with a file f of 4 KiB: each mapping of it is a long line of
# maps text.
long_path() {
	local i
	chmod 711 "$TMP"
	LONG=$TMP/u
	install -d -o $U -g $U "$LONG"
	for i in $(seq 15); do LONG=$LONG/$(printf '%0250d' "$i"); done
	"${AS_U[@]}" mkdir -p "$LONG"
	"${AS_U[@]}" sh -c "head -c 4096 /dev/zero >'$LONG/f'"
}

test_hang() {
	section "hang: a scan never waits on the daemon (issue 20, item 1)"
	start_shmfs -o allow_other
	"$H" posix-create "mine" 7 0600
	chown $U:$U /dev/shm/mine
	"$H" sysv-create 0x200 4096 0644 >/dev/null
	echo "7 bytes" | head -c 7 >/dev/shm/other
	chmod 0644 /dev/shm/other
	# The attacker holds its object open through the mount and appends to it
	# in /dev/shm, so that the kernel's cached attributes of it keep lapsing
	# (the daemon's watch invalidates them), and a dozen loops ask who holds
	# it: each scan looks at the descriptor.
	"${AS_U[@]}" sleep 60 <"$MNT/posix/mine" &
	holder=$!
	BG_PIDS+=($holder)
	loops 1 $U sh -c 'echo x >>/dev/shm/mine'
	loops 12 $U getfattr -n user.shm.pids "$MNT/posix/mine"
	sleep 3
	served "uid $U2 stats a name meanwhile" "${AS_U2[@]}" stat "$MNT/sysv/0x00000200"
	served "uid $U2 reads a 7-byte object meanwhile" "${AS_U2[@]}" cat "$MNT/posix/other"
	served "root stats the attacker's object meanwhile" stat "$MNT/posix/mine"
	stop_loops
	# Held through the mount, the object is held open by the daemon.
	served "root's answer, the loops gone, names the daemon" \
		sh -c "getfattr --only-values -n user.shm.pids '$MNT/posix/mine' | grep -qw $SHMFS_PID"
	kill $holder
	wait $holder 2>/dev/null
	stop_shmfs_cleanly
}

test_stall() {
	section "stall: huge maps cost their owner's scans only (issue 20, item 2)"
	long_path
	assert_true "the path is about 3,800 bytes long (${#LONG})" test ${#LONG} -gt 3780
	start_shmfs -o allow_other
	"$H" posix-create theirs 7 0644
	"$H" posix-create mine 7 0600
	chown $U:$U /dev/shm/mine
	: >"$TMP/huge"
for _ in 1 2 3 4; do hugemaps 60000 >>"$TMP/huge"; done
	wait_for 60 sh -c "[ \$(wc -l <'$TMP/huge') -ge 4 ]" || fail "the processes with huge maps did not start"
	assert_true "a process maps 60,000 times" test "$(wc -l <"/proc/$(head -1 "$TMP/huge")/maps")" -gt 60000
	loops 12 $U getfattr -n user.shm.pids "$MNT/posix/mine"
	sleep 3
	served "uid $U2 stats a name meanwhile" "${AS_U2[@]}" stat "$MNT/posix/theirs"
	served "uid $U2 reads a 7-byte object meanwhile" "${AS_U2[@]}" cat "$MNT/posix/theirs"
	served "root's own scan meanwhile" getfattr -n user.shm.pids "$MNT/posix/theirs"
	stop_loops
	for p in $(cat "$TMP/huge"); do kill "$p"; done
	stop_shmfs_cleanly
}

test_interrupt() {
	section "interrupt: a request killed while queued is answered at once"
	# Maps read as text, and 30 processes of uid $U map a file at a long
	# path 1,000 times each (4 MB of maps each, under the bound): its scans
	# are slow (a second or so).  Its first request makes one; its second
	# waits in the queue.  Killed there, the second must not wait for the
	# scan: the kernel holds a killed caller until its request is answered.
	long_path
	SHMFS_PROCSCAN_TEXT=1 start_shmfs -d -o allow_other
	"$H" posix-create slow 7 0600
	chown $U:$U /dev/shm/slow
	: >"$TMP/huge"
	for _ in $(seq 30); do hugemaps 1000 >>"$TMP/huge"; done
	wait_for 60 sh -c "[ \$(wc -l <'$TMP/huge') -ge 30 ]" || fail "the processes with long maps did not start"
	"${AS_U[@]}" getfattr -n user.shm.pids "$MNT/posix/slow" >/dev/null 2>&1 &
	first=$!
	BG_PIDS+=($first)
	wait_for 10 grep -aq "opcode: GETXATTR.*pid: $first\$" "$SHMFS_LOG"
	"${AS_U[@]}" getfattr -n user.shm.pids "$MNT/posix/slow" >/dev/null 2>&1 &
	second=$!
	BG_PIDS+=($second)
	wait_for 10 grep -aq "opcode: GETXATTR.*pid: $second\$" "$SHMFS_LOG"
	sleep 0.2 # it is queued: an instant after it came
	kill -KILL $second
	wait $second 2>/dev/null
	assert_eq 0 "$(grep -ac 'procscan:' "$SHMFS_LOG")" \
		"the killed request was answered while the scan it waited for went on"
	wait $first
	assert_eq 1 "$(grep -ac 'procscan:' "$SHMFS_LOG")" "that scan ended, once"
	for p in $(cat "$TMP/huge"); do kill "$p"; done
	"$H" posix-rm slow
	stop_shmfs_cleanly
}

test_spoof() {
	section "spoof: a tmpfs file of one's own is no SysV attachment (issue 20, item 6)"
	start_shmfs -o allow_other
	# A segment made after three others: a shmid of at least 3, which a
	# tmpfs inode can be (its first file's is 2).
	for k in 0x2fd 0x2fe 0x2ff 0x300; do "$H" sysv-create $k 4096 0600 >/dev/null; done
	ID=$("$H" sysv-id 0x300)
	bg_helper "$TMP/h300" sysv-hold 0x300 60 || exit 1
	holder=$BG_PID
	# uid $U, root of a user and mount namespace of its own, makes a file of
	# inode $ID named SYSV00000300 on a tmpfs there, maps it, detaches the
	# mount and unlinks the file: its maps line is an attachment's, but for
	# the device.
	install -d -o $U -g $U "$TMP/spoof"
	"${AS_U[@]}" unshare -U -r -m sh -c 'mount -t tmpfs none "$1" && shift && exec "$@"' sh \
		"$TMP/spoof" /usr/bin/python3 - "$TMP/spoof" "$ID" 0x300 <<'PY' >"$TMP/spoofer" 2>&1 &
import ctypes, mmap, os, sys, time
d, shmid, key = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
while True:
    fd = os.open(d + "/f", os.O_CREAT | os.O_RDWR, 0o600)
    ino = os.fstat(fd).st_ino
    if ino == shmid:
        break
    os.close(fd)
    os.unlink(d + "/f")
    if ino > shmid:
        sys.exit("tmpfs inode %d is past shmid %d" % (ino, shmid))
os.ftruncate(fd, 4096)
name = "SYSV%08x" % key
os.rename(d + "/f", d + "/" + name)
m = mmap.mmap(fd, 4096)
# Detached, the mount is its own root: maps shows "/" + the name.
dfd = os.open(d, os.O_DIRECTORY)
os.chdir("/")
if ctypes.CDLL(None).umount2(d.encode(), 2) != 0:  # MNT_DETACH
    sys.exit("umount2 failed")
os.unlink(name, dir_fd=dfd)
print(os.getpid(), flush=True)
time.sleep(60)
PY
	BG_PIDS+=($!)
	if wait_for 30 grep -qE '^[0-9]+$' "$TMP/spoofer"; then
		spoofer=$(grep -E '^[0-9]+$' "$TMP/spoofer")
		assert_true "the spoofer's maps show /SYSV00000300 (deleted), inode $ID" \
			grep -qE " 00:[0-9a-f]+ +$ID +/SYSV00000300 \(deleted\)\$" "/proc/$spoofer/maps"
		assert_eq "$holder" "$(sleep 0.25; getfattr --absolute-names --only-values -n user.shm.pids "$MNT/sysv/0x00000300" 2>&1)" \
			"root's user.shm.pids: the real holder only"
		kill "$spoofer"
	else
		fail "the spoofer did not start" "$(cat "$TMP/spoofer")"
	fi
	kill $holder
	wait $holder 2>/dev/null
	# Another namespace's segment of the same shmid and key, attached by a
	# child of uid $U's process that shares its memory (CLONE_VM) and moved
	# to an IPC namespace of its own: the process's maps show it as an
	# attachment, though the segment served is attached by nobody.
	"$H" sysv-create 0x301 4096 0600 >/dev/null
	ID=$("$H" sysv-id 0x301)
	"${AS_U[@]}" "$H" sysv-hold-elsewhere 0x301 "$ID" 60 >"$TMP/elsewhere" 2>&1 &
	BG_PIDS+=($!)
	if wait_for 30 grep -qx "$!" "$TMP/elsewhere"; then
		assert_true "its maps show /SYSV00000301 (deleted), inode $ID" \
			grep -qE " 00:[0-9a-f]+ +$ID +/SYSV00000301 \(deleted\)\$" "/proc/$!/maps"
		assert_eq 0 "$("$H" sysv-stat 0x301 nattch)" "the witness: nattch 0"
		assert_eq "" "$(sleep 0.25; getfattr --absolute-names --only-values -n user.shm.pids "$MNT/sysv/0x00000301" 2>&1)" \
			"root's user.shm.pids of the segment attached by nobody: empty"
		kill $!
	else
		fail "the process attached elsewhere did not start" "$(cat "$TMP/elsewhere")"
	fi
	for k in 0x2fd 0x2fe 0x2ff 0x300 0x301; do "$H" sysv-rm $k; done
	stop_shmfs_cleanly
}

test_rights() {
	section "rights: who drops a capability reads as it is now (issue 20, item 7)"
	start_shmfs -o allow_other
	"$H" sysv-create 0x400 4096 0666 >/dev/null
	"${AS_U[@]}" "$H" sysv-hold 0x400 60 >"$TMP/h400" 2>&1 &
	uholder=$!
	BG_PIDS+=($uholder)
	wait_for 5 grep -qx "$uholder" "$TMP/h400" || fail "uid $U's holder did not start"
	sleep 0.25
	# One process asks, drops every effective capability (CAP_SYS_PTRACE
	# let it read uid $U's maps), and asks again at once.
	/usr/bin/python3 - "$MNT/sysv/0x00000400" >"$TMP/rights" 2>&1 <<'PY'
import ctypes, os, sys
p = sys.argv[1]
print(os.getxattr(p, "user.shm.pids").decode() or "-")
libc = ctypes.CDLL(None, use_errno=True)
class Hdr(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
class Data(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]
h = Hdr(0x20080522, 0)
d = (Data * 2)()
if libc.capget(ctypes.byref(h), d) != 0 or libc.capset(ctypes.byref(h), d) != 0:
    sys.exit("capget/capset failed")
for x in d:
    x.effective = 0
if libc.capset(ctypes.byref(h), d) != 0:
    sys.exit("capset failed")
print(os.getxattr(p, "user.shm.pids").decode() or "-")
PY
	assert_eq "$uholder" "$(sed -n 1p "$TMP/rights")" "with its capabilities, root sees uid $U's holder"
	assert_eq "-" "$(sed -n 2p "$TMP/rights")" "without them, at once: not"
	kill $uholder
	"$H" sysv-rm 0x400
	stop_shmfs_cleanly
}

test_bounds() {
	section "bounds: one segment attached 10,000 times is one holder (issue 24)"
	start_shmfs -o allow_other
	"$H" sysv-create 0x500 4096 0644 >/dev/null
	ID=$("$H" sysv-id 0x500)
	/usr/bin/python3 - "$ID" 10000 <<'PY' >"$TMP/many" 2>&1 &
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
for _ in range(int(sys.argv[2])):
    if libc.shmat(int(sys.argv[1]), None, 0o10000) in (None, 2**64 - 1):  # SHM_RDONLY
        sys.exit("shmat: " + os.strerror(ctypes.get_errno()))
print(os.getpid(), flush=True)
time.sleep(60)
PY
	many=$!
	BG_PIDS+=($many)
	wait_for 30 grep -qx "$many" "$TMP/many" || fail "the process attaching 10,000 times did not start" "$(cat "$TMP/many")"
	assert_eq 10000 "$("$H" sysv-stat 0x500 nattch)" "the witness: nattch 10,000"
	assert_eq "$many" "$(sleep 0.25; getfattr --absolute-names --only-values -n user.shm.pids "$MNT/sysv/0x00000500" 2>&1)" \
		"user.shm.pids: that process, once"
	assert_eq 4096 "$(getfattr --absolute-names --only-values -n user.shm.pagesize "$MNT/sysv/0x00000500" 2>&1)" \
		"user.shm.pagesize: from one of its mappings"
	kill $many
	wait $many 2>/dev/null
	"$H" sysv-rm 0x500
	stop_shmfs_cleanly
}

test_leader() {
	section "leader: a process whose main thread exited holds what its threads hold"
	# /proc/PID shows the main thread's mappings and descriptors: none once
	# it exited (pthread_exit()), though the process lives on.  In a PID
	# namespace where every process can be inspected, so that a miss would
	# read as orphan 1; with PROCMAP_QUERY and with maps text.
	"$H" posix-create held 4096 0600
	mkdir "$TMP/inner"
	cat >"$TMP/leader.py" <<'PY'
import ctypes, mmap, os, sys, threading, time
def hold():
    fd = os.open(sys.argv[1], os.O_RDWR)
    m = mmap.mmap(fd, 4096)
    print(os.getpid(), flush=True)
    time.sleep(60)
threading.Thread(target=hold).start()
time.sleep(0.5)
ctypes.CDLL(None).pthread_exit(None)
PY
	unshare --pid --fork --mount-proc --kill-child bash -c '
		for text in "" SHMFS_PROCSCAN_TEXT=1; do
			env $text "$1" -f -o allow_other "$2" >>"$3/inner.log" 2>&1 &
			for i in $(seq 100); do grep -q " $2 fuse" /proc/self/mounts && break; sleep 0.05; done
			/usr/bin/python3 "$3/leader.py" /dev/shm/held >"$3/leader" &
			p=$!
			for i in $(seq 100); do grep -q "^State:.Z" /proc/$p/status && break; sleep 0.05; done
			grep -l /dev/shm/held /proc/$p/task/*/maps >/dev/null && echo "$p" || echo "witness: not mapped"
			for a in pids orphan; do getfattr --absolute-names --only-values -n user.shm.$a "$2/posix/held"; echo; done
			kill $p
			fusermount3 -u "$2"
			wait
		done' bash "$SHMFS" "$TMP/inner" "$TMP" >"$TMP/leader-out" 2>&1 &
	inner=$!
	BG_PIDS+=("$inner")
	wait "$inner"
	mapfile -t out <"$TMP/leader-out"
	for m in 0 1; do
		local how=$([[ $m == 0 ]] && echo "PROCMAP_QUERY" || echo "maps text")
		assert_eq "${out[$((m * 3))]}" "${out[$((m * 3 + 1))]:-}" "$how: user.shm.pids lists it"
		assert_eq 0 "${out[$((m * 3 + 2))]:-}" "$how: and its object is no orphan"
	done
	rm -r "$TMP/inner"
	"$H" posix-rm held
}

# SCAN_ONLY="hang spoof": those parts only (to run one against old code).
for t in hang stall interrupt spoof rights bounds leader; do
	if [[ -z ${SCAN_ONLY:-} || " $SCAN_ONLY " == *" $t "* ]]; then "test_$t"; fi
done
