#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# memfd/: every memfd some process holds or maps, as a file NAME.INODE,
# against the independent witness (shmhelper memfd-hold, which shows its
# memfd through its own descriptor or mapping).  Contents both ways and
# mmap, seals (EPERM), rm (EPERM), names escaped, attributes; only what
# the caller may inspect (another user, root without capabilities);
# gone within 2 s of its last holder; and the daemon keeps no memfd alive:
# none in its descriptors or mappings after a release, and the kernel's
# Shmem figure back down.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EPERM="Operation not permitted"
U=1001
as_u() { setpriv --reuid=$U --regid=$U --clear-groups "$@"; }
NOCAPS=(setpriv --inh-caps=-all --bounding-set=-all)
hold() { bg_helper "$@" || exit 1; }
release() { kill "$1" && wait "$1" 2>/dev/null; }
ino_of() { sed -n 's/^ino=//p' "$1" | head -1; }
# dump OUT PID: what the holder sees through its own descriptor/mapping
dump() {
	local n
	n=$(grep -c '^dump ' "$1")
	kill -USR1 "$2"
	wait_for 5 test "$(grep -c '^dump ' "$1")" -gt "$n"
	grep '^dump ' "$1" | tail -1
}
listing() { ls -a "$MNT/memfd"; }
attr() { getfattr --absolute-names --only-values -n "user.shm.$1" "$2" 2>&1; }
shmem_kb() { awk '$1 == "Shmem:" { print $2 }' /proc/meminfo; }
# the daemon's descriptors, then mappings, of the test's memfds
daemon_memfds() {
	find "/proc/$SHMFS_PID/fd" -lname '*memfd:shmfs-test*' | wc -l
	grep -c 'memfd:shmfs-test' "/proc/$SHMFS_PID/maps"
}
listed() { listing | grep -qxF "$1"; }
# within_ms MS CMD...: CMD succeeds within MS milliseconds (polled)
within_ms() {
	local t0 limit=$1
	shift
	t0=$(now_ms)
	until "$@" >/dev/null 2>&1; do
		(($(now_ms) - t0 > limit)) && return 1
		sleep 0.02
	done
}
no_daemon_memfds() { [[ $(daemon_memfds) == $'0\n0' ]]; }
not_listed() { ! listing | grep -qxF "$1"; }

start_shmfs -o allow_other

section "listed by name and inode, with the memfd's attributes"
hold "$TMP/plain" memfd-hold shmfs-test-plain 4096 --text hello 120
P1=$BG_PID
I1=$(ino_of "$TMP/plain")
F1=$MNT/memfd/shmfs-test-plain.$I1
assert_true "a new memfd is listed within 1 s" within_ms 1000 listed "shmfs-test-plain.$I1"
assert_eq 4096 "$(stat -c %s "$F1")" "size: the memfd's"
assert_eq 0 "$(stat -c %u "$F1")" "owner: its maker's"
assert_eq "hello" "$(head -c 5 "$F1")" "read: the memory"
assert_eq "shmfs-test-plain" "$(attr name "$F1")" "user.shm.name"
assert_eq "$P1" "$(attr pids "$F1")" "user.shm.pids: the holder"
assert_eq "seal" "$(attr seals "$F1")" "user.shm.seals: sealing itself sealed (no MFD_ALLOW_SEALING)"
assert_eq 4096 "$(attr pagesize "$F1")" "user.shm.pagesize"
assert_match "user.shm.name=shmfs-test-plain" "$(attr all "$F1")" "user.shm.all shows them"
assert_eq "" "$(getfattr --absolute-names -d "$F1" 2>&1)" "none is listed (copy tools)"

section "written through the mount, seen by the holder's own descriptor"
printf 'WORLD' | dd of="$F1" conv=notrunc status=none
assert_eq "dump size=4096 data=WORLD" "$(dump "$TMP/plain" $P1)" "write(2): the holder reads it"
assert_ok "$H" map-write "$F1" 6 mapped
assert_eq "dump size=4096 data=WORLDmapped" "$(dump "$TMP/plain" $P1)" "mmap(MAP_SHARED) through the mount: the holder reads it"
sleep 0.3 # past the map's window: truncate by name waits for a scan
assert_ok truncate -s 8192 "$F1"
assert_eq "dump size=8192 data=WORLDmapped" "$(dump "$TMP/plain" "$P1")" "truncate -s: the holder sees the new size"
assert_fails_with "$EPERM" rm "$F1"
assert_exists "$F1"

