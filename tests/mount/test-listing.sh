#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A listing never hands the kernel old attributes.  READDIRPLUS gives the
# kernel names and attributes together, and the kernel keeps them for the
# cache timeout; it protects itself only against replies to requests sent
# before a change it saw (its attr_version), so attributes read at
# opendir and handed out at a later readdir would be taken as current.
# Each check opens the directory, changes a file through the mount, then
# reads the directory and stats the file: it must show the change.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

start_shmfs

# open_change_list DIR FILE CMD...: opendir DIR, run CMD, read DIR (the
# first readdir is a READDIRPLUS), then print FILE's mode and size.
open_change_list() {
	python3 - "$@" <<'PY'
import os, subprocess, sys
d, f, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
it = os.scandir(d)          # OPENDIR: the daemon takes its listing here
subprocess.run(cmd, check=True)
for _ in it:                # READDIRPLUS
    pass
it.close()
st = os.stat(f)
print("%o %d" % (st.st_mode & 0o7777, st.st_size))
PY
}

section "SysV: chmod through the mount between opendir and readdir"
"$H" sysv-create 0x7301 4096 0600 >/dev/null
F=$MNT/sysv/$(sysv_name 0x7301)
stat "$F" >/dev/null
assert_eq "640 4096" "$(open_change_list "$MNT/sysv" "$F" chmod 640 "$F")" "sysv/: stat shows the new mode"
assert_eq 0640 "$(sysv_field 0x7301 mode)" "and so does IPC_STAT"
ID=$("$H" sysv-id 0x7301)
assert_eq "604 4096" "$(open_change_list "$MNT/sysv-id" "$MNT/sysv-id/$ID" chmod 604 "$MNT/sysv-id/$ID")" \
	"sysv-id/: stat shows the new mode"

section "POSIX: truncate and chmod through the mount between opendir and readdir"
"$H" posix-create list-t 65536
P=$MNT/posix/list-t
stat "$P" >/dev/null
assert_eq "644 100" "$(open_change_list "$MNT/posix" "$P" truncate -s 100 "$P")" "posix/: stat shows the new size"
assert_eq "600 100" "$(open_change_list "$MNT/posix" "$P" chmod 600 "$P")" "posix/: stat shows the new mode"

# The watcher may pass the change on before the readdir (inotify), which
# hid the defect some of the time: many rounds, each must be right.
section "POSIX: 1000 rounds of open, truncate, read, stat, with both CPUs busy"
# Busy CPUs delay the watcher, as under the soak's load.
for _ in 1 2; do
	timeout 60 sh -c 'while :; do :; done' &
	BG_PIDS+=("$!")
done
bad=$(python3 - "$MNT/posix" "$P" <<'PY'
import os, sys
d, f = sys.argv[1], sys.argv[2]
bad = 0
for i in range(1000):
    size = 1000 + i
    it = os.scandir(d)
    os.truncate(f, size)
    for _ in it:
        pass
    it.close()
    if os.stat(f).st_size != size:
        bad += 1
print(bad)
PY
)
for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
BG_PIDS=()
assert_eq 0 "$bad" "no round showed an old size"
assert_eq 1999 "$(posix_field list-t size)" "the object's size, seen by shm_open"

section "a name removed through the mount is not brought back by a listing"
"$H" posix-create list-gone 10
stat "$MNT/posix/list-gone" >/dev/null
out=$(python3 - "$MNT/posix" <<'PY'
import os, sys
d = sys.argv[1]
it = os.scandir(d)
os.unlink(os.path.join(d, "list-gone"))
names = [e.name for e in it]
it.close()
print(os.path.exists(os.path.join(d, "list-gone")))
PY
)
assert_eq False "$out" "stat after the listing: gone"
assert_eq "" "$(ls /dev/shm | grep -x list-gone)" "and gone from /dev/shm"

stop_shmfs_cleanly
