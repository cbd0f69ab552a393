#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Files being created, with a root daemon serving everyone (-o allow_other):
# what is written before the segment exists lives in the daemon, so it is
# held sparsely, and each user gets at most half of the budget for it
# (docs/reliability.md, "Files being created").  The attackers are real
# other users; /proc/PID/status and /proc/sysvipc/shm are the witnesses.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

as_user() { # as_user UID CMD...: CMD as UID, its group, no other groups
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}
kb_of() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$SHMFS_PID/status"; }
# The resident bytes of KEY's segment, as the kernel says (keys in decimal).
seg_rss() { awk -v k=$(($1)) '$1 == k { print $15 }' /proc/sysvipc/shm; }
# The daemon's budget, as src/core/newbuf.c chooses it, and one uid's half.
budget=$(($(getconf _PHYS_PAGES) * $(getconf PAGESIZE) / 8))
((budget < 64 << 20)) && budget=$((64 << 20))
share=$((budget / 2))
CHUNK=65536
# One byte this far in took all of the budget before (RAM/8: 3 GB here).
FAR=$((budget - CHUNK))

# A python other users can run (a per-user install, as pyenv's, is not).
PY=/usr/bin/python3
as_user 1001 "$PY" -c pass || _lib_cannot_run "user 1001 cannot run $PY"
start_shmfs -o allow_other
S=$MNT/sysv
rss0=$(kb_of VmRSS)
vm0=$(kb_of VmSize)
echo "daemon at start: VmRSS $rss0 kB, VmSize $vm0 kB; budget $budget, share $share"

section "one byte at $FAR, held open by one user"
as_user 1001 "$PY" - "$S/0x00000601" "$TMP/a.go" "$FAR" >"$TMP/a.out" 2>&1 <<'PY' &
import errno, os, sys, time
path, go = sys.argv[1:3]
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
try:
    os.pwrite(fd, b"!", int(sys.argv[3]))
    print("ready", flush=True)
