#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The shape of the tree: root, names in sysv/ and sysv-id/, operations that
# must be refused, and live visibility of segments made by others.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EPERM="Operation not permitted"
ENOENT="No such file or directory"
EINVAL="Invalid argument"

id1234=$("$H" sysv-create 1234 4096)
idpriv=$("$H" sysv-create IPC_PRIVATE 8192)
"$H" posix-create a 0 >/dev/null
"$H" posix-write a 0 "content of a"

start_shmfs

section "root"
assert_eq $'memfd\nns\nposix\nsysv\nsysv-id' "$(ls -A "$MNT")" "root holds exactly memfd, ns, posix, sysv, sysv-id"
for d in memfd ns posix sysv sysv-id; do
	assert_eq directory "$(stat -c %F "$MNT/$d")" "$d is a directory"
done
assert_fails_with "$ENOENT" stat "$MNT/nothing"

section "refused operations"
for d in "" memfd ns posix sysv sysv-id; do
	assert_fails_with "$EPERM" mkdir "$MNT/$d/newdir"
	assert_fails_with "$EPERM" ln -s /etc/passwd "$MNT/$d/symlink"
	assert_fails_with "$EPERM" mknod "$MNT/$d/fifo" p
done
assert_fails_with "$EPERM" mkdir "$MNT/sysv/0x00000010"
assert_fails_with "$EPERM" ln "$MNT/posix/a" "$MNT/posix/hardlink"
assert_fails_with "$EPERM" ln "$MNT/sysv/0x000004d2" "$MNT/sysv/0x00000011"
assert_fails_with "$EPERM" ln "$MNT/sysv/0x000004d2" "$MNT/posix/fromsysv"
assert_fails_with "$EPERM" touch "$MNT/newfile"
assert_fails_with "$EPERM" touch "$MNT/sysv-id/12345"
assert_fails_with "$EPERM" touch "$MNT/sysv-id/$((idpriv + 1000))"
assert_fails_with "$EPERM" touch "$MNT/memfd/newfile"
assert_eq $'memfd\nns\nposix\nsysv\nsysv-id' "$(ls -A "$MNT")" "root unchanged after refused operations"
assert_eq "a" "$(ls "$MNT/posix")" "posix/ unchanged after refused operations"
assert_eq "" "$(ls /dev/shm | grep -v '^a$')" "no stray POSIX object was created"

# rename(2) says EXDEV where a name is no object's to change (a SysV key
# is the segment's identity) and between directories; mv then copies and
# removes.  Within posix/ it renames (test-posix-tools.sh).
rename_errno() { perl -e 'rename($ARGV[0], $ARGV[1]) or do { print "$!\n"; exit 1 }' "$@"; }
"$H" sysv-create 0x98 4096 >/dev/null
assert_eq "Invalid cross-device link" "$(rename_errno "$MNT/sysv/0x000004d2" "$MNT/sysv/0x00000099")" "rename in sysv/ is EXDEV"
assert_eq "Invalid cross-device link" "$(rename_errno "$MNT/sysv/0x000004d2" "$MNT/sysv/0x00000098")" "rename over a segment in sysv/ is EXDEV"
assert_eq "Invalid cross-device link" "$(rename_errno "$MNT/sysv-id/$id1234" "$MNT/sysv-id/1")" "rename in sysv-id/ is EXDEV"
assert_eq "Invalid cross-device link" "$(rename_errno "$MNT/posix/a" "$MNT/sysv/0x00000099")" "rename from posix/ to sysv/ is EXDEV"
assert_eq "Invalid cross-device link" "$(rename_errno "$MNT/sysv/0x000004d2" "$MNT/posix/b")" "rename from sysv/ to posix/ is EXDEV"
assert_eq "Invalid cross-device link" "$(rename_errno "$MNT/posix" "$MNT/other")" "rename in root is EXDEV"
assert_eq "a" "$(ls "$MNT/posix")" "nothing moved"
"$H" sysv-rm 0x98
assert_ok mv "$MNT/posix/a" "$MNT/posix/b"
assert_eq "b" "$(ls "$MNT/posix")" "after mv only b is listed"
assert_eq "content of a" "$("$H" posix-read b)" "mv moved the object"
assert_fails_with "$ENOENT" "$H" posix-stat a

