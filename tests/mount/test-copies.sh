#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copies with the tools that keep extended attributes (tar --xattrs,
# rsync -aX, cp -a, cp --preserve=xattr, mv) into, within and out of
# posix/ behave as in a tmpfs twin: the same calls in both, the same exit
# codes, messages, contents and attributes.  shmfs's computed attributes
# are read by name, never copied.  mknod of a regular file (how tar makes
# a member with attributes) creates the object, in posix/ and in sysv/.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EPERM="Operation not permitted"
EEXIST="File exists"
PY=/usr/bin/python3
for tool in "$PY" rsync tar getfattr setfattr cp mv; do
	command -v "$tool" >/dev/null || skip "$tool is missing"
done

P=$MNT/posix
TWIN=$TMP/twin # what posix/ is compared with: a tmpfs of its own
mkdir "$TWIN" "$TMP/out-mnt" "$TMP/out-twin"
for d in "$TWIN" "$TMP/out-mnt" "$TMP/out-twin"; do
	mount -t tmpfs -o mode=1777,size=64m shmfs-test-twin "$d" ||
		skip "cannot mount a tmpfs on $d"
done
start_shmfs -o allow_other

# Every attribute of every file under DIR, its mode and contents: what a
# copy carries.  Times are left out (posix/ and the twin are made apart).
state() {
	local f
	(cd "$1" && for f in $(find . -type f | sort); do
		echo "$f $(stat -c '%a %u %s' "$f") $(md5sum <"$f" | cut -c1-8)"
		getfattr --absolute-names -d -m - "$f" 2>&1 | grep -v '^# file:\|^$'
	done)
}

# step DIR OUT CMD...: run CMD (DIR and OUT in it), print its exit code
# and what it said, with DIR and OUT written as D and O.
step() {
	local dir=$1 out=$2 rc err
	shift 2
	err=$("$@" 2>&1 >/dev/null) && rc=0 || rc=$?
	echo "$(_lib_show "$@" | sed "s|$dir|D|g; s|$out|O|g"): exit $rc"
	[[ -z $err ]] || sed "s|$dir|D|g; s|$out|O|g; s/^/  /" <<<"$err"
}

# The same copies in D (posix/ or its twin), from and to O outside it,
# as whoever runs it.
copies() {
	local D=$1 O=$2 what=.
	mkdir -p "$O/src" "$O/out" "$O/back"
	printf alpha >"$O/src/a"
	printf beta >"$O/src/b"
	printf gamma >"$O/src/c"
	setfattr -n user.note -v one "$O/src/a"
	setfattr -n user.more -v 2 "$O/src/a"
	setfattr -n user.note -v three "$O/src/c"
	# into
	step "$D" "$O" tar --xattrs -C "$O/src" -cf "$O/in.tar" a b
	step "$D" "$O" tar --xattrs -C "$D" -xf "$O/in.tar"
	step "$D" "$O" rsync -aX "$O/src/a" "$D/rsync-a"
	step "$D" "$O" cp -a "$O/src/a" "$D/cp-a"
	step "$D" "$O" cp --preserve=xattr "$O/src/a" "$D/cpx-a"
	step "$D" "$O" mv "$O/src/c" "$D/mv-c"
	# within
	step "$D" "$O" rsync -aX "$D/a" "$D/w-rsync"
	step "$D" "$O" rsync -aX "$D/b" "$D/a"
	step "$D" "$O" cp -a "$D/cp-a" "$D/w-cp"
	step "$D" "$O" cp --preserve=xattr "$D/cpx-a" "$D/w-cpx"
	step "$D" "$O" cp --preserve=xattr "$D/mv-c" "$D/cpx-a"
	step "$D" "$O" mv "$D/cp-a" "$D/w-mv"
	# out, and back
	step "$D" "$O" cp -a "$D/w-mv" "$O/out/cp"
	step "$D" "$O" cp --preserve=xattr "$D/w-cpx" "$O/out/cpx"
	step "$D" "$O" rsync -aX "$D/" "$O/out/rsync/"
	step "$D" "$O" mv "$D/w-mv" "$O/out/mv"
	# Only root may restore the attributes of the directory itself.
	[[ $(id -u) == 0 ]] || what=$(cd "$D" && ls)
	# shellcheck disable=SC2086 # one word a name
	step "$D" "$O" tar --xattrs -C "$D" -cf "$O/out.tar" $what
	step "$D" "$O" tar --xattrs -C "$O/back" -xf "$O/out.tar"
	step "$D" "$O" tar --xattrs -C "$D" -xf "$O/out.tar"
	echo "-- in D"
	state "$D"
	echo "-- out"
	state "$O/out"
	echo "-- back from D's archive"
	state "$O/back"
}

