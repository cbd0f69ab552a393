#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run by test-newcomer.sh inside a fresh root, as root, in /root/shmfs
# (a copy of the checkout):
#   inside-newcomer.sh COMMAND   (the README's first command, without sudo)
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
cd /root/shmfs || exit 1
M=/run/shmfs
KEY=0x000004d2

echo "# \$ $1"
t0=$SECONDS
out=$(bash -c "$1" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | sed 's/^/# | /'
echo "# time: $1: $((SECONDS - t0)) s"
check_eq 0 "$rc" "'$1' succeeds on a fresh root"
check_match "shmfs is mounted on $M" "$out" "it says where it mounted"
check_eq fuse.shmfs "$(findmnt -n -o FSTYPE "$M")" "shmfs is mounted on $M"
check_match '(^|,)allow_other(,|$)' "$(findmnt -n -o OPTIONS "$M")" "with allow_other"
check "the daemon was built without cmocka" bash -c \
	'! dpkg-query -W -f="\${Status}" libcmocka-dev 2>/dev/null | grep -q "ok installed" && test -x build/src/shmfs && test ! -e build/tests'
check "the manual page was built" test -s build/docs/shmfs.1

# The README's session, as a user of her own (the mount has allow_other).
useradd -m newcomer || exit 1
as_newcomer() {
	setpriv --reuid=newcomer --regid=newcomer --init-groups \
		env -i PATH=/usr/bin:/bin HOME=/home/newcomer LC_ALL=C bash -c "$1"
}
check "newcomer creates a SysV segment with echo" as_newcomer "echo 'Hello, World!' > $M/sysv/$KEY"
check_eq "Hello, World!" "$(as_newcomer "cat $M/sysv/$KEY")" "cat reads it"
check_match "^-rw-r--r-- [0-9]+ newcomer newcomer 14 .* $KEY\$" "$(as_newcomer "ls -l $M/sysv" | grep "$KEY")" \
	"ls -l shows it as newcomer's, 14 bytes"
check_eq "newcomer 644 14" "$(ipcs -m | awk -v k="$KEY" '$1 == k { print $3, $4, $5 }')" \
	"ipcs -m shows the segment: owner newcomer, perms 644, 14 bytes"
check "echo hi writes into it" as_newcomer "echo hi > $M/sysv/$KEY"
check_eq "00000000: 6869 0a00 0000 0000 0000 0000 0000       hi............" \
	"$(as_newcomer "xxd $M/sysv/$KEY")" "xxd shows the rest zeroed"
check_eq "user.shm.key=$KEY" \
	"$(as_newcomer "getfattr --absolute-names --only-values -n user.shm.all $M/sysv/$KEY" | grep '^user.shm.key=')" \
	"getfattr -n user.shm.all shows its key"
check "newcomer creates a POSIX object" as_newcomer "echo 'Hello, POSIX' > $M/posix/demo"
check_eq "Hello, POSIX" "$(cat /dev/shm/demo)" "/dev/shm/demo holds it"
check_eq newcomer "$(stat -c %U /dev/shm/demo)" "and it is newcomer's"
check "df -h works on the mount" as_newcomer "df -h $M $M/posix >/dev/null"
check "rm removes both" as_newcomer "rm $M/sysv/$KEY $M/posix/demo"
check_eq "" "$(ipcs -m | awk -v k="$KEY" '$1 == k')" "ipcs -m no longer shows the segment"
check "/dev/shm/demo is gone" test ! -e /dev/shm/demo
daemons() { grep -lx shmfs /proc/[0-9]*/comm 2>/dev/null; }
# Run again after its daemon was killed: the dead mount (ENOTCONN) is
# detached and shmfs mounted again.
# shellcheck disable=SC2046 # one PID a word
kill -KILL $(daemons | sed 's|^/proc/||; s|/comm$||')
for _ in $(seq 50); do [ -z "$(daemons)" ] && break; sleep 0.1; done
echo "# \$ $1   # again, its daemon killed"
out=$(bash -c "$1" 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | head -n 3 | sed 's/^/# | /'
check_eq 0 "$rc" "run again after its daemon was killed, '$1' succeeds"
check_match "lost its daemon" "$out" "and says the mount had lost its daemon"
check "and the mount answers again" ls "$M/sysv"
check "fusermount3 -u unmounts" fusermount3 -u "$M"
for _ in $(seq 50); do [ -z "$(daemons)" ] && break; sleep 0.1; done
check_eq "" "$(daemons)" "the daemon exits"

# A failing step is named, with its output, and fails setup.sh.
echo "# \$ unshare --net ./mount/setup.sh --deps-only hello   # no network"
out=$(unshare --net ./mount/setup.sh --deps-only hello 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | grep -E '^setup.sh|^  \| [EW]: ' | head -n 6 | sed 's/^/# | /'
check "without network, setup.sh fails (exit $rc)" test "$rc" -ne 0
check_match "setup.sh: apt-get (update|install hello) failed" "$out" "and says apt-get failed"
check_match "Temporary failure resolving|Could not resolve|Failed to fetch" "$out" "with apt-get's reason"
echo "# \$ ./mount/setup.sh --deps-only shmfs-no-such-package"
out=$(./mount/setup.sh --deps-only shmfs-no-such-package 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | tail -n 4 | sed 's/^/# | /'
check "with an unknown package, setup.sh fails (exit $rc)" test "$rc" -ne 0
check_match "setup.sh: apt-get install shmfs-no-such-package failed" "$out" "and says apt-get install failed"
check_match "Unable to locate package shmfs-no-such-package" "$out" "with apt-get's own message"
cp -a /root/shmfs /root/broken && rm -rf /root/broken/build || exit 1
echo "error('broken on purpose')" >>/root/broken/meson.build
echo "# \$ ./mount/setup.sh   # in a copy whose meson.build fails"
out=$(/root/broken/mount/setup.sh /run/broken 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" | tail -n 4 | sed 's/^/# | /'
check "when meson setup fails, setup.sh fails (exit $rc)" test "$rc" -ne 0
check_match "setup.sh: meson setup build failed" "$out" "and says meson setup failed"
check_match "broken on purpose" "$out" "with meson's own message"
check "and mounts nothing" test -z "$(findmnt -n -t fuse.shmfs)"

# The README's own session, command by command with its output compared
# (tests/mount/test-readme.sh), in this root: with what the tests need
# (cmocka for the helper's build, man-db for `man`) added now.
echo "# \$ meson test -C build-tests mount-readme   # README.md, block by block"
t0=$SECONDS
out=$(./mount/setup.sh --deps-only libcmocka-dev man-db python3 2>&1 &&
	meson setup build-tests -Dtests=enabled 2>&1 && meson compile -C build-tests 2>&1 &&
	CI=true SHMFS_TEST_VERBOSE=1 meson test -C build-tests --print-errorlogs mount-readme 2>&1) &&
	rc=0 || rc=$?
check_eq 0 "$rc" "README.md's commands work here as it shows them (test-readme)"
printf '%s\n' "$out" | grep -E '^ *[0-9]+/[0-9]+ |^test-readme: ' | sed 's/^/# /'
# On failure, test-readme's own FAIL lines (the tail may not hold them).
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | grep -A 8 '^ *FAIL - ' | sed 's/^/    /'
[ "$rc" -eq 0 ] || printf '%s\n' "$out" | tail -n 40 | sed 's/^/    /'
echo "# time: test-readme: $((SECONDS - t0)) s"
fresh_done