section "names: / and % escaped"
hold "$TMP/odd" memfd-hold 'shmfs-test-a/b%c' 100 --text odd 120
I2=$(ino_of "$TMP/odd")
assert_true "listed as shmfs-test-a%2Fb%25c.$I2" within_ms 1000 listed "shmfs-test-a%2Fb%25c.$I2"
assert_eq "shmfs-test-a/b%c" "$(attr name "$MNT/memfd/shmfs-test-a%2Fb%25c.$I2")" "user.shm.name: as made"
assert_fails_with "No such file" stat "$MNT/memfd/shmfs-test-a%2Fb%25c.$I1"

section "mapped only, its descriptor closed"
hold "$TMP/mapped" memfd-hold shmfs-test-mapped 8192 --text mapped --mapped 120
P3=$BG_PID
I3=$(ino_of "$TMP/mapped")
F3=$MNT/memfd/shmfs-test-mapped.$I3
assert_true "listed" within_ms 1000 listed "shmfs-test-mapped.$I3"
assert_eq "mapped" "$(head -c 6 "$F3")" "read through the mapping's holder"
printf 'MAPPED' | dd of="$F3" conv=notrunc status=none
assert_eq "dump size=8192 data=MAPPED" "$(dump "$TMP/mapped" $P3)" "written: the holder's mapping shows it"

section "seals, as the kernel honours them"
hold "$TMP/sealed" memfd-hold shmfs-test-sealed 4096 --text sealed --seal write,grow 120
P4=$BG_PID
I4=$(ino_of "$TMP/sealed")
F4=$MNT/memfd/shmfs-test-sealed.$I4
assert_true "listed" within_ms 1000 listed "shmfs-test-sealed.$I4"
assert_eq "grow,write" "$(attr seals "$F4")" "user.shm.seals"
assert_fails_with "$EPERM" dd if=/dev/zero of="$F4" bs=1 count=1 conv=notrunc status=none
# With passthrough the kernel maps the memfd under the mount's file, whose
# mmap(2) knows no seals: a writable open of a write-sealed memfd is refused.
assert_fails_with "$EPERM" "$H" map-write "$F4" 0 HACKED
sleep 0.3
assert_fails_with "$EPERM" truncate -s 8192 "$F4"
assert_eq "dump size=4096 data=sealed" "$(dump "$TMP/sealed" $P4)" "the holder: unchanged"
hold "$TMP/sealed2" memfd-hold shmfs-test-grow 4096 --text grow --seal grow 120
I5=$(ino_of "$TMP/sealed2")
F5=$MNT/memfd/shmfs-test-grow.$I5
within_ms 1000 listed "shmfs-test-grow.$I5"
assert_fails_with "$EPERM" dd if=/dev/zero of="$F5" bs=1 count=1 seek=5000 conv=notrunc status=none
assert_ok dd if=/dev/zero of="$F5" bs=1 count=1 seek=10 conv=notrunc status=none