section "sysv/ names"
canon=$MNT/sysv/0x000004d2
ino=$(stat -c %i "$canon")
for alias in 1234 0x4d2 0X4D2 0x000004d2 0x4D2; do
	assert_eq "$ino" "$(stat -c %i "$MNT/sysv/$alias")" "sysv/$alias is the same inode as 0x000004d2"
done
assert_eq "Hello" "$("$H" sysv-write 1234 0 Hello && head -c 5 "$MNT/sysv/0X4D2")" "read through an alias"
assert_eq "0x000004d2" "$(ls "$MNT/sysv")" "sysv/ lists only the canonical name"
assert_eq "$ino" "$(stat -c %i "$MNT/sysv-id/$id1234")" "same inode under sysv-id/"
assert_eq 2 "$(stat -c %h "$canon")" "keyed segment has st_nlink 2 (sysv/)"
assert_eq 2 "$(stat -c %h "$MNT/sysv-id/$id1234")" "keyed segment has st_nlink 2 (sysv-id/)"
assert_eq 1 "$(stat -c %h "$MNT/sysv-id/$idpriv")" "IPC_PRIVATE segment has st_nlink 1"
assert_fails_with "$ENOENT" stat "$MNT/sysv/hello"
assert_fails_with "$ENOENT" stat "$MNT/sysv/0x"
assert_fails_with "$ENOENT" stat "$MNT/sysv/0x1ffffffff"
assert_fails_with "$ENOENT" stat "$MNT/sysv/0"
assert_fails_with "$ENOENT" stat "$MNT/sysv/0x00000000"
assert_fails_with "$ENOENT" stat "$MNT/sysv/0x00000777"
for bad in -1 4294967296 0x100000000 1234abc 0x4d2g 0xx4d2; do
	assert_fails_with "$ENOENT" stat "$MNT/sysv/$bad"
done
assert_fails_with "$EINVAL" touch "$MNT/sysv/hello"
assert_fails_with_any "$EINVAL|$EPERM" touch "$MNT/sysv/0"
before=$("$H" sysv-list | wc -l)
assert_eq 2 "$before" "no segment created by the refused creations"

section "sysv-id/ names"
assert_eq "$(printf '%s\n' "$id1234" "$idpriv" | sort -n)" "$(ls "$MNT/sysv-id" | sort -n)" "sysv-id/ lists every segment, IPC_PRIVATE included"
assert_eq "$(ipcs -m | awk '$2 ~ /^[0-9]+$/ { print $2 }' | sort -n)" "$(ls "$MNT/sysv-id" | sort -n)" "sysv-id/ agrees with ipcs -m"
assert_no_match "0x00000000" "$(ls "$MNT/sysv")" "IPC_PRIVATE is not in sysv/"
assert_eq 8192 "$(stat -c %s "$MNT/sysv-id/$idpriv")" "size of the IPC_PRIVATE segment"
assert_fails_with "$ENOENT" stat "$MNT/sysv-id/$((idpriv + 12345))"
assert_fails_with "$ENOENT" stat "$MNT/sysv-id/abc"

assert_eq "$(stat -c '%s' "$MNT/sysv-id/$id1234") $(stat -c '%s' "$MNT/sysv-id/$idpriv")" \
	"$(ls -l "$MNT/sysv-id" | awk -v a="$id1234" -v b="$idpriv" '$NF == a { x = $5 } $NF == b { y = $5 } END { print x, y }')" \
	"ls -l sysv-id/ shows the sizes"

