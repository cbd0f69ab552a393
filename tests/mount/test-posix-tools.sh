#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# posix/ is /dev/shm: the everyday tools that work there work through the
# mount (sed -i, os.replace, rsync, fallocate, cp --sparse, tar -x, touch,
# sqlite3), checked with shmhelper and by looking at /dev/shm itself.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EPERM="Operation not permitted"
ENOENT="No such file or directory"
P=$MNT/posix
PY=/usr/bin/python3 # also for other users, who cannot run a pyenv's
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
for tool in "$PY" rsync sqlite3 tar fallocate; do
	command -v "$tool" >/dev/null && continue
	[[ ${CI:-} == true ]] && { echo "$TEST_NAME: FAIL: $tool is missing" >&2; exit 1; }
	echo "$TEST_NAME: SKIP: $tool is missing"
	exit 77
done

# moved_in CMD...: run CMD; print the names that came into /dev/shm by a
# rename while it ran (inotify IN_MOVED_TO), as the kernel saw them.
moved_in() {
	"$PY" - "$@" <<'PY'
import ctypes, os, struct, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(os.O_NONBLOCK)
libc.inotify_add_watch(fd, b"/dev/shm", 0x80)  # IN_MOVED_TO
rc = subprocess.call(sys.argv[1:])
try:
    buf = os.read(fd, 65536)
except BlockingIOError:
    buf = b""
while buf:
    _, _, _, n = struct.unpack("iIII", buf[:16])
    print(buf[16:16 + n].rstrip(b"\0").decode())
    buf = buf[16 + n:]
sys.exit(rc)
PY
}
# data_ranges PATH: "START END" of each range of data, through PATH.
data_ranges() {
	"$PY" - "$1" <<'PY'
import os, sys
fd, hole = os.open(sys.argv[1], os.O_RDONLY), 0
while True:
    try:
        data = os.lseek(fd, hole, os.SEEK_DATA)
    except OSError:
        break
    hole = os.lseek(fd, data, os.SEEK_HOLE)
    print(data, hole)
PY
}

start_shmfs -o allow_other

section "rename is the object's, as in /dev/shm"
"$H" posix-create a 0 0640
"$H" posix-write a 0 "of a"
ino=$("$H" posix-stat a ino)
exec 5<"$P/a"
assert_eq b "$(moved_in mv "$P/a" "$P/b")" "mv renames: b came into /dev/shm by a rename"
assert_fails_with "$ENOENT" "$H" posix-stat a
assert_eq "$ino 0640" "$("$H" posix-stat b ino) $("$H" posix-stat b mode)" "shm_open(\"/b\") is the same object"
assert_eq "of a" "$(cat <&5)" "a descriptor open before the rename still reads it"
exec 5<&-
assert_eq "of a" "$(cat "$P/b")" "the new name reads it"
assert_fails_with "$ENOENT" stat "$P/a"
chmod 604 /dev/shm/b
mode_is() { [[ $(stat -c %a "$1") == "$2" ]]; }
assert_soon "a change made in /dev/shm after the rename shows" mode_is "$P/b" 604
# A mapping made in /dev/shm follows the object to its new name.
out=$("$PY" - "$P" <<'PY'
import mmap, os, sys
fd = os.open("/dev/shm/b", os.O_RDWR)
m = mmap.mmap(fd, 4)
os.rename(sys.argv[1] + "/b", sys.argv[1] + "/c")
m[0:4] = b"OF C"
print(open(sys.argv[1] + "/c").read())
PY
)
assert_eq "OF C" "$out" "a mapping of /dev/shm/b stores into posix/c after the rename"
"$H" posix-create d 0
out=$("$PY" - "$P" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def r2(a, b, flags):
    r = libc.renameat2(-100, (sys.argv[1] + "/" + a).encode(), -100,
                       (sys.argv[1] + "/" + b).encode(), flags)
    return "ok" if r == 0 else os.strerror(ctypes.get_errno())
print(r2("c", "d", 1), r2("c", "d", 2), r2("c", "nothing", 2))
PY
)
assert_eq "File exists ok No such file or directory" "$out" "RENAME_NOREPLACE and RENAME_EXCHANGE"
assert_eq "OF C" "$("$H" posix-read d)" "exchanged: d is the old c"
assert_eq 0 "$("$H" posix-stat c size)" "and c the old d"
rename() { "$PY" -c 'import os, sys; os.rename(sys.argv[1], sys.argv[2])' "$@"; }
assert_fails_with "Invalid argument" rename "$P/c" "$P/sem.c"
mkdir /dev/shm/adir
assert_fails_with "File exists" rename "$P/c" "$P/adir"
rmdir /dev/shm/adir
"$H" posix-create byroot 0 0644
assert_fails_with "$EPERM" "${NOBODY[@]}" mv "$P/byroot" "$P/mine"
assert_ok "$H" posix-stat byroot

