#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A hostile user against the rights a root -o allow_other daemon gives
# (docs/reliability.md, "A hostile user"): through the mount, each caller
# gets exactly what the kernel gives it directly, no more and no less.
# Each attack is tried directly first (shmhelper, /dev/shm: the kernel's
# own answer), then through the mount, and shmhelper witnesses the result.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EACCES="Permission denied"
EPERM="Operation not permitted"
# uid 0 with no capability at all, and none to regain by an exec
NOCAP=(setpriv --reuid=0 --regid=0 --clear-groups --inh-caps=-all --bounding-set=-all)
# with_cap CAP CMD...: user 1002 holding capability CAP only
with_cap() {
	local cap=$1
	shift
	setpriv --reuid=1002 --regid=1002 --clear-groups \
		--inh-caps="+$cap" --ambient-caps="+$cap" "$@"
}
as() { # as UID CMD...
	local uid=$1
	shift
	setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
}
cap_eff() { awk '$1 == "CapEff:" { print $2 }' /proc/self/status; }
# memory WHEN: the daemon's size, for docs/reliability.md
memory() {
	echo "memory: $1: $(awk '$1 == "VmRSS:" || $1 == "VmSize:" { printf "%s %s KiB ", $1, $2 }' \
		"/proc/$SHMFS_PID/status")"
}

# /dev/shm is root's: make it another user's, so that uid 0 without
# CAP_FOWNER is nobody special to its sticky bit either.
chown 1009:1009 /dev/shm
as 1001 "$H" sysv-create 0x1401 4096 0600 >/dev/null
as 1001 "$H" sysv-write 0x1401 0 "sysv secret"
for f in secret-d secret-m; do # -d: attacked directly; -m: through the mount
	"$H" posix-create "$f" 0 0600 >/dev/null
	"$H" posix-write "$f" 0 "posix secret"
	chown 1001:1001 "/dev/shm/$f"
done

start_shmfs -o allow_other
memory "idle"
S=$MNT/sysv
P=$MNT/posix
SEG=$S/$(sysv_name 0x1401)

section "uid 0 without capabilities: directly"
assert_eq 0000000000000000 "$("${NOCAP[@]}" bash -c "$(declare -f cap_eff); cap_eff")" \
	"setpriv makes uid 0 without capabilities"
assert_fails_with "$EACCES" "${NOCAP[@]}" "$H" sysv-read 0x1401
assert_fails_with "$EACCES" "${NOCAP[@]}" "$H" sysv-write 0x1401 0 x
# shmhelper asks IPC_STAT first, which says EACCES before IPC_SET can
assert_fails_with "$EACCES" "${NOCAP[@]}" "$H" sysv-chmod 0x1401 0666
assert_fails_with "$EPERM" "${NOCAP[@]}" "$H" sysv-rm 0x1401
assert_fails_with "$EACCES" "${NOCAP[@]}" cat /dev/shm/secret-d
assert_fails_with "$EACCES" "${NOCAP[@]}" sh -c 'echo x >>"$1"' sh /dev/shm/secret-d
assert_fails_with "$EPERM" "${NOCAP[@]}" chmod 666 /dev/shm/secret-d
assert_fails_with "$EPERM" "${NOCAP[@]}" rm -f /dev/shm/secret-d

section "uid 0 without capabilities: through the mount"
assert_fails_with "$EACCES" "${NOCAP[@]}" cat "$SEG"
assert_fails_with "$EACCES" "${NOCAP[@]}" sh -c 'printf x >>"$1"' sh "$SEG"
assert_fails_with "$EACCES" "${NOCAP[@]}" truncate -s 0 "$SEG"
assert_fails_with "$EPERM" "${NOCAP[@]}" chmod 666 "$SEG"
assert_fails_with "$EPERM" "${NOCAP[@]}" rm -f "$SEG"
assert_true "access(2) agrees: no read" "${NOCAP[@]}" test ! -r "$SEG"
assert_fails_with "$EACCES" "${NOCAP[@]}" cat "$P/secret-m"
assert_fails_with "$EACCES" "${NOCAP[@]}" sh -c 'echo x >>"$1"' sh "$P/secret-m"
assert_fails_with "$EACCES" "${NOCAP[@]}" truncate -s 0 "$P/secret-m"
assert_fails_with "$EPERM" "${NOCAP[@]}" chmod 666 "$P/secret-m"
assert_fails_with "$EPERM" "${NOCAP[@]}" chown 0 "$P/secret-m"
assert_fails_with "$EPERM" "${NOCAP[@]}" rm -f "$P/secret-m"
assert_true "access(2) agrees: no write" "${NOCAP[@]}" test ! -w "$P/secret-m"
assert_eq "sysv secret 0600 0" "$("$H" sysv-read 0x1401 0 11) $(sysv_field 0x1401 mode) $(sysv_field 0x1401 dest)" \
	"the segment is untouched"
