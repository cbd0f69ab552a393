#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Kill-priv never undoes the owner's chmod (docs/reliability.md, "A
# hostile user"): before a write the kernel does itself (passthrough, or
# -o kernel_cache) it asks the daemon to clear the set-id bits
# (src/fuse/fs_killpriv.c); an owner's chmod meanwhile (to 0600, to take
# access away) must stand.  Each round: the owner (1001) sets a set-id mode
# through the mount, user 1002 writes a byte through a descriptor it
# opened before, and the owner sets 0600 at once, through the mount or
# directly on /dev/shm, a few microseconds later; at the end the mode
# must be 0600.  The write may fail with EPERM (the kernel still held
# the old mode), never undo the chmod.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=2000

# race MOUNT-PATH SHM-PATH HOW HIGH-MODE: ROUNDS rounds, the owner's 0600
# through MOUNT-PATH (HOW mount) or SHM-PATH (HOW direct); prints the
# rounds, how many ended with another mode, those modes, and the
# writes that failed by errno.
race() {
	python3 - "$@" "$ROUNDS" <<'PY'
import errno, os, random, sys, time
mnt, shm, how, high, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4], 8), int(sys.argv[5])
os.chmod(shm, high)
go_r, go_w = os.pipe()
done_r, done_w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(go_w)
    os.close(done_r)
    os.setgroups([])
    os.setresgid(1002, 1002, 1002)
    os.setresuid(1002, 1002, 1002)
    fd = os.open(mnt, os.O_WRONLY)
    os.write(done_w, b"r")
    while os.read(go_r, 1) == b"g":
        try:
            os.pwrite(fd, b"x", 0)
            os.write(done_w, b"\0")
        except OSError as e:
            os.write(done_w, bytes([e.errno]))
    os._exit(0)
os.close(go_r)
os.close(done_w)
os.setgroups([])
os.setresgid(1001, 1001, 1001)
os.setresuid(1001, 1001, 1001)
if os.read(done_r, 1) != b"r":
    sys.exit("the writer did not start")
target = shm if how == "direct" else mnt
undone, modes, fails = 0, {}, {}
for i in range(rounds):
    os.chmod(mnt, high)
    os.write(go_w, b"g")
    # at some point of the write's round trips to the daemon
    end = time.perf_counter() + random.uniform(0, 300e-6)
    while time.perf_counter() < end:
        pass
    os.chmod(target, 0o600)
    r = os.read(done_r, 1)
    if r == b"":
        sys.exit("the writer is gone")
    if r != b"\0":
        name = errno.errorcode.get(r[0], str(r[0]))
        fails[name] = fails.get(name, 0) + 1
    mode = os.stat(shm).st_mode & 0o7777
    if mode != 0o600:
        undone += 1
        modes["0%o" % mode] = modes.get("0%o" % mode, 0) + 1
os.write(go_w, b"q")
os.waitpid(pid, 0)
print(rounds, undone, " ".join("%s=%d" % kv for kv in sorted(modes.items())) or "-",
      " ".join("%s=%d" % kv for kv in sorted(fails.items())) or "-")
PY
}

chmod 1777 /dev/shm
# rounds OPTIONS HIGH-MODE: both ways of the owner's chmod, on one mount.
rounds() {
	local opts=$1 high=$2 how out n undone modes fails
	section "-o $opts, set-id mode $high"
	start_shmfs -o "$opts"
	"$H" posix-create kp 16 0666 >/dev/null
	chown 1001:1001 /dev/shm/kp
	for how in mount direct; do
		out=$(race "$MNT/posix/kp" /dev/shm/kp "$how" "$high")
		read -r n undone modes fails <<<"$out"
		echo "owner's chmod $how: $n rounds, $undone undone ($modes), failed writes: $fails"
		assert_eq "$ROUNDS 0" "$n $undone" \
			"$ROUNDS rounds of a write by 1002 and the owner's chmod to 0600 ($how): the chmod stands"
	done
	"$H" posix-rm kp
	stop_shmfs_cleanly
}

rounds allow_other 4666
rounds allow_other,kernel_cache 6676
