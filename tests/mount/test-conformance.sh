#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# posix/ is /dev/shm: the same calls (tests/mount/conform.py: open,
# truncate, ftruncate, unlink, chmod, chown, rename, utimensat, fallocate,
# lseek), made as root, as other users and as root without capabilities,
# give the same results through the mount as in a tmpfs directory of
# their own, errno by errno, and leave the same attributes.  A difference
# passes only if it is one of those shmfs(1) lists (TMPFS DIFFERENCES).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PY=/usr/bin/python3
if [[ ! -x $PY ]]; then
	[[ ${CI:-} == true ]] && { echo "$TEST_NAME: FAIL: $PY is missing" >&2; exit 1; }
	echo "$TEST_NAME: SKIP: $PY is missing"
	exit 77
fi
# Where every user can read it.
cp "$(dirname "${BASH_SOURCE[0]}")/conform.py" "$TMP/conform.py"
REF=$TMP/ref
mkdir "$REF"
mount -t tmpfs -o mode=1777,size=512m conform-ref "$REF" || exit 1
start_shmfs -o allow_other
P=$MNT/posix

# run PHASE CMD...: the phase in both directories, as CMD runs it.
run() {
	local phase=$1
	shift
	"$@" "$PY" "$TMP/conform.py" "$phase" "$P" >"$TMP/$phase.mount" 2>&1
	"$@" "$PY" "$TMP/conform.py" "$phase" "$REF" >"$TMP/$phase.tmpfs" 2>&1
}

# The differences shmfs(1) names, as "PHASE: LABEL: through the mount"
# and "PHASE: LABEL: in tmpfs" (each the whole line).
allowed=$(cat <<'ALLOWED'
# RENAME_WHITEOUT: EINVAL (a whiteout is a device file, which posix/ cannot show)
user1: mount: rename whiteout: EINVAL | wh1 0644 1001:1001 size 3 blocks 8 links 1 | wh2 absent | . 1777 0:0
user1: tmpfs: rename whiteout: ok | wh1 0000 1001:1001 size 0 blocks 0 links 1 mtime,ctime | wh2 0644 1001:1001 size 3 blocks 8 links 1 new | . 1777 0:0 mtime,ctime
root: mount: rename whiteout: EINVAL | wh3 0644 0:0 size 4 blocks 8 links 1 | wh4 absent | . 1777 0:0
root: tmpfs: rename whiteout: ok | wh3 0000 0:0 size 0 blocks 0 links 1 mtime,ctime | wh4 0644 0:0 size 4 blocks 8 links 1 new | . 1777 0:0 mtime,ctime
# uid 0 keeps root's rights (SECURITY)
nocaps: mount: open u1g r: ok | u1g 2660 1001:2000 size 3 blocks 8 links 1 | . 1777 0:0
nocaps: tmpfs: open u1g r: EACCES | u1g 2660 1001:2000 size 3 blocks 8 links 1 | . 1777 0:0
nocaps: mount: chmod u1x: ok | u1x 0600 1001:3000 size 3 blocks 8 links 1 ctime | . 1777 0:0
nocaps: tmpfs: chmod u1x: EPERM | u1x 0644 1001:3000 size 3 blocks 8 links 1 | . 1777 0:0
# posix/ holds objects only
root: mount: mkdir: EPERM | sub absent | . 1777 0:0
root: tmpfs: mkdir: ok | sub 0755 0:0 size 40 blocks 0 links 2 new | . 1777 0:0 mtime,ctime
root: mount: symlink: EPERM | sl absent | . 1777 0:0
root: tmpfs: symlink: ok | sl 0777 0:0 size 4 blocks 0 links 1 new | . 1777 0:0 mtime,ctime
root: mount: link: EPERM | lk 0644 0:0 size 4 blocks 8 links 1 | lk2 absent | . 1777 0:0
root: tmpfs: link: ok | lk 0644 0:0 size 4 blocks 8 links 2 ctime | lk2 0644 0:0 size 4 blocks 8 links 2 new | . 1777 0:0 mtime,ctime
root: mount: mknod fifo: EPERM | fifo absent | . 1777 0:0
root: tmpfs: mknod fifo: ok | fifo 0644 0:0 size 0 blocks 0 links 1 new | . 1777 0:0 mtime,ctime
ALLOWED
)

# compare PHASE: every line alike, or an allowed difference.
compare() {
	local phase=$1 m t n=0 bad=0
	local -a ml tl
	mapfile -t ml <"$TMP/$phase.mount"
	mapfile -t tl <"$TMP/$phase.tmpfs"
	if ((${#ml[@]} != ${#tl[@]})); then
		fail "$phase: as many calls through the mount as in tmpfs" \
			"mount: ${#ml[@]} lines, tmpfs: ${#tl[@]}" \
			"$(diff "$TMP/$phase.mount" "$TMP/$phase.tmpfs" | head -n 20)"
		return
	fi
	for ((n = 0; n < ${#ml[@]}; n++)); do
		m=${ml[n]} t=${tl[n]}
		[[ $m == "$t" ]] && continue
		if grep -qxF -- "$phase: mount: $m" <<<"$allowed" &&
			grep -qxF -- "$phase: tmpfs: $t" <<<"$allowed"; then
			echo "   $phase: ${m%%:*}: a difference shmfs(1) lists"
			continue
		fi
		bad=$((bad + 1))
		fail "$phase: ${m%%:*}" "mount: $m" "tmpfs: $t"
	done
	((bad == 0)) && pass "$phase: ${#ml[@]} calls alike through the mount and in tmpfs"
}

AS1=(setpriv --reuid=1001 --regid=1001 --groups=1001,2000)
AS2=(setpriv --reuid=1002 --regid=1002 --clear-groups)
NOCAPS=(setpriv --inh-caps=-all --bounding-set=-all)

section "setup, as root"
run setup
compare setup
section "as user 1001 (groups 1001, 2000)"
run user1 "${AS1[@]}"
compare user1
section "as user 1002"
run user2 "${AS2[@]}"
compare user2
section "as root"
run root
compare root
section "as root without capabilities"
run nocaps "${NOCAPS[@]}"
compare nocaps
section "what is left"
run tidy
run listing
compare listing
assert_eq "$(cd /dev/shm && ls -A | sort)" "$(ls -A "$P" | sort)" "posix/ lists what /dev/shm holds"

[[ -n ${SHMFS_CONFORM_KEEP:-} ]] && cp "$TMP"/*.mount "$TMP"/*.tmpfs "$SHMFS_CONFORM_KEEP"/
stop_shmfs_cleanly
umount "$REF"