assert_eq "posix secret 0600 1001" \
	"$("$H" posix-read secret-m) $(posix_field secret-m mode) $(posix_field secret-m uid)" \
	"the POSIX object is untouched"
assert_true "what it owns, it may: it makes an object" "${NOCAP[@]}" sh -c 'echo mine >"$1"' sh "$P/nocap-own"
assert_eq "0 mine" "$(posix_field nocap-own uid) $("$H" posix-read nocap-own)" "owned by uid 0"

memory "after: uid 0 without capabilities: through the mount"
section "a user with CAP_IPC_OWNER only"
assert_eq "sysv secret" "$(with_cap ipc_owner "$H" sysv-read 0x1401 0 11)" "directly: shmat works"
assert_fails_with "$EACCES" with_cap ipc_owner cat /dev/shm/secret-d
assert_fails_with "$EPERM" with_cap ipc_owner "$H" sysv-chmod 0x1401 0666
assert_eq "sysv secret" "$(with_cap ipc_owner cat "$SEG" | strip_nul)" "through the mount: read works"
assert_true "through the mount: write works" with_cap ipc_owner \
	sh -c 'printf S | dd of="$1" conv=notrunc status=none' sh "$SEG"
assert_eq "Sysv secret" "$("$H" sysv-read 0x1401 0 11)" "the segment holds the write"
assert_true "access(2) agrees" with_cap ipc_owner test -r "$SEG" -a -w "$SEG"
assert_fails_with "$EACCES" with_cap ipc_owner cat "$P/secret-m"
assert_fails_with "$EPERM" with_cap ipc_owner chmod 666 "$SEG"
assert_eq 0600 "$(sysv_field 0x1401 mode)" "its mode is unchanged"

memory "after: a user with CAP_IPC_OWNER only"
section "a user with CAP_DAC_OVERRIDE only"
assert_eq "posix secret" "$(with_cap dac_override cat /dev/shm/secret-d)" "directly: open works"
assert_fails_with "$EACCES" with_cap dac_override "$H" sysv-read 0x1401
assert_eq "posix secret" "$(with_cap dac_override cat "$P/secret-m")" "through the mount: read works"
assert_true "through the mount: write works" with_cap dac_override \
	sh -c 'printf P | dd of="$1" conv=notrunc status=none' sh "$P/secret-m"
assert_eq "Posix secret" "$("$H" posix-read secret-m)" "the object holds the write"
assert_fails_with "$EACCES" with_cap dac_override cat "$SEG"
assert_fails_with "$EPERM" with_cap dac_override chmod 644 "$P/secret-m"

memory "after: a user with CAP_DAC_OVERRIDE only"
section "a user with CAP_FOWNER only"
assert_true "directly: chmod works" with_cap fowner chmod 640 /dev/shm/secret-d
assert_fails_with "$EACCES" with_cap fowner cat /dev/shm/secret-d
assert_true "through the mount: chmod works" with_cap fowner chmod 640 "$P/secret-m"
assert_eq "0640 0640" "$(posix_field secret-d mode) $(posix_field secret-m mode)" "both objects 0640"
assert_fails_with "$EACCES" with_cap fowner cat "$P/secret-m"
assert_true "directly: rm works (the sticky bit)" with_cap fowner rm /dev/shm/secret-d
assert_true "through the mount: rm works" with_cap fowner rm "$P/secret-m"
assert_missing /dev/shm/secret-m
assert_fails_with "$EPERM" with_cap fowner rm "$SEG"

