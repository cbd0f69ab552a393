#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Exhaustion and limits: each one gives the kernel's error (or the file
# system's, for names), the daemon lives on, and no other segment or
# object changes.  The kernel.shm* sysctls are per IPC namespace and lib.sh
# runs us in a private one; the small /dev/shm is a tmpfs of our own.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# try_create PATH BYTES (write|truncate): create PATH through the mount and
# give it BYTES by writing them or by ftruncate; prints "ok" or the failing
# step and errno name (a new segment is made at the close after a write).
try_create() {
	python3 - "$@" <<'PY'
import errno, os, sys
path, n, how = sys.argv[1], int(sys.argv[2]), sys.argv[3]
step = "open"
try:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    if how == "write":
        step = "write"
        done = 0
        while done < n:
            done += os.write(fd, b"x" * min(65536, n - done))
    else:
        step = "truncate"
        os.ftruncate(fd, n)
    step = "close"
    os.close(fd)
    print("ok")
except OSError as e:
    print(step, errno.errorcode[e.errno])
PY
}
sysctl_set() { echo "$2" >"/proc/sys/kernel/$1"; }
keys() { ipcs -m | awk '$1 ~ /^0x/ { printf "%s ", $1 }' | sed 's/ $//'; }

# Bystanders: they must come out of every section exactly as they went in.
"$H" sysv-create 0xb0 65536 >/dev/null
"$H" sysv-fill 0xb0 11
"$H" posix-create bystander 0
"$H" posix-fill bystander 65536 12
snapshot() { echo "$(keys) | $("$H" sysv-sum 0xb0) | $("$H" posix-sum bystander)"; }
before=$(snapshot)
defaults=$(cat /proc/sys/kernel/shmmni /proc/sys/kernel/shmmax /proc/sys/kernel/shmall | tr '\n' ' ')
read -r def_mni def_max def_all <<<"$defaults"

start_shmfs

# A failed create must be seen by a shell, which ignores the error of
# close(): what the kernel will refuse fails the open, write or truncate.
# shell_create TEXT PATH: `echo TEXT > PATH` in a shell, which must fail.
shell_create() { bash -c 'echo "$1" >"$2"' sh "$@"; }
no_segment() { # no_segment KEY: neither the kernel nor the mount has it
	assert_fails_with "No such file or directory" "$H" sysv-id "$1"
	assert_lacks_line "$(sysv_name "$1")" "$(ls "$MNT/sysv")" "$1: not listed"
}

section "shmmni reached: ENOSPC at the open"
sysctl_set shmmni 1
assert_fails_with "No space left on device" shell_create x "$MNT/sysv/0x00007fff"
no_segment 0x7fff
assert_eq "open ENOSPC" "$(try_create "$MNT/sysv/0x00000a01" 100 write)" "create by write: the open fails with ENOSPC"
assert_eq "open ENOSPC" "$(try_create "$MNT/sysv/0x00000a02" 100 truncate)" "create by truncate: the open fails with ENOSPC"
assert_fails_with "No space left on device" "$H" sysv-create 0xa03 100
no_segment 0xa01
assert_eq "$before" "$(snapshot)" "nothing else changed"
sysctl_set shmmni "$def_mni"
assert_eq ok "$(try_create "$MNT/sysv/0x00000a01" 100 write)" "with room again, the same create works"
assert_ok rm "$MNT/sysv/0x00000a01"

section "shmmni reached meanwhile: the close fails"
# Room for one more: the open takes it, then another process takes it.
# (The removed 0x00000a01 counts until the daemon's release detaches it.)
only_bystander() { [[ $(ipcs -mu | awk '/segments allocated/ { print $3 }') == 1 ]]; }
assert_true "only the bystander is left" wait_for 5 only_bystander
sysctl_set shmmni 2
# shmget from the same process: a child's exec would close the descriptor,
# and that close (a FLUSH) would make the segment before the other one.
out=$(python3 - "$MNT/sysv/0x00000a04" <<'PY'
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, b"data")
if libc.shmget(0xa05, 100, 0o1000 | 0o2000 | 0o644) < 0:  # IPC_CREAT|IPC_EXCL
    sys.exit("shmget: " + os.strerror(ctypes.get_errno()))
