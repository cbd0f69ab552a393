#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The data path (shmfs(1), DATA PATH): with FUSE passthrough the kernel
# serves open files from the shared memory itself, so no READ or WRITE
# reaches the daemon (but writes to SysV segments, whose size is fixed),
# contents stay live and mmap(MAP_SHARED) maps the segment's own pages.
# Everything runs twice: with passthrough, and with -o passthrough=off,
# where the daemon serves every request as it always did.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

EACCES="Permission denied"
USER1=(setpriv --reuid=1001 --regid=1001 --clear-groups)

# pread_fd FD OFFSET LEN: read through a descriptor this shell holds
pread_fd() {
	perl -e 'sysseek(STDIN, $ARGV[0], 0) // die "seek: $!\n";
		defined sysread(STDIN, my $b, $ARGV[1]) or die "read: $!\n"; print $b' "$2" "$3" <&"$1"
}
# syswrite_at FILE OFFSET TEXT: one write(2) at OFFSET; prints its result
syswrite_at() {
	perl -e 'open(my $f, "+<", $ARGV[0]) or die "open: $!\n"; sysseek($f, $ARGV[1], 0);
		my $n = syswrite($f, $ARGV[2]); print defined $n ? $n : "$!"' "$@"
}
# map_rw_of_ro FILE: mmap(PROT_WRITE, MAP_SHARED) of a read-only open
map_rw_of_ro() {
	python3 -c 'import mmap, os, sys
f = os.open(sys.argv[1], os.O_RDONLY)
try:
    mmap.mmap(f, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    print("mapped")
except OSError as e:
    print(os.strerror(e.errno))' "$1"
}
# requests OPCODE FILE: how many the daemon's -d log shows for FILE's inode
requests() {
	grep -c "opcode: $1 ([0-9]*), nodeid: $(stat -c %i "$2")," "$SHMFS_LOG"
}
free_blocks() { stat -f -c %f /dev/shm; }
no_seg() { ! "$H" sysv-list | grep -qx "$1"; }

section "is passthrough here?"
start_shmfs
line=$(grep -o "data path: .*" "$SHMFS_LOG")
if [[ $line != "data path: passthrough"* ]]; then
	[[ $line == *"kernel does not offer"* ]] && skip "$line"
	fail "a root daemon uses passthrough where the kernel offers it" "$line"
	exit 1
fi
pass "the mount log names the data path: $line"
stop_shmfs

section "options"
out=$("$SHMFS" -f -o kernel_cache,passthrough=on "$MNT" 2>&1) && rc=0 || rc=$?
assert_eq "1 1" "$rc $(wc -l <<<"$out")" "kernel_cache with passthrough=on: exit 1, one line"
assert_match "exclude each other" "$out" "and it says why"
out=$("$SHMFS" -f -o passthrough=maybe "$MNT" 2>&1) && rc=0 || rc=$?
assert_eq "1 shmfs: passthrough=maybe: must be auto, on or off" "$rc $out" "a bad passthrough= value"
start_shmfs -o kernel_cache
assert_match "data path: through the daemon \(no passthrough: off by -o kernel_cache" \
	"$(cat "$SHMFS_LOG")" "kernel_cache turns passthrough off, and says so"
stop_shmfs

# Each mode: its options, and what the daemon sees of reads and writes.
for MODE in passthrough off; do
	if [[ $MODE == passthrough ]]; then
		OPTS=(-d -o allow_other)
		NONE='^0$'
	else
		OPTS=(-d -o allow_other,passthrough=off)
		NONE='^[1-9][0-9]*$'
	fi
	K=$([[ $MODE == passthrough ]] && echo 0x10 || echo 0x20) # keys of this round
	P=$MNT/posix/pt-$MODE
	S=$MNT/sysv/$(sysv_name $((K + 1)))
	"$H" posix-create "pt-$MODE" 1M 0644 >/dev/null
	"$H" posix-fill "pt-$MODE" 1M 7
	"$H" sysv-create $((K + 1)) 1M 0644 >/dev/null
	"$H" sysv-fill $((K + 1)) 9
	start_shmfs "${OPTS[@]}"

	section "$MODE: the log names the data path"
	if [[ $MODE == passthrough ]]; then
		assert_match "data path: passthrough" "$(cat "$SHMFS_LOG")" "passthrough is named"
	else
		assert_match "data path: through the daemon \(no passthrough: off by -o passthrough=off\)" \
			"$(cat "$SHMFS_LOG")" "the daemon path is named, with why"
	fi

	section "$MODE: which requests reach the daemon"
	assert_eq "$("$H" posix-sum "pt-$MODE")" "$(cksum <"$P")" "POSIX: read whole, right bytes"
	assert_match "$NONE" "$(requests READ "$P")" "POSIX: READ requests"
	x0=$(requests GETXATTR "$P")
	dd if=/dev/zero of="$P" bs=64k count=16 conv=notrunc status=none
	assert_match "$NONE" "$(requests WRITE "$P")" "POSIX: WRITE requests"
	# Without FUSE_HANDLE_KILLPRIV_V2 each write the kernel does itself
	# first asks for security.capability (passthrough_abi.c); with it,
	# the first one only, after which the inode is known to have none.
	assert_match '^[01]$' "$(($(requests GETXATTR "$P") - x0))" \
		"POSIX: at most one GETXATTR for the 16 writes"
	assert_eq "$(head -c 1M /dev/zero | cksum)" "$("$H" posix-sum "pt-$MODE")" "POSIX: the writes are in the object"
	assert_eq "$("$H" sysv-sum $((K + 1)))" "$(cksum <"$S")" "SysV: read whole, right bytes"
	assert_match "$NONE" "$(requests READ "$S")" "SysV: READ requests"
	dd if=/dev/zero of="$S" bs=64k count=2 conv=notrunc status=none
	assert_match '^[1-9]' "$(requests WRITE "$S")" "SysV: writes always go through the daemon"
	assert_eq 4096 "$(python3 -c 'import os, sys
src = os.open(sys.argv[1], os.O_RDONLY)
out = os.open(sys.argv[2], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
off = 0
while off < 1 << 20:
    n = os.sendfile(out, src, off, (1 << 20) - off)
    if n <= 0:
        break
    off += n
r, w = os.pipe()
print(os.splice(src, w, 4096, offset_src=0))' "$P" "$TMP/copy")" "POSIX: splice from the file"
	assert_eq "$("$H" posix-sum "pt-$MODE" | cut -d' ' -f1)" "$(cksum <"$TMP/copy" | cut -d' ' -f1)" \
		"POSIX: sendfile from the file"
	cp "$S" "$TMP/seg.copy"
	assert_eq "$("$H" sysv-sum $((K + 1)) | cut -d' ' -f1)" "$(cksum <"$TMP/seg.copy" | cut -d' ' -f1)" \
		"SysV: cp (copy_file_range, else read)"
	assert_match "$NONE" "$(requests READ "$P")" "POSIX: no READ for them either"
	assert_match "$NONE" "$(requests READ "$S")" "SysV: no READ for it either"
	N=$MNT/posix/new-$MODE
	dd if=/dev/zero of="$N" bs=64k count=4 status=none
	assert_eq 262144 "$(posix_field "new-$MODE" size)" "a created object is written"
	assert_match "$NONE" "$(requests WRITE "$N")" "POSIX: WRITE requests to a file made by create"

	section "$MODE: contents are live"
	"$H" posix-write "pt-$MODE" 0 "first"
	"$H" sysv-write $((K + 1)) 0 "first"
	exec 3<"$P" 4<"$S"
	"$H" posix-write "pt-$MODE" 0 "POSIX2"
	"$H" sysv-write $((K + 1)) 0 "SYSV2"
	assert_eq POSIX2 "$(pread_fd 3 0 6)" "POSIX: the next read of an open file sees a shm_open store"
	assert_eq SYSV2 "$(pread_fd 4 0 5)" "SysV: the next read of an open file sees a shmat store"
	"$H" posix-truncate "pt-$MODE" 2M
	"$H" posix-write "pt-$MODE" 2000000 "grown"
	assert_eq grown "$(pread_fd 3 2000000 5)" "POSIX: grown by another process, read past the old end"
	"$H" posix-truncate "pt-$MODE" 1M
	assert_eq "" "$(pread_fd 3 2000000 5)" "POSIX: shrunk by another process, nothing there"
	if [[ $MODE == passthrough ]]; then
		for f in "$P" "$S"; do
			bg_helper "$TMP/map.out" map-hold "$f" --show 0 6 --until-file "$TMP/map.done" || continue
			pid=$BG_PID
			if [[ $f == "$P" ]]; then "$H" posix-write "pt-$MODE" 0 "store1"; else "$H" sysv-write $((K + 1)) 0 "store1"; fi
			touch "$TMP/map.done"
			wait "$pid"
			assert_eq store1 "$(sed -n 2p "$TMP/map.out")" "$(basename "$f"): a mapping through the mount sees another process's store"
			rm -f "$TMP/map.done"
			bg_helper "$TMP/map.out" map-hold "$f" --rw --store 100 "mapped" --until-file "$TMP/map.done" || continue
			pid=$BG_PID
			if [[ $f == "$P" ]]; then got=$("$H" posix-read "pt-$MODE" 100 6); else got=$("$H" sysv-read $((K + 1)) 100 6); fi
			assert_eq mapped "$got" "$(basename "$f"): a store into the mapping is in the memory at once (no msync)"
			touch "$TMP/map.done"
			wait "$pid"
			rm -f "$TMP/map.done"
		done
		# The signal itself, also where a sanitizer would catch it.
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_sigbus=0 \
			bg_helper "$TMP/map.out" map-hold "$P" --show 900000 1 --until-file "$TMP/map.done"
		pid=$BG_PID
		"$H" posix-truncate "pt-$MODE" 4096
		touch "$TMP/map.done"
		wait "$pid" && rc=0 || rc=$?
		assert_eq 135 "$rc" "POSIX: a mapper past the end after another process shrank it gets SIGBUS"
		rm -f "$TMP/map.done"
		assert_true "the daemon is untouched" daemon_alive
	else
		assert_fails_with "No such device" "$H" map-read "$P" 0 4
		assert_fails_with "No such device" "$H" map-read "$S" 0 4
	fi
	exec 3<&- 4<&-
	printf 'tail' >>"$P"
	assert_eq tail "$("$H" posix-read "pt-$MODE" "$(($(posix_field "pt-$MODE" size) - 4))" 4)" \
		"POSIX: O_APPEND writes at the end"
	printf 'X' | dd of="$P" bs=1 seek=3000000 conv=notrunc status=none
	assert_eq 3000001 "$(posix_field "pt-$MODE" size)" "POSIX: a write past the end grows it, as on tmpfs"

	section "$MODE: SysV writes keep the fixed size"
	"$H" sysv-create $((K + 2)) 8192 0644 >/dev/null
	W=$MNT/sysv/$(sysv_name $((K + 2)))
	exec 3<"$W" # with a read-only open of the same inode
	assert_eq 6 "$(syswrite_at "$W" 8186 0123456789)" "a write reaching past the end is short"
	assert_eq "No space left on device" "$(syswrite_at "$W" 8192 x)" "a write at the end is ENOSPC"
	assert_eq "012345" "$(pread_fd 3 8186 6)" "and the read-only open sees what was written"
	assert_eq 8192 "$(sysv_field $((K + 2)) size)" "shm_segsz unchanged"
	exec 5<>"$W"
	if [[ $MODE == passthrough ]]; then
		assert_true "a writable open maps the segment too" "$H" map-write "$W" 50 rw-map
		assert_eq rw-map "$("$H" sysv-read $((K + 2)) 50 6)" "and its store is in the segment"
	else
		assert_fails_with "No such device" "$H" map-write "$W" 50 rw-map
	fi
	exec 3<&- 5<&-
	assert_eq 8192 "$(sysv_field $((K + 2)) size)" "shm_segsz still unchanged"

	section "$MODE: who may do what"
	"$H" posix-create "priv-$MODE" 4096 0600 >/dev/null
	exec 3<"$MNT/posix/priv-$MODE" # root holds it open: its backing file exists
	assert_fails_with "$EACCES" "${USER1[@]}" cat "$MNT/posix/priv-$MODE"
	exec 3<&-
	assert_eq "$("$H" posix-read "pt-$MODE" 0 4)" "$("${USER1[@]}" head -c 4 "$P")" "another user reads a 0644 object"
	assert_fails_with "$EACCES" "${USER1[@]}" sh -c 'printf x >>"$1"' sh "$P"
	assert_eq "$EACCES" "$("${USER1[@]}" bash -c "$(declare -f map_rw_of_ro); map_rw_of_ro '$S'")" \
		"a read-only open cannot be mapped writable"
	exec 3<"$S"
	assert_eq "Bad file descriptor" "$(perl -e 'print syswrite(STDIN, "x") // "$!"' <&3)" \
		"a read-only open cannot write"
	exec 3<&-

	section "$MODE: removed while open; the last close lets go"
	"$H" sysv-create $((K + 3)) 64k 0644 >/dev/null
	"$H" sysv-write $((K + 3)) 0 "gone"
	id=$("$H" sysv-id $((K + 3)))
	exec 3<"$MNT/sysv/$(sysv_name $((K + 3)))"
	"$H" sysv-rm $((K + 3))
	assert_eq "1 1" "$(sysv_field "id:$id" dest) $(sysv_field "id:$id" nattch)" "removed, still attached once: by the open file"
	assert_exists "$MNT/sysv-id/$id"
	assert_eq gone "$(pread_fd 3 0 4)" "still read through the open file"
	exec 3<&-
	assert_true "the last close detaches it, and it is gone" wait_for 5 no_seg "$id"
	before=$(free_blocks)
	"$H" posix-create "big-$MODE" 0 0644 >/dev/null
	"$H" posix-fill "big-$MODE" 16M 3
	exec 3<>"$MNT/posix/big-$MODE"
	"$H" posix-rm "big-$MODE"
	assert_eq ok "$(printf ok | dd bs=2 seek=5 conv=notrunc status=none >&3 && pread_fd 3 10 2)" \
		"an unlinked object is still written and read through the open file"
	exec 3<&-
	assert_true "the last close frees its memory (backing file closed)" \
		wait_for 5 sh -c "[ \$(stat -f -c %f /dev/shm) -ge $before ]"
	assert_all_detached
	assert_true "the daemon is alive" daemon_alive
	stop_shmfs_cleanly

	section "$MODE: -o ro"
	start_shmfs "${OPTS[@]}" -o ro
	assert_fails_with "Read-only file system" sh -c 'printf x >>"$1"' sh "$P"
	assert_eq "$EACCES" "$(map_rw_of_ro "$P")" "-o ro: no writable mapping"
	assert_eq "$("$H" posix-read "pt-$MODE" 0 4)" "$(head -c 4 "$P")" "-o ro: reads work"
	stop_shmfs_cleanly
done