memory "after: a user with CAP_FOWNER only"
section "130 supplementary groups, the 130th owning the segment"
G130=$(seq -s, 20001 20130)
G129=$(seq -s, 20001 20129)
G10K=$(seq -s, 20001 30000)
in_groups() { # in_groups LIST CMD...: as user 1003 in groups LIST
	local groups=$1
	shift
	setpriv --reuid=1003 --regid=1003 --groups="$groups" "$@"
}
"$H" sysv-create 0x1402 4096 0060 >/dev/null
"$H" sysv-write 0x1402 0 "for group 20130"
"$H" sysv-chown 0x1402 0 20130
"$H" sysv-create 0x1403 4096 0060 >/dev/null
"$H" sysv-write 0x1403 0 "for group 30000"
"$H" sysv-chown 0x1403 0 30000
"$H" posix-create gsecret 0 0060 >/dev/null
"$H" posix-write gsecret 0 "for group 20130"
chown 0:20130 /dev/shm/gsecret
GSEG=$S/$(sysv_name 0x1402)
assert_eq 130 "$(in_groups "$G130" id -G | wc -w | awk '{ print $1 - 1 }')" "setpriv gives 130 groups"
assert_eq "for group 20130" "$(in_groups "$G130" "$H" sysv-read 0x1402 0 15)" "directly: shmat works"
assert_eq "for group 20130" "$(in_groups "$G130" cat /dev/shm/gsecret)" "directly: open works"
assert_fails_with "$EACCES" in_groups "$G129" "$H" sysv-read 0x1402
assert_eq "for group 20130" "$(in_groups "$G130" cat "$GSEG" | strip_nul)" "through the mount: SysV read works"
assert_eq "for group 20130" "$(in_groups "$G130" cat "$P/gsecret")" "through the mount: POSIX read works"
assert_true "access(2) agrees" in_groups "$G130" test -r "$GSEG" -a -r "$P/gsecret"
assert_true "through the mount: write works" in_groups "$G130" \
	sh -c 'printf F | dd of="$1" conv=notrunc status=none' sh "$GSEG"
assert_eq "For group 20130" "$("$H" sysv-read 0x1402 0 15)" "the segment holds the write"
assert_fails_with "$EACCES" in_groups "$G129" cat "$GSEG"
assert_fails_with "$EACCES" in_groups "$G129" cat "$P/gsecret"
assert_eq "for group 30000" "$(in_groups "$G10K" "$H" sysv-read 0x1403 0 15)" "10,000 groups: directly"
assert_eq "for group 30000" "$(in_groups "$G10K" cat "$S/$(sysv_name 0x1403)" | strip_nul)" \
	"10,000 groups: through the mount"