# as UID CMD...: CMD as that user (0: as root, with every capability)
as() {
	local uid=$1
	shift
	if ((uid == 0)); then "$@"; else
		setpriv --reuid="$uid" --regid="$uid" --clear-groups "$@"
	fi
}

# both UID: the copies by UID in posix/ and in the twin, compared.
both() {
	local uid=$1 mnt twin run
	run="$(declare -f _lib_show step state copies); copies \"\$1\" \"\$2\""
	rm -f "$P"/* "$TWIN"/*
	mnt=$(as "$uid" bash -c "$run" _ "$P" "$TMP/out-mnt/$uid")
	twin=$(as "$uid" bash -c "$run" _ "$TWIN" "$TMP/out-twin/$uid")
	[[ ${SHMFS_TEST_VERBOSE:-} == 1 ]] && echo "$mnt"
	assert_eq "$twin" "$mnt" "exit codes, messages, contents and attributes as in tmpfs"
	assert_no_match 'user\.shm\.' "$mnt" "no user.shm.* is listed, set or copied"
	assert_eq "" "$(grep -B1 '^  ' <<<"$mnt")" "no tool said anything"
	assert_eq "./rsync-a 644 $uid 5" "$(grep -m1 '^\./rsync-a ' <<<"$mnt" | cut -d' ' -f1-4)" \
		"rsync -aX into posix/ copied"
	# The object's own attributes reached the POSIX objects themselves.
	assert_eq one "$(getfattr --absolute-names --only-values -n user.note /dev/shm/rsync-a)" \
		"rsync -aX carried user.note into the object"
	assert_eq three "$(getfattr --absolute-names --only-values -n user.note /dev/shm/mv-c)" \
		"mv carried user.note into the object"
	assert_eq one "$(getfattr --absolute-names --only-values -n user.note /dev/shm/w-rsync)" \
		"and rsync -aX within posix/"
	assert_eq alpha "$("$H" posix-read rsync-a | strip_nul)" "the witness reads what rsync wrote"
	assert_eq 2 "$(getfattr --absolute-names --only-values -n user.more "$TMP/out-mnt/$uid/back/rsync-a")" \
		"tar --xattrs -c of posix/ archived the object's own attributes"
}

section "the same copies in posix/ and in a tmpfs twin, as root"
both 0
section "the same copies as another user"
both 1001

section "computed attributes: read by name, not listed"
"$H" posix-create held 4096 >/dev/null
bg_helper "$TMP/hold.out" posix-hold held --until-file "$TMP/release"
holder=$BG_PID
assert_eq "$holder" "$(getfattr --absolute-names --only-values -n user.shm.pids "$P/held")" \
	"user.shm.pids by name"
all=$(getfattr --absolute-names --only-values -n user.shm.all "$P/held")
assert_eq "user.shm.pagesize=$(getconf PAGESIZE)
user.shm.pids=$holder
user.shm.orphan=0" "$all" "user.shm.all: every computed attribute, a line each"
assert_eq "" "$(getfattr --absolute-names -d -m - "$P/held")" "getfattr -d lists none of them"
"$H" sysv-create 0x5e1 100 >/dev/null
all=$(getfattr --absolute-names --only-values -n user.shm.all "$MNT/sysv/0x000005e1")
assert_has_line "user.shm.key=0x000005e1" "$all" "user.shm.all of a segment has its key"
assert_has_line "user.shm.id=$("$H" sysv-id 0x5e1)" "$all" "and its shmid"
assert_eq 13 "$(wc -l <<<"$all")" "and all 13 attributes"
assert_eq "" "$(getfattr --absolute-names -d -m - "$MNT/sysv/0x000005e1")" "getfattr -d of a segment lists none"
# Out of sysv/: the contents, and no attribute (a segment has none of its own).
O=$TMP/out-mnt/sysv
mkdir "$O" "$O/tar"
assert_ok cp -a "$MNT/sysv/0x000005e1" "$O/cp"
assert_ok rsync -aX "$MNT/sysv/" "$O/rsync/"
assert_ok tar --xattrs -C "$MNT/sysv" -cf "$O/sysv.tar" .
assert_ok tar --xattrs -C "$O/tar" -xf "$O/sysv.tar"
assert_eq "" "$(getfattr --absolute-names -R -d -m - "$O")" "no attribute came out of sysv/"
assert_eq "$("$H" sysv-sum 0x5e1)" "$(cksum <"$O/tar/0x000005e1" | cut -d' ' -f1-2)" \
	"the archived segment is the witness's"
assert_fails_with "$EPERM" setfattr -n user.shm.all -v x "$P/held"
assert_fails_with "$EPERM" setfattr -x user.shm.pids "$P/held"
touch "$TMP/release"
wait "$holder"

section "mv posix/x sysv/KEY"
printf hello >"$P/x"
out=$(mv "$P/x" "$MNT/sysv/0x000005e2" 2>&1)
assert_eq "0 " "$? $out" "mv exits 0 and says nothing"
assert_eq hello "$("$H" sysv-read 0x5e2 | strip_nul)" "the segment holds what x did"
printf hello >"$P/y"
setfattr -n user.note -v lost "$P/y"
out=$(mv "$P/y" "$MNT/sysv/0x000005e3" 2>&1)
assert_eq "0 " "$? $out" "mv of an object with an attribute a segment cannot hold: exit 0, quiet"
# A segment holds no attribute (ENOTSUP): cp -a copies without, quietly,
# as to any file system without extended attributes.
out=$(cp -a "$TMP/out-mnt/0/out/cp" "$MNT/sysv/0x000005e6" 2>&1)
assert_eq "0 " "$? $out" "cp -a of a file with attributes into sysv/: exit 0, quiet"
assert_eq alpha "$("$H" sysv-read 0x5e6 | strip_nul)" "the segment holds its contents"

section "mknod of a regular file is open(O_CREAT | O_EXCL) and close"
mknod() { "$PY" -c 'import os, stat, sys
os.mknod(sys.argv[1], int(sys.argv[2], 8), os.makedev(1, 3))' "$@"; }
assert_ok mknod "$P/made" 0100640
assert_eq "0 $("$H" posix-stat held mode | sed 's/644/640/')" \
	"$("$H" posix-stat made size) $("$H" posix-stat made mode)" \
	"posix/: the witness sees an empty object, mode 640"
assert_fails_with "$EEXIST" mknod "$P/made" 0100640
assert_ok mknod "$MNT/sysv/0x000005e4" 0100600
assert_eq "$(getconf PAGESIZE) 0600" "$("$H" sysv-stat 0x5e4 size) $("$H" sysv-stat 0x5e4 mode)" \
	"sysv/: a segment of one page, as after touch"
assert_eq "$(getconf PAGESIZE)" "$(stat -c %s "$MNT/sysv/0x000005e4")" "stat through the mount agrees"
assert_fails_with "$EEXIST" mknod "$MNT/sysv/0x000005e4" 0100600
# No room for its page (this IPC namespace's shmall): mknod says so, as
# the create of a file that cannot be made does.
shmall=$(cat /proc/sys/kernel/shmall)
"$H" sysv-info shm_tot >/proc/sys/kernel/shmall
assert_fails_with "No space left on device" mknod "$MNT/sysv/0x000005e7" 0100600
assert_missing "$MNT/sysv/0x000005e7"
echo "$shmall" >/proc/sys/kernel/shmall
assert_ok mknod "$MNT/sysv/0x000005e7" 0100600
assert_eq "$(getconf PAGESIZE)" "$("$H" sysv-stat 0x5e7 size)" "and makes it once there is room"
assert_fails_with "$EPERM" mknod "$P/fifo" 0010644
assert_fails_with "$EPERM" mknod "$P/null" 0020644
assert_fails_with "$EPERM" mknod "$MNT/sysv/0x000005e5" 0010644
assert_fails_with "$EPERM" mknod "$MNT/sysv-id/999999" 0100644
assert_fails_with "$EPERM" mknod "$MNT/file" 0100644
assert_missing /dev/shm/fifo
assert_missing /dev/shm/null
# As another user: the object is theirs, as their create would make it.
assert_ok setpriv --reuid=65534 --regid=65534 --clear-groups "$PY" -c \
	'import os, stat, sys; os.mknod(sys.argv[1], stat.S_IFREG | 0o600)' "$P/theirs"
assert_eq "65534 65534" "$("$H" posix-stat theirs uid) $("$H" posix-stat theirs gid)" \
	"a user's mknod makes an object of theirs"

section "set-id and sticky bits, mode 0 and the umask: as in tmpfs"
# modes MODE UMASK PATH: mknod PATH, then create PATH.c; both modes
# shellcheck disable=SC2016 # python's
modes=(-c 'import os, sys
os.umask(int(sys.argv[2], 8))
m = int(sys.argv[1], 8)
os.mknod(sys.argv[3], 0o100000 | m)
os.close(os.open(sys.argv[3] + ".c", os.O_WRONLY | os.O_CREAT | os.O_EXCL, m))
print(oct(os.stat(sys.argv[3]).st_mode), oct(os.stat(sys.argv[3] + ".c").st_mode))')
for uid in 0 1001; do
	for m in 4755 2755 1755 7777 6770 0; do
		for um in 022 077; do
			n=m$m-$um-$uid
			assert_eq "$(as "$uid" "$PY" "${modes[@]}" "$m" "$um" "$TWIN/$n")" \
				"$(as "$uid" "$PY" "${modes[@]}" "$m" "$um" "$P/$n")" "uid $uid: mknod and create, mode $m, umask $um"
		done
	done
done

stop_shmfs_cleanly
umount "$TWIN" "$TMP/out-mnt" "$TMP/out-twin"