section "live visibility"
id2=$("$H" sysv-create 0xabcdef 100)
assert_eq $'0x000004d2\n0x00abcdef' "$(ls "$MNT/sysv" | sort)" "new segment is listed at once"
assert_eq 100 "$(stat -c %s "$MNT/sysv/0x00abcdef")" "and has its size"
assert_has_line "$id2" "$(ls "$MNT/sysv-id")" "new segment is in sysv-id/ at once"
"$H" sysv-rm 0xabcdef
assert_eq "0x000004d2" "$(ls "$MNT/sysv")" "removed segment vanishes from sysv/ at once"
assert_soon "removed elsewhere: gone by key" fails_with "$ENOENT" stat "$MNT/sysv/0x00abcdef"
assert_soon "and by id" fails_with "$ENOENT" stat "$MNT/sysv-id/$id2"
id3=$("$H" sysv-create 0xabcdef 300)
assert_eq 300 "$(stat -c %s "$MNT/sysv/0x00abcdef")" "a re-created key shows the new segment"
assert_eq "$id3" "$(getfattr --absolute-names -n user.shm.id --only-values "$MNT/sysv/0x00abcdef" 2>/dev/null)" "and its new shmid"
"$H" posix-create live 5 >/dev/null
assert_eq $'b\nlive' "$(ls "$MNT/posix")" "new POSIX object is listed at once"
assert_eq 5 "$(stat -c %s "$MNT/posix/live")" "with its size"
"$H" posix-rm live
assert_eq "b" "$(ls "$MNT/posix")" "removed POSIX object vanishes at once"
assert_soon "removed elsewhere: gone by name" fails_with "$ENOENT" stat "$MNT/posix/live"

section "large directories"
for ((i = 0; i < 300; i++)); do "$H" sysv-create $((0x10000 + i)) 1 >/dev/null; done
for ((i = 0; i < 400; i++)); do "$H" posix-create "object-with-a-longish-name-number-$i" 0; done
want=$( (echo 0x000004d2 0x00abcdef; for ((i = 0; i < 300; i++)); do printf '0x%08x\n' $((0x10000 + i)); done) | tr ' ' '\n' | sort)
assert_eq "$want" "$(ls "$MNT/sysv" | sort)" "ls sysv/ with 302 segments: each exactly once"
assert_eq "$(ls /dev/shm | sort)" "$(ls "$MNT/posix" | sort)" "ls posix/ with 401 objects: each exactly once"
assert_eq "$("$H" sysv-list | sort)" "$(ls "$MNT/sysv-id" | sort)" "ls sysv-id/ with 303 segments"
assert_eq 302 "$(find "$MNT/sysv" -type f | wc -l)" "find agrees"
for ((i = 0; i < 300; i++)); do "$H" sysv-rm $((0x10000 + i)); done
for ((i = 0; i < 400; i++)); do "$H" posix-rm "object-with-a-longish-name-number-$i"; done

section "segments come and go while listing"
(
	end=$((SECONDS + 3))
	while ((SECONDS < end)); do
		for k in 0x51 0x52 0x53; do "$H" sysv-create "$k" 4096 >/dev/null 2>&1; done
		"$H" sysv-create IPC_PRIVATE 4096 >/dev/null 2>&1 && true
		for k in 0x51 0x52 0x53; do "$H" sysv-rm "$k" 2>/dev/null; done
		for i in $("$H" sysv-list); do [[ $i == "$id1234" || $i == "$id3" || $i == "$idpriv" ]] || "$H" sysv-rm "id:$i"; done
	done
) &
churner=$!
BG_PIDS+=("$churner")
n=0
while kill -0 "$churner" 2>/dev/null; do
	ls -l "$MNT/sysv" "$MNT/sysv-id" >/dev/null 2>&1
	cat "$MNT"/sysv/* >/dev/null 2>&1
	n=$((n + 1))
done
wait "$churner"
assert_true "daemon alive after $n listings of a changing table" daemon_alive
assert_eq $'0x000004d2\n0x00abcdef' "$(ls "$MNT/sysv")" "listing settles on the remaining segments"
assert_eq "$("$H" sysv-list | sort -n)" "$(ls "$MNT/sysv-id" | sort -n)" "sysv-id/ settles too"