memory "after: 130 supplementary groups, the 130th owning the segment"
section "set-id POSIX objects: truncate and write by a non-owner clear the bits"
# twins NAME MODE: NAME-d (attacked directly) and NAME-m (through the
# mount), 1001's, MODE, 16 bytes.
twins() {
	local f
	for f in "$1-d" "$1-m"; do
		"$H" posix-create "$f" 16 0666 >/dev/null
		chown 1001:1001 "/dev/shm/$f"
		chmod "$2" "/dev/shm/$f"
	done
}
# same_as_kernel NAME EXPECTED-MODE DESCRIPTION: both twins ended the same.
same_as_kernel() {
	assert_eq "$2 $2" "$(posix_field "$1-d" mode) $(posix_field "$1-m" mode)" "$3"
	assert_eq "$(posix_field "$1-d" size)" "$(posix_field "$1-m" size)" "$3: the same size"
}
chmod 1777 /dev/shm
# On both data paths: the daemon's writes and truncates as the caller, and
# the kernel's own passthrough writes (fs_killpriv.c).
for mode in passthrough off; do
	stop_shmfs
	opts=allow_other$([[ $mode == off ]] && echo ,passthrough=off)
	start_shmfs -o "$opts"
	x=${mode:0:1} # the objects of this round
	for m in 4666:0666 2676:0676 2666:0666 6676:0676; do
		from=${m%:*} to=${m#*:}
		twins "${x}t$from" "$from"
		assert_true "$mode: directly: truncate of a $from object" as 1002 truncate -s 8 "/dev/shm/${x}t$from-d"
		assert_true "$mode: through the mount: truncate of a $from object" as 1002 truncate -s 8 "$P/${x}t$from-m"
		same_as_kernel "${x}t$from" "$to" "$mode: truncate by a non-owner leaves $to"
		twins "${x}w$from" "$from"
		for f in "/dev/shm/${x}w$from-d" "$P/${x}w$from-m"; do
			assert_true "$mode: write to a $from object: $f" as 1002 \
				sh -c 'printf x | dd of="$1" conv=notrunc status=none' sh "$f"
		done
		same_as_kernel "${x}w$from" "$to" "$mode: a write by a non-owner leaves $to"
		assert_eq "x" "$("$H" posix-read "${x}w$from-m" 0 1)" "$mode: the write is there"
	done
	twins "${x}own" 4666
	assert_true "$mode: the owner's own write" as 1001 sh -c 'printf x | dd of="$1" conv=notrunc status=none' sh "$P/${x}own-m"
	as 1001 sh -c 'printf x | dd of="$1" conv=notrunc status=none' sh "/dev/shm/${x}own-d"
	same_as_kernel "${x}own" 0666 "$mode: the owner's write clears the set-user-ID bit too"
	twins "${x}root" 4666
	truncate -s 8 "/dev/shm/${x}root-d"
	assert_true "$mode: root truncates" truncate -s 8 "$P/${x}root-m"
	same_as_kernel "${x}root" 4666 "$mode: root (CAP_FSETID) keeps the bit"
	twins "${x}rootw" 4666
	sh -c 'printf x | dd of="$1" conv=notrunc status=none' sh "/dev/shm/${x}rootw-d"
	assert_true "$mode: root writes" sh -c 'printf x | dd of="$1" conv=notrunc status=none' sh "$P/${x}rootw-m"
	same_as_kernel "${x}rootw" 4666 "$mode: a write by root (CAP_FSETID) keeps the bit"
	twins "${x}chmod" 4666
	assert_fails_with "$EPERM" as 1002 chmod 0666 "/dev/shm/${x}chmod-d"
	assert_fails_with "$EPERM" as 1002 chmod 0666 "$P/${x}chmod-m"
	same_as_kernel "${x}chmod" 4666 "$mode: a chmod by a non-owner is still refused"
	# fallocate and copy_file_range: the kernel asks first, as for a write.
	twins "${x}fa" 4666
	for f in "/dev/shm/${x}fa-d" "$P/${x}fa-m"; do
		assert_true "$mode: fallocate of a 4666 object: $f" as 1002 fallocate -o 0 -l 8192 "$f"
	done
	same_as_kernel "${x}fa" 0666 "$mode: fallocate by a non-owner leaves 0666"
	twins "${x}cf" 4666
	# from an object beside it: within the mount, the daemon copies
	"$H" posix-create "${x}cf-src" 6 0644 >/dev/null
	for f in "/dev/shm/${x}cf-d" "$P/${x}cf-m"; do
		assert_true "$mode: copy_file_range into a 4666 object: $f" as 1002 /usr/bin/python3 -c '
import os, sys
s = os.open(os.path.join(os.path.dirname(sys.argv[1]), sys.argv[2]), os.O_RDONLY)
d = os.open(sys.argv[1], os.O_WRONLY)
assert os.copy_file_range(s, d, 6, 0, 0) == 6' "$f" "${x}cf-src"
	done
	same_as_kernel "${x}cf" 0666 "$mode: copy_file_range by a non-owner leaves 0666"
	# A write by a non-owner after the owner unlinked the object (still
	# open: shm_unlink while in use), as /dev/shm allows.
	twins "${x}ul" 4666
	for f in "/dev/shm/${x}ul-d" "$P/${x}ul-m"; do
		mkdir -p -m 1777 "$TMP/ul"
		as 1002 /usr/bin/python3 -c '
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
open(sys.argv[2] + ".open", "w").close()
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
try:
    os.pwrite(fd, b"x", 0)
    print("written")
except OSError as e:
    print(os.strerror(e.errno))' "$f" "$TMP/ul/go" >"$TMP/ul.out" &
		ul=$!
		wait_for 10 test -e "$TMP/ul/go.open"
		rm "/dev/shm/${x}ul-${f: -1}"
		touch "$TMP/ul/go"
		wait "$ul"
		rm -f "$TMP/ul/go" "$TMP/ul/go.open"
		assert_eq "written" "$(cat "$TMP/ul.out")" "$mode: a write after the owner's shm_unlink: $f"
	done
done

section "set-id bits cleared by a writer never undo the owner's chmod"
stop_shmfs
start_shmfs -o allow_other
# The owner takes the others' rights away again and again, directly in
# /dev/shm, while another user who holds the object open through the
# mount makes the daemon clear its set-id bits (chown(-1, -1), the same
# request the kernel sends before a write of its own).
"$H" posix-create race 16 0666 >/dev/null
chown 1001:1001 /dev/shm/race
chmod 4666 /dev/shm/race
cat >"$TMP/clear.py" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
while not os.path.exists(sys.argv[2]):
    try:
        os.chown(sys.argv[1], -1, -1)
    except OSError:
        pass
PY
cat >"$TMP/revoke.py" <<'PY'
import os, sys, time
lost = 0
for _ in range(int(sys.argv[2])):
    os.chmod(sys.argv[1], 0o4666)
    time.sleep(0.0002)  # a clearing may read the mode now
    os.chmod(sys.argv[1], 0o4600)
    if os.stat(sys.argv[1]).st_mode & 0o777 != 0o600:
        lost += 1
print(lost)
PY
chmod 644 "$TMP/clear.py" "$TMP/revoke.py"
as 1002 /usr/bin/python3 "$TMP/clear.py" "$P/race" "$TMP/race-done" &
clearer=$!
BG_PIDS+=("$clearer")
sleep 0.3
lost=$(as 1001 /usr/bin/python3 "$TMP/revoke.py" /dev/shm/race 6000)
touch "$TMP/race-done"
wait "$clearer"
assert_eq 0 "$lost" "6,000 revocations, none undone"
memory "after: set-id POSIX objects: truncate and write by a non-owner clear the bits"
stop_shmfs

section "set-id POSIX objects, -o kernel_cache: cached writes by a non-owner"
start_shmfs -o allow_other,kernel_cache
memory "idle"
for m in 4666:0666 6676:0676; do
	from=${m%:*} to=${m#*:}
	twins "k$from" "$from"
	for f in "/dev/shm/k$from-d" "$P/k$from-m"; do
		assert_true "write to a $from object: $f" as 1002 \
			sh -c 'printf x | dd of="$1" conv=notrunc status=none' sh "$f"
	done
	same_as_kernel "k$from" "$to" "a cached write by a non-owner leaves $to"
	assert_eq "x" "$("$H" posix-read "k$from-m" 0 1)" "the write is there"
done
twins kt 4666
as 1002 truncate -s 8 /dev/shm/kt-d
assert_true "truncate" as 1002 truncate -s 8 "$P/kt-m"
same_as_kernel kt 0666 "truncate by a non-owner leaves 0666"

memory "after: set-id POSIX objects, -o kernel_cache"
section "access(X_OK) on a file without an x bit: no, even for root"
"$H" sysv-create 0x1404 4096 0644 >/dev/null
"$H" posix-create plain 8 0644 >/dev/null
assert_true "directly: test -x is false for root" test ! -x /dev/shm/plain
assert_true "through the mount: a 0644 segment" test ! -x "$S/$(sysv_name 0x1404)"
assert_true "through the mount: a 0644 object" test ! -x "$P/plain"
"$H" sysv-chmod 0x1404 0744
assert_soon "a 0744 segment: root may" test -x "$S/$(sysv_name 0x1404)"
assert_true "not for another user" as 1002 test ! -x "$S/$(sysv_name 0x1404)"
exec 3>"$S/$(sysv_name 0x1405)"
echo hi >&3
assert_true "a SysV file being created, 0644" test ! -x "$S/$(sysv_name 0x1405)"
exec 3>&-
memory "after: access(X_OK) on a file without an x bit: no, even for root"
section "groups that cannot be read: refused, not the others' rights"
# 0604: group 31000 may not read what others may.  User 1004 is in it as a
# supplementary group only, which FUSE does not give: the daemon reads it
# from /proc.  Out of descriptors it cannot, and must refuse rather than
# take 1004 for one of the others.  Without passthrough, so that the
# daemon itself serves an open file's reads meanwhile.
stop_shmfs
start_shmfs -o allow_other,passthrough=off
IN_G=(setpriv --reuid=1004 --regid=1004 --groups=31000)
NOT_G=(setpriv --reuid=1004 --regid=1004 --clear-groups)
"$H" sysv-create 0x1406 4096 0604 >/dev/null
"$H" sysv-write 0x1406 0 "for the others"
"$H" sysv-chown 0x1406 0 31000
NSEG=$S/$(sysv_name 0x1406)
assert_fails_with "$EACCES" "${IN_G[@]}" "$H" sysv-read 0x1406
assert_eq "for the others" "$("${NOT_G[@]}" "$H" sysv-read 0x1406 0 14)" "directly: 1004 outside the group reads"
assert_fails_with "$EACCES" "${IN_G[@]}" cat "$NSEG"
assert_eq "for the others" "$("${NOT_G[@]}" cat "$NSEG" | strip_nul)" "through the mount too"
exec 4<"$NSEG" # opened while the daemon can read credentials
assert_eq 1 "$(sysv_field 0x1406 nattch)" "the daemon holds it attached"
# A soft limit of 0: then every open(2) of the daemon fails (EMFILE).
read -r soft hard < <(prlimit --pid "$SHMFS_PID" --nofile --output=SOFT,HARD --noheadings)
prlimit --pid "$SHMFS_PID" --nofile="0:$hard"
assert_fails_with "$EACCES" "${IN_G[@]}" cat "$NSEG"
# Refused too, though the kernel would let them: the refusals are the
# daemon's, which cannot know.
assert_fails_with "$EACCES" "${NOT_G[@]}" cat "$NSEG"
assert_fails_with "$EACCES" cat "$NSEG"
assert_eq 1 "$(grep -c "refused a request .*: Too many open files" "$SHMFS_LOG")" "said once in the log"
assert_eq "604 0 31000" "$("${NOT_G[@]}" stat -c '%a %u %g' "$NSEG")" "stat, as the daemon, still works"
assert_eq "for the others" "$(strip_nul <&4)" "so does a read of an open file"
exec 4<&-
detached() { [[ $(sysv_field 0x1406 nattch) == 0 ]]; }
assert_true "and its release" wait_for 5 detached
prlimit --pid "$SHMFS_PID" --nofile="$soft:$hard"
assert_fails_with "$EACCES" "${IN_G[@]}" cat "$NSEG"
assert_eq "for the others" "$("${NOT_G[@]}" cat "$NSEG" | strip_nul)" "limit restored: 1004 outside the group reads"
assert_eq "for the others" "$(cat "$NSEG" | strip_nul)" "and root"
memory "after: groups that cannot be read"
stop_shmfs_cleanly

section "one user's open files leave the others descriptors"
# A user may hold as many files open as the daemon's limit allows, but
# not its last descriptors, which every request may need (fd_reserve.c):
# its opens fail with EMFILE, the others' requests go on.
start_shmfs -o allow_other
"$H" posix-create bait 16 0666 >/dev/null
"$H" posix-create mine 16 0644 >/dev/null
chown 1001:1001 /dev/shm/mine
read -r soft hard < <(prlimit --pid "$SHMFS_PID" --nofile --output=SOFT,HARD --noheadings)
prlimit --pid "$SHMFS_PID" --nofile="$(($(ls "/proc/$SHMFS_PID/fd" | wc -l) + 300)):$hard"
cat >"$TMP/hog.py" <<'PY'
import os, sys, time
fds = []
try:
    while len(fds) < 5000:
        fds.append(os.open(sys.argv[1], os.O_RDONLY))
    print("no refusal")
except OSError as e:
    print(os.strerror(e.errno), flush=True)
open(sys.argv[2], "w").close()
while not os.path.exists(sys.argv[3]):
    time.sleep(0.01)
PY
chmod 644 "$TMP/hog.py"
mkdir -m 1777 "$TMP/hog"
as 1002 /usr/bin/python3 "$TMP/hog.py" "$P/bait" "$TMP/hog/full" "$TMP/hog/done" >"$TMP/hog/out" &
hog=$!
BG_PIDS+=("$hog")
assert_true "the user's opens end" wait_for 30 test -e "$TMP/hog/full"
assert_eq "Too many open files" "$(cat "$TMP/hog/out")" "its last open fails with EMFILE"
assert_true "another user chmods its own object" as 1001 chmod 0600 "$P/mine"
assert_eq 600 "$(posix_field mine mode | sed 's/^0//')" "and it is done"
assert_true "and removes it" as 1001 rm "$P/mine"
assert_true "root lists posix/" ls "$P"
# A SysV segment of 2^42 bytes cannot be trimmed to one attached page
# without a descriptor: not opened then, rather than mapped whole.
as 1002 /usr/bin/python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
libc.shmget.argtypes = [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]
assert libc.shmget(0x1420, 1 << 42, 0o1000 | 0o10000 | 0o600) >= 0'
assert_fails_with "Too many open files" as 1002 cat "$S/$(sysv_name 0x1420)"
touch "$TMP/hog/done"
wait "$hog"
assert_eq "x" "$(printf x | as 1001 sh -c 'cat >"$1"' sh "$P/new-after" && cat "$P/new-after")" \
	"once it lets go, opens work again"
prlimit --pid "$SHMFS_PID" --nofile="$soft:$hard"
memory "after: one user's open files"
stop_shmfs_cleanly

section "a caller outside the daemon's PID namespace: refused"
# FUSE gives such a caller's pid as 0: its groups cannot be read either.
# The daemon runs in a PID namespace of its own; callers reach its mount
# from outside (pid 0) and from inside.  (Its mount namespace, a copy of
# ours, holds no other mount of shmfs that would keep a daemon running.)
mkdir "$TMP/inner"
unshare --pid --fork --mount-proc --kill-child bash -c '
	"$1" -f -o allow_other "$2" >"$3/inner.log" 2>&1 &
	for i in $(seq 100); do grep -q " $2 fuse" /proc/self/mounts && break; sleep 0.05; done
	echo ready >"$3/inner.ready"
	wait' bash "$SHMFS" "$TMP/inner" "$TMP" &
ns=$!
BG_PIDS+=("$ns")
wait_for 5 test -s "$TMP/inner.ready" || fail "no daemon in a PID namespace" "$(cat "$TMP/inner.log")"
read -r inner <"/proc/$ns/task/$ns/children" # its pid 1
ISEG=$TMP/inner/sysv/$(sysv_name 0x1406)
outside() { nsenter --mount="/proc/$inner/ns/mnt" "$@"; }
inside() { nsenter --target="$inner" --mount --pid "$@"; }
assert_eq "for the others" "$(inside "${NOT_G[@]}" cat "$ISEG" | strip_nul)" "inside: 1004 outside the group reads"
assert_fails_with "$EACCES" inside "${IN_G[@]}" cat "$ISEG"
assert_fails_with "$EACCES" outside "${IN_G[@]}" cat "$ISEG"
assert_fails_with "$EACCES" outside "${NOT_G[@]}" cat "$ISEG"
assert_match "refused a request of pid 0, uid 1004: .*: not in the daemon's PID namespace" \
	"$(cat "$TMP/inner.log")" "the daemon says why"
inside fusermount3 -u "$TMP/inner"
assert_true "the daemon in the PID namespace ends" wait_for 5 test ! -e "/proc/$inner"
assert_no_match 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$(cat "$TMP/inner.log")" \
	"no sanitizer report from it"