section "only what the caller may inspect"
hold "$TMP/u" memfd-hold shmfs-test-theirs 4096 --text theirs 120
setpriv --reuid=$U --regid=$U --clear-groups "$H" memfd-hold shmfs-test-user 4096 --text mine 120 >"$TMP/uu" 2>&1 &
BG_PIDS+=($!)
PU=$!
wait_for 5 grep -qx "$PU" "$TMP/uu" || fail "uid $U's holder did not start"
IU=$(ino_of "$TMP/uu")
FU=$MNT/memfd/shmfs-test-user.$IU
assert_true "root sees uid $U's memfd" within_ms 1000 listed "shmfs-test-user.$IU"
assert_eq "mine" "$(as_u head -c 4 "$FU")" "uid $U reads its own"
# Other tests' memfds of uid $U may be listed too (the host's processes):
# what matters is that root's are not.
listing=$(as_u ls "$MNT/memfd")
assert_has_line "shmfs-test-user.$IU" "$listing" "uid $U lists its own"
assert_lacks_line "shmfs-test-theirs.$(ino_of "$TMP/u")" "$listing" "uid $U does not list root's"
assert_lacks_line "shmfs-test-plain.$I1" "$listing" "nor root's other one"
assert_fails_with "No such file" as_u cat "$MNT/memfd/shmfs-test-plain.$I1"
# Its own, read-only by mode: open for writing fails through the mount as
# through /proc/PID/fd/N (the witness).
setpriv --reuid=$U --regid=$U --clear-groups "$H" memfd-hold shmfs-test-ro 4096 --text ro --mode 0444 120 >"$TMP/ro" 2>&1 &
BG_PIDS+=($!)
PR=$!
wait_for 5 grep -qx "$PR" "$TMP/ro" || fail "uid $U's read-only holder did not start"
IR=$(ino_of "$TMP/ro")
u_listed() { as_u ls "$MNT/memfd" | grep -qxF "$1"; }
assert_true "uid $U lists its read-only memfd" within_ms 1000 u_listed "shmfs-test-ro.$IR"
assert_fails_with "Permission denied" as_u sh -c "echo x > /proc/$PR/fd/3"
assert_fails_with "Permission denied" as_u sh -c "echo x > '$MNT/memfd/shmfs-test-ro.$IR'"
assert_eq "ro" "$(as_u head -c 2 "$MNT/memfd/shmfs-test-ro.$IR")" "but reads it"
sleep 0.3 # past the map's window: access(2) waits for a scan
assert_true "access(2): readable" as_u test -r "$MNT/memfd/shmfs-test-ro.$IR"
assert_true "access(2): not writable" as_u sh -c "! test -w '$MNT/memfd/shmfs-test-ro.$IR'"
assert_fails_with "No such file" as_u getfattr -n user.shm.pids "$F1"
assert_eq "" "$("${NOCAPS[@]}" ls "$MNT/memfd" | grep shmfs-test-user)" "root without capabilities does not see uid $U's"
assert_fails_with "No such file" "${NOCAPS[@]}" cat "$FU"
# The kernel's ptrace rule: a process whose capabilities the caller lacks
# is closed to it, though both are uid 0.
assert_fails_with "No such file" "${NOCAPS[@]}" cat "$F1"
"${NOCAPS[@]}" "$H" memfd-hold shmfs-test-nocaps 4096 --text nocaps 120 >"$TMP/nc" 2>&1 &
BG_PIDS+=($!)
PN=$!
wait_for 5 grep -qx "$PN" "$TMP/nc" || fail "the holder without capabilities did not start"
IN=$(ino_of "$TMP/nc")
nocaps_listed() { "${NOCAPS[@]}" ls "$MNT/memfd" | grep -qxF "$1"; }
assert_true "root without capabilities lists it" within_ms 1000 nocaps_listed "shmfs-test-nocaps.$IN"
assert_eq "nocaps" "$("${NOCAPS[@]}" head -c 6 "$MNT/memfd/shmfs-test-nocaps.$IN")" "root without capabilities reads one held by a process without capabilities"

section "a holder's descriptor swapped since the scan is not followed"
# A holder that put a file of a FUSE mount that never answers (a second
# shmfs, stopped) where its memfd was: the daemon finds the link no longer
# its memfd without calling into that mount, and answers (ENOENT).
M2=$TMP/m2
mkdir "$M2"
"$SHMFS" -f "$M2" >"$TMP/m2.log" 2>&1 &
M2_PID=$!
BG_PIDS+=("$M2_PID")
wait_for 5 test -d "$M2/posix" || fail "the second mount did not come up"
"$H" posix-create shmfs-test-swap 4 0644 >/dev/null
cat >"$TMP/swap.py" <<'PY'
import os, sys, time
m = os.memfd_create("shmfs-test-swap", 0)
os.write(m, b"swap")
other = os.open(sys.argv[1], os.O_RDONLY)
time.sleep(1.5)  # past the attributes that mount's kernel side caches
print(os.getpid(), os.fstat(m).st_ino, flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.001)
os.dup2(other, m)
print("swapped", flush=True)
time.sleep(120)
PY
unhang() { kill -CONT "$M2_PID" 2>/dev/null; }
for try in 1 2; do
	python3 "$TMP/swap.py" "$M2/posix/shmfs-test-swap" "$TMP/go$try" >"$TMP/swap$try" 2>&1 &
	PS=$!
	BG_PIDS+=("$PS")
	wait_for 5 test -s "$TMP/swap$try"
	IS=$(awk 'NR == 1 { print $2 }' "$TMP/swap$try")
	FS=$MNT/memfd/shmfs-test-swap.$IS
	wait_for 5 listed "shmfs-test-swap.$IS"
	kill -STOP "$M2_PID"
	# within the map's window: the map still has the memfd at that descriptor
	ls "$MNT/memfd" >/dev/null
	touch "$TMP/go$try"
	wait_for 5 grep -q swapped "$TMP/swap$try"
	# A caller whose request the daemon is stuck in cannot even be killed.
	(
		cat "$FS" >/dev/null 2>"$TMP/err$try"
		echo $? >"$TMP/rc$try"
	) &
	CP=$!
	wait_for 10 test -s "$TMP/rc$try"
	answered=$?
	unhang
	wait $CP
	kill "$PS"
	assert_true "answered, not hung (try $try: $(cat "$TMP/err$try"))" test $answered -eq 0
	((answered == 0)) || break
	assert_match "No such file" "$(cat "$TMP/err$try")" "ENOENT (try $try)"
