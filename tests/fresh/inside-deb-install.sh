#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run by test-deb.sh inside a fresh root, as root, with the packages in
# /root/src:
#   inside-deb-install.sh COMMANDS
# Run the README's COMMANDS (apt install ../shmfs_*.deb, mount) in
# /root/src/shmfs, use the mount, then remove and purge the package.
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"
export DEBIAN_FRONTEND=noninteractive
M=/run/shmfs
KEY=0x00000bad

# man-db first, for `man shmfs`: a minimal root has no man.
check "apt-get installs man-db" quiet bash -c 'apt-get update && apt-get install -y --no-install-recommends man-db'
cd /root/src/shmfs || exit 1
run_readme_lines root "$1"
check_eq /usr/bin/shmfs "$(command -v shmfs)" "shmfs is on PATH"
check_match '^shmfs version [0-9]' "$(shmfs --version 2>&1 | head -n 1)" "shmfs --version"
check_match 'shmfs - shared memory as a file system' "$(man -P cat shmfs 2>/dev/null)" "man shmfs shows the manual"
units=$(dpkg -L shmfs | grep -E '/systemd/system/run-shmfs\.(auto)?mount$')
check_eq 2 "$(wc -l <<<"$units")" "the units are installed: $(tr '\n' ' ' <<<"$units")"
check_eq "" "$(find /etc/systemd -name 'run-shmfs*' 2>/dev/null)" "and not enabled"
check "the fstab example is installed" test -s /usr/share/doc/shmfs/examples/shmfs.fstab

check_eq fuse.shmfs "$(findmnt -n -o FSTYPE "$M")" "shmfs is mounted"
check_match '(^|,)allow_other(,|$)' "$(findmnt -n -o OPTIONS "$M")" "with allow_other"
daemons() { grep -lx shmfs /proc/[0-9]*/comm 2>/dev/null | sed 's|/comm$||'; }
d=$(daemons)
check_eq /usr/bin/shmfs "$(readlink "${d%%$'\n'*}/exe")" "the daemon is the installed shmfs"
check "a SysV segment created with echo" sh -c "echo packaged > $M/sysv/$KEY"
check_eq 9 "$(ipcs -m | awk -v k="$KEY" '$1 == k { print $5 }')" "ipcs -m shows it, 9 bytes"
check "and rm removes it" rm "$M/sysv/$KEY"

dpkg -L shmfs >/tmp/files
# Removed while a file of the mount is open (the mount busy): the removal
# succeeds, the mount is detached, the open file still reads, and the
# daemon ends at its close.
check "a POSIX object created with echo" sh -c "echo held > $M/posix/held"
exec 7<"$M/posix/held"
echo "# \$ apt-get remove shmfs   # while mounted, a file open in it"
check "apt-get remove removes it" quiet apt-get remove -y shmfs
check_eq "" "$(findmnt -n -t fuse.shmfs)" "nothing is mounted from it"
check_eq held "$(cat <&7)" "the file open in it still reads"
exec 7<&-
for _ in $(seq 50); do [ -z "$(daemons)" ] && break; sleep 0.1; done
check_eq "" "$(daemons)" "no shmfs daemon runs after the removal and that close"
check_eq held "$(cat /dev/shm/held)" "the object is untouched"
rm -f /dev/shm/held
check "apt-get purge purges it" quiet apt-get purge -y shmfs
check_eq "" "$(dpkg-query -W -f='${db:Status-Abbrev}' shmfs 2>/dev/null | grep -v '^un')" "dpkg knows it no more"
left=$(while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done </tmp/files)
check_eq "" "$left" "no file of the package is left"
check_eq "" "$(find /etc /var/lib/systemd -name '*shmfs*' 2>/dev/null)" "nothing named shmfs left in /etc or systemd's state"
fresh_done