section "sed -i, os.replace, rsync: a temporary file renamed over the object"
printf 'one\ntwo\n' >/dev/shm/text
assert_eq text "$(moved_in sed -i s/two/three/ "$P/text")" "sed -i renames its temporary file over text"
assert_eq "$(printf 'one\nthree')" "$("$H" posix-read text)" "shm_open sees sed's result"
assert_eq "" "$(cd /dev/shm && ls | grep '^sed')" "no temporary file is left"
assert_true "python3 os.replace" "$PY" -c 'import os, sys
open(sys.argv[1] + ".new", "w").write("replaced")
os.replace(sys.argv[1] + ".new", sys.argv[1])' "$P/text"
assert_eq replaced "$("$H" posix-read text)" "os.replace replaced the object"
assert_missing /dev/shm/text.new
mkdir "$TMP/src"
printf 'first' >"$TMP/src/r1"
printf 'second' >"$TMP/src/r2"
# Files, not the directory: rsync -a SRC/ would give posix/, that is
# /dev/shm, SRC's mode and times, as it does to /dev/shm itself.
assert_eq $'r1\nr2' "$(moved_in rsync -a "$TMP/src/r1" "$TMP/src/r2" "$P/" | sort)" "rsync -a puts each file in place by a rename"
assert_eq "first second" "$("$H" posix-read r1) $("$H" posix-read r2)" "shm_open sees rsync's files"
printf 'FIRST' >"$TMP/src/r1"
touch -d '2001-02-03 04:05:06' "$TMP/src/r1"
assert_eq r1 "$(moved_in rsync -a "$TMP/src/r1" "$TMP/src/r2" "$P/")" "rsync replaces a changed file by a rename"
assert_eq "FIRST" "$("$H" posix-read r1)" "with its new contents"
assert_eq "$(stat -c %Y "$TMP/src/r1")" "$(stat -c %Y /dev/shm/r1)" "and its time"
assert_eq "" "$(cd /dev/shm && ls -a | grep '^\.r')" "no temporary file is left"

section "fallocate"
assert_ok fallocate -l 1M "$P/falloc"
assert_eq "1048576 2048" "$("$H" posix-stat falloc size) $("$H" posix-stat falloc blocks)" "fallocate -l 1M allocates 1 MiB"
assert_ok fallocate -n -l 4M "$P/falloc"
assert_eq "1048576 8192" "$("$H" posix-stat falloc size) $("$H" posix-stat falloc blocks)" "fallocate -n -l 4M: the size stays, 4 MiB are allocated"
"$H" posix-create punch 0
"$H" posix-fill punch 64k 5
assert_ok fallocate -p -o 8k -l 16k "$P/punch"
assert_eq $'0 8192\n24576 65536' "$("$H" posix-data punch)" "fallocate -p: a hole in /dev/shm/punch"
assert_eq 96 "$("$H" posix-stat punch blocks)" "its 16 KiB are freed"
assert_eq "$(head -c 16384 /dev/zero | cksum)" "$("$H" posix-read punch 8192 16384 | cksum)" "and read as zeros"
assert_eq 65536 "$(stat -c %s "$P/punch")" "the size stays"
head -c 32k /dev/zero >/dev/shm/zeros
printf 'x' | dd of=/dev/shm/zeros bs=1 seek=5000 conv=notrunc status=none
assert_ok fallocate -d "$P/zeros"
assert_eq "4096 8192" "$("$H" posix-data zeros)" "fallocate -d digs the zero pages out"
assert_fails_with "File too large" fallocate -o 4E -l 4E "$P/punch"

section "SEEK_DATA, SEEK_HOLE, cp --sparse=always"
"$H" posix-create sparse 0
"$H" posix-write sparse 1048576 "middle"
"$H" posix-truncate sparse 4194304
assert_eq "1048576 1052672" "$("$H" posix-data sparse)" "the witness sees one page of data"
assert_eq "$("$H" posix-data sparse)" "$(data_ranges "$P/sparse")" "lseek through the mount finds the same data and holes"
assert_ok cp --sparse=always "$P/sparse" "$P/copy"
assert_eq "1048576 1052672" "$("$H" posix-data copy)" "cp --sparse=always keeps the holes"
assert_eq 8 "$(stat -c %b /dev/shm/copy)" "/dev/shm/copy takes one page"
# read(2), unlike a fault of a mapping (the witness's), fills no hole.
assert_eq "$(cksum </dev/shm/sparse)" "$(cksum </dev/shm/copy)" "with the same contents"
assert_eq "$(cksum </dev/shm/sparse)" "$(cksum <"$P/sparse")" "cat of a sparse object"
assert_eq 8 "$(stat -c %b /dev/shm/sparse)" "leaves its holes alone"
assert_ok cp --sparse=always "$P/sparse" "$TMP/copy"
assert_eq "$(cksum </dev/shm/sparse)" "$(cksum <"$TMP/copy")" "cp out of posix/"