except OSError as e:
    print("pwrite", errno.errorcode[e.errno], flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
try:
    os.close(fd)
    print("closed", flush=True)
except OSError as e:
    print("close", errno.errorcode[e.errno], flush=True)
PY
A_PID=$!
BG_PIDS+=("$A_PID")
wait_for 30 grep -qE '^(ready|pwrite)' "$TMP/a.out"
assert_eq ready "$(head -n 1 "$TMP/a.out")" "user 1001 writes one byte at $FAR"
assert_eq "$((FAR + 1)) $((CHUNK / 512))" "$(stat -c '%s %b' "$S/0x00000601")" \
	"its size is $((FAR + 1)), its blocks one 64 KiB chunk"
rss1=$(kb_of VmRSS)
echo "daemon after the write: VmRSS $rss1 kB, VmSize $(kb_of VmSize) kB"
assert_true "the daemon's RSS grew by less than 16 MiB ($((rss1 - rss0)) kB)" \
	test $((rss1 - rss0)) -lt 16384

assert_true "user 1002 creates a file of 100000 bytes meanwhile" \
	as_user 1002 bash -c 'head -c 100000 /dev/zero >"$1"' sh "$S/0x00000501"
assert_eq "100000 1002" "$(sysv_field 0x501 size) $(sysv_field 0x501 uid)" "the helper sees it, 1002's"
assert_eq 0 "$(seg_rss 0x501)" "zeros written make no resident page"
rss2=$(kb_of VmRSS)
assert_true "the daemon's RSS is still within 16 MiB ($((rss2 - rss0)) kB)" \
	test $((rss2 - rss0)) -lt 16384

touch "$TMP/a.go"
wait_for 30 grep -qE '^close' "$TMP/a.out"
wait "$A_PID"
assert_eq closed "$(tail -n 1 "$TMP/a.out")" "user 1001's close makes the segment"
assert_eq "$((FAR + 1))" "$(sysv_field 0x601 size)" "a segment of $((FAR + 1)) bytes"
assert_eq "$(getconf PAGESIZE)" "$(seg_rss 0x601)" "of which one page is resident"
assert_eq "!" "$("$H" sysv-read 0x601 "$FAR" 1)" "holding the byte written"
assert_eq 1001 "$(sysv_field 0x601 cuid)" "made by 1001"
rss3=$(kb_of VmRSS)
vm3=$(kb_of VmSize)
echo "daemon after the close: VmRSS $rss3 kB, VmSize $vm3 kB"
assert_true "the daemon's RSS is still within 16 MiB ($((rss3 - rss0)) kB)" \
	test $((rss3 - rss0)) -lt 16384
"$H" sysv-rm 0x601
"$H" sysv-rm 0x501

section "a hostile user: many files being created, a little data in each"
# 16 bytes in each file, 64 KiB apart: 16 chunks.  The user's half of the
# budget runs out after share / 64 KiB chunks, long before shmmni does.
echo 32768 >/proc/sys/kernel/shmmni
as_user 1003 "$PY" - "$S" "$TMP/h.go" >"$TMP/h.out" 2>&1 <<'PY' &
import errno, os, sys, time
base, go = sys.argv[1:3]
fds, paths, chunks, err = [], [], 0, "no limit"
for i in range(30000):
    path = "%s/0x%08x" % (base, 0x10000 + i)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        err = "open " + errno.errorcode[e.errno]
        break
    fds.append(fd)
    paths.append(path)
    try:
        for k in range(16):
            os.pwrite(fd, b"h", k * 65536)
            chunks += 1
    except OSError as e:
        err = "write " + errno.errorcode[e.errno]
        break
print(len(fds), chunks, err, flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
for path in paths:
    try:
        os.unlink(path)
    except OSError:
        pass  # the last one, whose write failed, is gone already
for fd in fds:
    os.close(fd)
print("done", flush=True)
PY
H_PID=$!
BG_PIDS+=("$H_PID")
wait_for 100 grep -q ' ' "$TMP/h.out"
read -r files chunks err1 err2 <"$TMP/h.out"
echo "user 1003: $files files, $chunks chunks of 64 KiB, then $err1 $err2"
assert_eq "write ENOSPC" "$err1 $err2" "user 1003's writes stop at ENOSPC"
assert_eq "$((share / CHUNK))" "$chunks" "after exactly half of the budget: share / 64 KiB chunks"
assert_true "user 1002 still creates a file of 100000 bytes" \
	as_user 1002 bash -c 'head -c 100000 /dev/zero >"$1"' sh "$S/0x00000502"
assert_eq 100000 "$(sysv_field 0x502 size)" "the helper sees it"
rss4=$(kb_of VmRSS)
echo "daemon holding user 1003's files: VmRSS $rss4 kB, VmSize $(kb_of VmSize) kB"
# AddressSanitizer (tests/run.sh pass 2) adds its shadow and red zones.
bound=$((share / 1024 + 65536))
grep -q libasan "/proc/$SHMFS_PID/maps" && bound=$((2 * bound))
assert_true "the daemon's RSS grew by at most the share and 64 MiB ($((rss4 - rss0)) kB, bound $bound kB)" \
	test $((rss4 - rss0)) -le "$bound"
touch "$TMP/h.go"
wait_for 60 grep -qx done "$TMP/h.out"
wait "$H_PID"
assert_eq 0x00000502 "$(ls "$S")" "user 1003 removed all its files: none was made"
assert_eq 1 "$("$H" sysv-list | wc -l)" "the kernel agrees"
assert_true "user 1003 may write again" \
	as_user 1003 bash -c 'echo again >"$1"' sh "$S/0x00000503"
assert_eq 6 "$(sysv_field 0x503 size)" "its new file is made"
assert_true "the daemon is alive" daemon_alive

section "rm and create again, every descriptor held: removed files still count"
# Issue 20, item 3.  A file being created that is removed while open lives
# on until its last close, as on tmpfs, and counts against shmmni until
# then: before, it stopped counting at the rm, so one user held any number.
# A new daemon, whose RSS the chunks freed above do not hide.
stop_shmfs_cleanly
start_shmfs -o allow_other
segs=$("$H" sysv-list | wc -l)
room=50
echo $((segs + room)) >/proc/sys/kernel/shmmni
rss5=$(kb_of VmRSS)
# The end of the scripts below: hold FDS until the file GO exists.
cat >"$TMP/hold.py" <<'PY'
while not os.path.exists(go):
    time.sleep(0.05)
for fd in fds:
    os.close(fd)
print("done", flush=True)
PY
chmod 644 "$TMP/hold.py"
cat - "$TMP/hold.py" <<'PY' | as_user 1001 "$PY" - "$S/0x00000701" "$TMP/r.go" >"$TMP/r.out" 2>&1 &
import errno, os, resource, sys, time
path, go = sys.argv[1:3]
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
if hard == resource.RLIM_INFINITY or hard > 12000:
    hard = 12000
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
fds, err = [], "no limit"
for i in range(10000):
    try:
        fds.append(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.unlink(path)
    except OSError as e:
        err = errno.errorcode[e.errno]
        break
print(len(fds), err, flush=True)
PY
R_PID=$!
BG_PIDS+=("$R_PID")
wait_for 100 grep -q ' ' "$TMP/r.out"
read -r held err <"$TMP/r.out"
rss6=$(kb_of VmRSS)
echo "user 1001 held $held removed files, then $err; daemon VmRSS $rss5 -> $rss6 kB"
assert_eq "$room ENOSPC" "$held $err" \
	"the create after shmmni - segments ($room) removed-but-open files fails with ENOSPC"
assert_fails_with "No space left on device" \
	as_user 1002 bash -c 'echo x >"$1"' sh "$S/0x00000702"
# ~900 bytes an entry: 10,000 held took 9 MiB before.  A worker thread
# that starts meanwhile takes 1 MiB of its own (its arena and stack).
bound=4096
grep -q libasan "/proc/$SHMFS_PID/maps" && bound=$((2 * bound))
assert_true "the daemon's RSS grew by less than $bound kB ($((rss6 - rss5)) kB)" \
	test $((rss6 - rss5)) -lt "$bound"
touch "$TMP/r.go"
wait_for 60 grep -qx done "$TMP/r.out"
wait "$R_PID"
assert_eq "$segs" "$("$H" sysv-list | wc -l)" "no removed file became a segment"
assert_true "after the last close there is room again" \
	as_user 1002 bash -c 'echo x >"$1"' sh "$S/0x00000702"
"$H" sysv-rm 0x702
echo 32768 >/proc/sys/kernel/shmmni

section "a file opened before its segment was made holds it, removed or not"
# Its entry lived on uncounted once the segment was made: it attached only
# at its first use, so an rm destroyed the segment under it (its read then
# failed with ENOENT) and open, create, close, rm, again held any number.
as_user 1001 "$PY" - "$S/0x00000703" "$H" >"$TMP/o.out" 2>&1 <<'PY'
import errno, os, subprocess, sys
path, helper = sys.argv[1:3]
a = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
b = os.open(path, os.O_RDONLY)
os.write(a, b"hello")
os.close(a)
shmid = subprocess.run([helper, "sysv-id", "0x703"], capture_output=True, text=True).stdout.strip()
os.unlink(path)
nattch = subprocess.run([helper, "sysv-stat", "id:" + shmid, "nattch"], capture_output=True,
                        text=True).stdout.strip()
try:
    got = os.pread(b, 10, 0).decode()
except OSError as e:
    got = errno.errorcode[e.errno]
print(nattch, got)
PY
assert_eq "1 hello" "$(cat "$TMP/o.out")" \
	"after the creator's close and the rm, it is attached (nattch 1) and reads what was written"
assert_eq "$segs" "$("$H" sysv-list | wc -l)" "its close let the removed segment go"

section "a create whose key is taken before its close, 300 times: one line in the log"
# Issue 20, item 4.  The user is told by the close (EEXIST); the log, which
# any user could flood before (an error line each), says it once a minute.
as_user 1001 "$PY" - "$S" >"$TMP/k.out" 2>&1 <<'PY'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT, IPC_EXCL, IPC_RMID = 0o1000, 0o2000, 0
told = 0
for i in range(300):
    key = 0x800 + i
    fd = os.open("%s/0x%08x" % (sys.argv[1], key), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.write(fd, b"mine")
    shmid = libc.shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0o600)
    try:
        os.close(fd)
    except OSError as e:
        told += e.errno == errno.EEXIST
    if shmid >= 0:
        libc.shmctl(shmid, IPC_RMID, None)
print(told)
PY
assert_eq 300 "$(cat "$TMP/k.out")" "each of 300 closes says EEXIST"
assert_eq 1 "$(grep -c "cannot create key" "$SHMFS_LOG")" "the log says so once"
assert_eq "$segs" "$("$H" sysv-list | wc -l)" "no segment left behind"

section "CAP_SYS_ADMIN may chmod and rm another user's file being created"
# Issue 20, item 5: as IPC_SET and IPC_RMID of a segment allow.  The
# kernel's answer first, on a segment of 1001's, then the mount's.
with_cap() { # with_cap CAP CMD...: user 1002 holding capability CAP only
	local cap=$1
	shift
	setpriv --reuid=1002 --regid=1002 --clear-groups \
		--inh-caps="+$cap" --ambient-caps="+$cap" "$@"
}
NOCAP=(setpriv --reuid=0 --regid=0 --clear-groups --inh-caps=-all --bounding-set=-all)
as_user 1001 "$H" sysv-create 0x901 4096 0644 >/dev/null
assert_fails_with "Operation not permitted" "${NOCAP[@]}" "$H" sysv-chmod 0x901 0600
assert_fails_with "Operation not permitted" "${NOCAP[@]}" "$H" sysv-rm 0x901
assert_true "directly, CAP_SYS_ADMIN may IPC_SET" with_cap sys_admin "$H" sysv-chmod 0x901 0640
assert_true "directly, CAP_SYS_ADMIN may IPC_RMID" with_cap sys_admin "$H" sysv-rm 0x901
as_user 1001 "$PY" - "$S/0x00000902" "$TMP/c.go" >"$TMP/c.out" 2>&1 <<'PY' &
import os, sys, time
path, go = sys.argv[1:3]
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
os.write(fd, b"late")
os.close(fd)
print("closed", flush=True)
PY
C_PID=$!
BG_PIDS+=("$C_PID")
wait_for 30 grep -qx ready "$TMP/c.out"
F=$S/0x00000902
assert_fails_with "Operation not permitted" "${NOCAP[@]}" chmod 0600 "$F"
assert_fails_with "Operation not permitted" "${NOCAP[@]}" rm -f "$F"
assert_true "CAP_SYS_ADMIN chmods it" with_cap sys_admin chmod 0640 "$F"
assert_eq "640 1001" "$(stat -c '%a %u' "$F")" "its mode is 0640, still 1001's"
assert_true "CAP_SYS_ADMIN removes it" with_cap sys_admin rm -f "$F"
assert_missing "$F"
touch "$TMP/c.go"
wait_for 30 grep -qx closed "$TMP/c.out"
wait "$C_PID"
assert_fails_with "No such file or directory" "$H" sysv-id 0x902
assert_true "the daemon is alive" daemon_alive

section "files not attached as their segment was made: still counted"
# An open file is attached as the segment is made (above); one that cannot
# be, here for want of a descriptor in the daemon (a segment over 8 MiB is
# not opened untrimmed), held its entry counted nowhere: an rm destroyed
# the segment (nattch 0), and create, open, make by truncate(2), rm,
# again, held any number past shmmni.  A racing IPC_RMID between the make
# and the attach did the same without the descriptors.
"$H" posix-create bait 16 0666 >/dev/null
read -r soft hard < <(prlimit --pid "$SHMFS_PID" --nofile --output=SOFT,HARD --noheadings)
prlimit --pid "$SHMFS_PID" --nofile="$(($(fd_count) + 300)):$hard"
echo $((segs + room)) >/proc/sys/kernel/shmmni
as_user 1002 "$PY" - "$MNT/posix/bait" "$TMP/fd.go" >"$TMP/fd.out" 2>&1 <<'PY' &
import os, sys, time
fds = []
try:
    while len(fds) < 5000:
        fds.append(os.open(sys.argv[1], os.O_RDONLY))
    print("no refusal", flush=True)
except OSError as e:
    print(os.strerror(e.errno), flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.05)
PY
HOG_PID=$!
BG_PIDS+=("$HOG_PID")
wait_for 30 grep -q . "$TMP/fd.out"
assert_eq "Too many open files" "$(cat "$TMP/fd.out")" "user 1002 holds the daemon at its reserve"
cat - "$TMP/hold.py" <<'PY' | as_user 1001 "$PY" - "$S/0x00000704" "$TMP/nb.go" >"$TMP/nb.out" 2>&1 &
import errno, os, sys, time
path, go = sys.argv[1:3]
fds, made, err, dead = [], 0, "none", 0
while made < 200:
    try:
        a = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        b = os.open(path, os.O_RDONLY)
        fds += [a, b]
        os.truncate(path, 16 << 20)
        os.unlink(path)
    except OSError as e:
        err = errno.errorcode[e.errno]
        break
    made += 1
    try:
        os.pread(b, 1, 0)
    except OSError:
        dead += 1
print(made, err, dead, flush=True)
PY
U_PID=$!
BG_PIDS+=("$U_PID")
wait_for 100 grep -q ' ' "$TMP/nb.out"
read -r made err dead <"$TMP/nb.out"
echo "user 1001 made, removed and held $made, then $err; $dead of them not attached"
assert_ne 0 "$dead" "the files opened before the make could not be attached"
assert_eq "$room ENOSPC" "$made $err" \
	"the create after shmmni - segments ($room) such files fails with ENOSPC"
touch "$TMP/nb.go" "$TMP/fd.go"
wait_for 60 grep -qx done "$TMP/nb.out"
wait "$U_PID" "$HOG_PID"
prlimit --pid "$SHMFS_PID" --nofile="$soft:$hard"
assert_eq "$segs" "$("$H" sysv-list | wc -l)" "no segment left behind"
assert_true "after the last close there is room again" \
	as_user 1002 bash -c 'echo x >"$1"' sh "$S/0x00000705"
"$H" sysv-rm 0x705
echo 32768 >/proc/sys/kernel/shmmni
assert_true "the daemon is alive" daemon_alive
stop_shmfs_cleanly