try:
    os.close(fd)
    print("close ok")
except OSError as e:
    print("close", errno.errorcode[e.errno])
PY
)
assert_eq "close ENOSPC" "$out" "a segment made elsewhere between open and close: the close fails"
no_segment 0xa04
"$H" sysv-rm 0xa05
sysctl_set shmmni "$def_mni"
assert_eq "$before" "$(snapshot)" "nothing else changed"

section "shmmax exceeded: EFBIG at the write or truncate, as a file size limit"
sysctl_set shmmax 1
assert_fails_with "File too large" shell_create x "$MNT/sysv/0x00000a0f"
no_segment 0xa0f
sysctl_set shmmax 1048576
assert_fails_with "Invalid argument" "$H" sysv-create 0xa10 2000000
assert_eq "write EFBIG" "$(try_create "$MNT/sysv/0x00000a11" 2000000 write)" "create by writing 2 MB: EFBIG at the write"
no_segment 0xa11
assert_fails_with "File too large" bash -c 'head -c 2000000 /dev/zero >"$1"' sh "$MNT/sysv/0x00000a14"
no_segment 0xa14
assert_eq "truncate EFBIG" "$(try_create "$MNT/sysv/0x00000a12" 2000000 truncate)" "create by truncate to 2 MB: EFBIG"
# The size asked for cannot be had: no segment of another size is made.
no_segment 0xa12
assert_eq ok "$(try_create "$MNT/sysv/0x00000a13" 1048576 write)" "exactly shmmax works"
"$H" sysv-rm 0xa13
sysctl_set shmmax "$def_max"
assert_eq "$before" "$(snapshot)" "nothing else changed"

section "shmall exceeded: ENOSPC at the write or truncate"
used=$(ipcs -mu | awk '/pages allocated/ { print $3 }')
sysctl_set shmall "$used"
assert_fails_with "No space left on device" shell_create x "$MNT/sysv/0x00000a1f"
no_segment 0xa1f
sysctl_set shmall $((used + 1))
assert_fails_with "No space left on device" "$H" sysv-create 0xa20 20000
assert_eq "write ENOSPC" "$(try_create "$MNT/sysv/0x00000a21" 20000 write)" "create by write: ENOSPC at the write"
no_segment 0xa21
assert_fails_with "No space left on device" bash -c 'head -c 20000 /dev/zero >"$1"' sh "$MNT/sysv/0x00000a22"
no_segment 0xa22
assert_eq "truncate ENOSPC" "$(try_create "$MNT/sysv/0x00000a23" 20000 truncate)" "create by truncate: ENOSPC"
no_segment 0xa23
assert_eq ok "$(try_create "$MNT/sysv/0x00000a24" 4096 write)" "the one page left can be had"
"$H" sysv-rm 0xa24
sysctl_set shmall "$def_all"
assert_eq "$before" "$(snapshot)" "nothing else changed"
assert_true "the daemon is alive" daemon_alive

section "keys 0, 0xffffffff and out of range"
for k in 0 0x0 0x00000000 0x100000000 4294967296 -1 0x-1 ' 1'; do
	assert_fails_with "No such file or directory" stat "$MNT/sysv/$k"
	assert_eq "open EINVAL" "$(try_create "$MNT/sysv/$k" 10 write)" "create sysv/'$k': EINVAL"
done
for i in -1 2147483648 99999999999 0x1; do
	assert_fails_with "No such file or directory" stat "$MNT/sysv-id/$i"
done
assert_eq ok "$(try_create "$MNT/sysv/0xffffffff" 10 write)" "key 0xffffffff is a key like any other"
assert_eq 0xffffffff "$(sysv_field 0xffffffff key)" "the helper finds it"
assert_eq 10 "$(stat -c %s "$MNT/sysv/4294967295")" "the decimal spelling names it too, 10 bytes as written"
assert_ok rm "$MNT/sysv/0xffffffff"
assert_fails_with "No such file or directory" "$H" sysv-id 0xffffffff
assert_eq "$before" "$(snapshot)" "nothing else changed"