done
fusermount3 -u "$M2" 2>/dev/null || umount -l "$M2"

section "gone within 2 s of its last holder"
release $P3
t0=$(now_ms)
within_ms 2000 not_listed "shmfs-test-mapped.$I3"
dt=$(($(now_ms) - t0))
assert_true "left the listing ($dt ms)" test $dt -le 2000
assert_fails_with "No such file" stat "$F3"

section "the daemon keeps no memfd alive"
hold "$TMP/big" memfd-hold shmfs-test-big $((256 << 20)) 120
PB=$BG_PID
IB=$(ino_of "$TMP/big")
FB=$MNT/memfd/shmfs-test-big.$IB
within_ms 1000 listed "shmfs-test-big.$IB"
dd if=/dev/zero of="$FB" bs=1M count=256 conv=notrunc status=none
exec 3<"$FB"
before=$(shmem_kb)
release $PB
assert_eq "$(printf '1\n0')" "$(daemon_memfds)" "open through the mount: the daemon holds it by its open file only"
assert_eq $((256 << 20)) "$(stat -L -c %s /proc/self/fd/3)" "the reader still has it: fstat(2) through the mount"
assert_eq 0 "$(od -An -tu1 -N1 <&3 | tr -d ' ')" "and reads it"
exec 3<&-
assert_true "closed: no memfd in the daemon's descriptors or mappings" within_ms 2000 no_daemon_memfds
# Machine-wide, and others may run tests: a fall of 200 of the 256 MiB.
shmem_fell() { (($before - $(shmem_kb) > 200 << 10)); }
assert_true "the kernel's Shmem fell by about 256 MiB (from $before kB)" within_ms 2000 shmem_fell
assert_true "left the listing" within_ms 2000 not_listed "shmfs-test-big.$IB"

section "a user's open listings are bounded"
# Each handle of memfd/ holds its opener's own listing: a user with 2,000
# memfds opening it again and again gets EMFILE from the daemon (64 MiB
# a user) long before its own descriptor limit; others are not affected.
setpriv --reuid=$U --regid=$U --clear-groups "$H" memfd-hold shmfs-test-many 0 --count 2000 120 >"$TMP/many" 2>&1 &
BG_PIDS+=($!)
PM=$!
wait_for 10 grep -qx "$PM" "$TMP/many" || fail "uid $U's 2,000 memfds were not made"
cat >"$TMP/open.py" <<'PY'
import errno, os, resource, sys
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (min(8192, hard), hard))
fds = []
try:
    while len(fds) < 8000:
        fds.append(os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY))
except OSError as e:
    print(len(fds), errno.errorcode[e.errno])
    sys.exit(0)
print(len(fds), "none")
PY
opened=$(as_u /usr/bin/python3 "$TMP/open.py" "$MNT/memfd" 2>&1)
assert_match "^[0-9]+ EMFILE$" "$opened" "uid $U: EMFILE after some handles ($opened)"
assert_true "well before its own limit" test "${opened% *}" -lt 4000
assert_true "root still lists memfd/" listed "shmfs-test-plain.$I1"
assert_true "uid $U lists again once they are closed" u_listed "shmfs-test-ro.$IR"
kill $PM

section "huge pages"
# A hugetlb memfd needs no huge page until it is touched: made, sized and
# held open, it is listed with its page size even where none is reserved.
HP=$(awk '$1 == "Hugepagesize:" { print $2 * 1024 }' /proc/meminfo)
if [[ -n $HP ]] && "$H" memfd-hold shmfs-test-probe "$HP" --huge 0 >/dev/null 2>&1; then
	hold "$TMP/huge" memfd-hold shmfs-test-huge "$HP" --huge 120
	IH=$(ino_of "$TMP/huge")
	FH=$MNT/memfd/shmfs-test-huge.$IH
	assert_true "a hugetlb memfd is listed" within_ms 1000 listed "shmfs-test-huge.$IH"
	assert_eq "$HP" "$(attr pagesize "$FH")" "user.shm.pagesize: the huge page size"
	assert_eq "$HP" "$(stat -c %s "$FH")" "its size"
else
	echo "(no hugetlb memfd can be made here: that part left out)"
fi

stop_shmfs_cleanly