section "posix/ is /dev/shm's directory"
attrs() { stat -c '%a %u %g %y %z' "$1"; }
assert_eq "$(attrs /dev/shm)" "$(attrs "$P")" "posix/ shows the mode, owner and times of /dev/shm"
same_attrs() { [[ $(attrs /dev/shm) == "$(attrs "$P")" ]]; }
ls -la "$P" >/dev/null # the kernel now holds posix/'s attributes
sleep 0.02
"$H" posix-create newcomer 0
assert_soon "an object made elsewhere moves posix/'s mtime and ctime" same_attrs
"$H" posix-rm newcomer
assert_soon "so does one removed elsewhere" same_attrs
chmod 1770 /dev/shm
assert_soon "and a chmod of /dev/shm" same_attrs
chmod 1777 /dev/shm
assert_ok touch -d '2002-03-04 05:06:07.123456789' "$P"
assert_eq "2002-03-04 05:06:07.123456789" "$(stat -c %y /dev/shm | cut -d' ' -f1,2)" "touch -d of posix/ sets /dev/shm's mtime"
assert_true "nobody may touch posix/ (it may write there)" "${NOBODY[@]}" touch "$P"
assert_ne "2002-03-04" "$(stat -c %y /dev/shm | cut -d' ' -f1)" "(mtime now)"
assert_fails_with "$EPERM" "${NOBODY[@]}" touch -d 2000-01-01 "$P"
assert_fails_with "$EPERM" "${NOBODY[@]}" chmod 1770 "$P"
assert_fails_with "$EPERM" "${NOBODY[@]}" chown 65534 "$P"
assert_ok chmod 1775 "$P"
assert_eq 1775 "$(stat -c %a /dev/shm)" "chmod of posix/ by root changes /dev/shm"
assert_ok chown 65534:65534 "$P"
assert_eq "65534 65534" "$(stat -c '%u %g' /dev/shm)" "chown of posix/ by root"
assert_true "its new owner may chmod it" "${NOBODY[@]}" chmod 1777 "$P"
assert_ok chown 0:0 "$P"
assert_eq "1777 0 0" "$(stat -c '%a %u %g' /dev/shm)" "/dev/shm as it was"
for d in sysv sysv-id; do
	assert_fails_with "$EPERM" chmod 700 "$MNT/$d"
	assert_fails_with "$EPERM" touch "$MNT/$d"
done
assert_fails_with "$EPERM" chmod 700 "$MNT"

section "tar -x of an archive of posix/ into posix/, as root"
rm -f "$P"/*
printf 'alpha' >"$P/t1"
printf 'beta' >"$P/t2"
chown 65534:65534 "$P/t2"
chmod 640 "$P/t2"
touch -d '2003-04-05 06:07:08' "$P/t1" "$P"
dir_mtime=$(stat -c %Y /dev/shm)
assert_ok tar -C "$P" -cf "$TMP/posix.tar" .
rm "$P/t1" "$P/t2"
out=$(tar -C "$P" -xf "$TMP/posix.tar" 2>&1)
assert_eq "0 " "$? $out" "tar -x exits 0 and says nothing"
assert_eq "alpha beta" "$("$H" posix-read t1) $("$H" posix-read t2)" "every object is restored"
assert_eq "0640 65534 65534" "$("$H" posix-stat t2 mode) $("$H" posix-stat t2 uid) $("$H" posix-stat t2 gid)" "with its mode and owner"
assert_eq "$(date -d '2003-04-05 06:07:08' +%s)" "$(stat -c %Y /dev/shm/t1)" "and its mtime"
assert_eq "$dir_mtime" "$(stat -c %Y /dev/shm)" "and so is the directory's"

section "sqlite3, rollback journal"
for mode in delete truncate persist; do
	db=$P/db-$mode
	assert_ok sqlite3 "$db" "pragma journal_mode=$mode; create table t(x); insert into t values(1);"
	for i in 2 3 4; do
		assert_ok sqlite3 "$db" "begin; insert into t values($i); update t set x = x + 10; commit;"
	done
	assert_ok sqlite3 "$db" "begin; insert into t values(99); rollback;"
	assert_eq "ok 4|100" "$(sqlite3 /dev/shm/db-$mode 'pragma integrity_check; select count(*), sum(x) from t;' | tr '\n' ' ' | sed 's/ $//')" "journal_mode=$mode: /dev/shm holds every committed row"
done
assert_missing /dev/shm/db-delete-journal
section "sqlite3, WAL: with locking_mode=exclusive its index is not shared"
assert_ok sqlite3 "$P/db-wal" "pragma locking_mode=exclusive; pragma journal_mode=wal; create table t(x); insert into t values(7);"
assert_eq 7 "$(sqlite3 "$P/db-wal" 'pragma locking_mode=exclusive; select x from t;' | tail -n 1)" "read back"
assert_true "the daemon is alive" daemon_alive
stop_shmfs_cleanly

section "sqlite3, WAL with -o kernel_cache (MAP_SHARED of the -shm file)"
start_shmfs -o allow_other,kernel_cache
assert_ok sqlite3 "$P/db-wal2" "pragma journal_mode=wal; create table t(x); insert into t values(8);"
assert_eq 8 "$(sqlite3 "$P/db-wal2" 'select x from t;')" "read back"
stop_shmfs_cleanly