section "names of 255 and 256 bytes"
n255=$(printf 'n%.0s' {1..255})
assert_eq ok "$(try_create "$MNT/posix/$n255" 10 write)" "a 255-byte POSIX name works"
assert_eq 10 "$("$H" posix-stat "$n255" size)" "the helper sees it"
assert_ok rm "$MNT/posix/$n255"
assert_eq "open ENAMETOOLONG" "$(try_create "$MNT/posix/${n255}x" 10 write)" "a 256-byte POSIX name: ENAMETOOLONG"
assert_fails_with "File name too long" stat "$MNT/posix/${n255}x"
assert_fails_with "File name too long" cat "$MNT/posix/${n255}x"
assert_eq "open ENAMETOOLONG" "$(try_create "$MNT/sysv/${n255}x" 10 write)" "a 256-byte sysv/ name: ENAMETOOLONG"
assert_fails_with "File name too long" stat "$MNT/sysv/${n255}x"
assert_fails_with "File name too long" stat "$MNT/sysv-id/${n255}x"
assert_eq "$before" "$(snapshot)" "nothing else changed"

section "a POSIX object of 1 TiB (sparse), read at its end"
T=$((1 << 40))
"$H" posix-create huge 0
assert_ok truncate -s 1T "$MNT/posix/huge"
assert_eq "$T" "$(stat -c %s "$MNT/posix/huge")" "stat: 1 TiB"
assert_eq "$T" "$("$H" posix-stat huge size)" "the helper agrees"
assert_eq "$(head -c 4096 /dev/zero | cksum)" \
	"$(dd if="$MNT/posix/huge" bs=4096 skip=$((T / 4096 - 1)) count=1 status=none | cksum)" \
	"the last page reads as zeros"
assert_eq 0 "$(dd if="$MNT/posix/huge" bs=4096 skip=$((T / 4096)) count=1 status=none | wc -c)" "reading at the end gives nothing"
printf 'end' | dd of="$MNT/posix/huge" bs=1 seek=$((T - 3)) conv=notrunc status=none
assert_eq end "$(dd if="$MNT/posix/huge" bs=1 skip=$((T - 3)) count=3 status=none)" "a write at the very end reads back"
assert_eq "$T" "$(stat -c %s "$MNT/posix/huge")" "and the size did not move"
assert_true "only a page or two of memory is used" test "$(du -k /dev/shm/huge | cut -f1)" -le 64
assert_ok rm "$MNT/posix/huge"
assert_true "the daemon is alive" daemon_alive

section "/dev/shm full: ENOSPC"
stop_shmfs
mkdir "$TMP/small"
mount -t tmpfs -o size=1m,mode=1777 shmfs-test-small "$TMP/small" || fail "cannot mount a small tmpfs"
printf 'keep' >"$TMP/small/other"
start_shmfs -o posix_dir="$TMP/small"
assert_fails_with "No space left on device" dd if=/dev/zero of="$MNT/posix/filler" bs=64k count=32 status=none
assert_true "the object holds what fit, at most 1 MiB" test "$(stat -c %s "$MNT/posix/filler")" -le 1048576
assert_fails_with "No space left on device" dd if=/dev/zero of="$MNT/posix/another" bs=64k count=1 status=none
assert_eq keep "$(cat "$MNT/posix/other")" "another object is untouched"
assert_true "the daemon is alive" daemon_alive
assert_ok rm "$MNT/posix/filler" "$MNT/posix/another"
assert_ok dd if=/dev/zero of="$MNT/posix/again" bs=64k count=4 status=none
assert_eq 262144 "$(stat -c %s "$MNT/posix/again")" "once space is back, writes work again"
stop_shmfs_cleanly
umount "$TMP/small"
assert_eq "$before" "$(snapshot)" "the bystanders came through unchanged"
