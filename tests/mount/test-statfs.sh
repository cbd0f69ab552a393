#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# How full the limits are, and on which pages: statfs (df, stat -f) of the
# mount's directories and files against the kernel's own figures (the
# witness's IPC_INFO and SHM_INFO; statfs of /dev/shm), and
# user.shm.pagesize, st_blksize and hugetlb in user.shm.status against the
# page size the kernel shows in a holder's smaps.  SHM_HUGETLB segments
# are made with SHM_NORESERVE, which needs no huge page until one is
# touched: this part runs on machines without any (reads and writes of
# huge pages are test-hugepages.sh's).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PAGE=$(getconf PAGESIZE)
FIELDS='%S %b %f %a %c %d' # block size, blocks, free, available, inodes, free

statfs() { stat -f -c "$FIELDS" "$1"; }
# (after the holder map's window, 100 ms or twice a scan's time: so that
# an attach just made shows)
attr() { sleep 0.25; getfattr --absolute-names --only-values -n "user.shm.$1" "$2" 2>&1; }
# sysv_figures: what statfs of the SysV directories must show, from the
# witness: shmall pages, shm_tot of them used; shmmni ids, used_ids used.
sysv_figures() {
	local all tot mni used
	all=$("$H" sysv-info shmall)
	tot=$("$H" sysv-info shm_tot)
	mni=$("$H" sysv-info shmmni)
	used=$("$H" sysv-info used_ids)
	echo "$PAGE $all $((all - tot)) $((all - tot)) $mni $((mni - used))"
}
# smaps_pagesize PID: KernelPageSize of PID's SysV mapping, in bytes
smaps_pagesize() {
	awk '/ \/SYSV[0-9a-f]+ \(deleted\)$/ { m = 1; next } m && /^KernelPageSize:/ { print $2 * 1024; exit }' \
		"/proc/$1/smaps"
}

# This IPC namespace's own limits: small enough to read in bash.
sysctl -q -w kernel.shmall=100000 kernel.shmmni=1000 || fail "cannot set this namespace's shmall and shmmni"
"$H" sysv-create 0x200 4096 >/dev/null
"$H" sysv-create 0x201 10000 >/dev/null
"$H" sysv-create 0x202 1M >/dev/null
"$H" posix-create obj 4096
start_shmfs

section "sysv/, sysv-id/, the root and SysV files: the SysV limits"
want=$(sysv_figures)
assert_eq "$PAGE 100000 99740 99740 1000 997" "$want" \
	"the witness: 1 + 3 + 256 pages of 100000 used, 3 of 1000 segments"
for p in "$MNT" "$MNT/sysv" "$MNT/sysv-id" "$MNT/sysv/0x00000200" "$MNT/sysv-id/$("$H" sysv-id 0x201)"; do
	assert_eq "$want" "$(statfs "$p")" "stat -f ${p#"$MNT"}/"
done
assert_true "a new segment through the mount" truncate -s 20000 "$MNT/sysv/0x00000203"
assert_eq "$PAGE 100000 99735 99735 1000 996" "$(sysv_figures)" "the witness: 5 pages and a segment more"
assert_eq "$(sysv_figures)" "$(statfs "$MNT/sysv")" "stat -f sysv/ follows"
assert_eq "100000 265 99735" "$(df --output=size,used,avail -B"$PAGE" "$MNT" | awk 'NR == 2 { print $1, $2, $3 }')" \
	"df of the mount: 265 of 100000 pages used"
# The default shmall is pages beyond what 64 bits of bytes hold.
sysctl -q -w kernel.shmall=18446744073692774399
shift_bits=0
while ((1 << shift_bits < PAGE)); do shift_bits=$((shift_bits + 1)); done
assert_eq "$(((1 << (64 - shift_bits)) - 1))" "$(stat -f -c %b "$MNT/sysv")" \
	"the default shmall: as many pages as 2^64 bytes, less one"
sysctl -q -w kernel.shmall=100000

section "posix/ and POSIX files: the POSIX directory's own file system"
assert_eq "$(statfs /dev/shm)" "$(statfs "$MNT/posix")" "stat -f posix/ is stat -f /dev/shm"
assert_eq "$(statfs /dev/shm)" "$(statfs "$MNT/posix/obj")" "and so is stat -f of a file in it"
"$H" posix-fill obj 3M 7
assert_eq "$(df --output=size,used,avail,pcent /dev/shm | tail -n 1)" \
	"$(df --output=size,used,avail,pcent "$MNT/posix" | tail -n 1)" "df posix/ reads like df /dev/shm"
assert_eq "$(df -h --output=size,used /dev/shm | tail -n 1)" \
	"$(df -h --output=size,used "$MNT/posix" | tail -n 1)" "also with -h"

section "page sizes: pagesize, st_blksize, hugetlb"
assert_eq "" "$(attr pagesize "$MNT/sysv/0x00000200")" "SysV, mapped by nobody: no mapping tells"
bg_helper "$TMP/h" sysv-hold 0x200 60 || exit 1
h=$BG_PID
assert_eq "$PAGE" "$(smaps_pagesize $h)" "the witness: the holder's mapping has pages of $PAGE"
assert_eq "$PAGE" "$(attr pagesize "$MNT/sysv/0x00000200")" "SysV, attached: $PAGE"
assert_eq "" "$(attr status "$MNT/sysv/0x00000200")" "status: nothing to say"
assert_eq "$PAGE" "$(stat -c %o "$MNT/sysv/0x00000200")" "st_blksize $PAGE"
kill $h && wait $h 2>/dev/null
assert_eq "$PAGE" "$(attr pagesize "$MNT/posix/obj")" "POSIX on tmpfs: $PAGE"
assert_eq "$PAGE" "$(stat -c %o "$MNT/posix/obj")" "its st_blksize"

HUGE=$(awk '/^Hugepagesize:/ { print $2 * 1024 }' /proc/meminfo)
if [[ -z $HUGE ]] || ! id=$("$H" sysv-create-huge 0x210 "$HUGE" --noreserve 2>"$TMP/err"); then
	echo "note: this kernel makes no SHM_HUGETLB segment ($(cat "$TMP/err" 2>/dev/null)): huge-page checks left out"
else
	bg_helper "$TMP/hh" sysv-hold 0x210 60 || exit 1
	hh=$BG_PID
	assert_eq "$HUGE" "$(smaps_pagesize $hh)" "the witness: the holder's mapping has huge pages of $HUGE"
	assert_eq "$HUGE" "$(attr pagesize "$MNT/sysv/0x00000210")" "SHM_HUGETLB, attached: $HUGE"
	assert_eq hugetlb "$(attr status "$MNT/sysv/0x00000210")" "status hugetlb"
	assert_eq mode=0644 "$(ipcs -m -i "$id" | awk '/^mode=/ { print $1 }')" \
		"the kernel's record says nothing of it: no SHM_HUGETLB (04000) in its mode"
	"$H" sysv-rm 0x210
	assert_eq dest,hugetlb "$(attr status "$MNT/sysv-id/$id")" "removed while attached: dest,hugetlb"
	# No huge page backs it: a read fails cleanly, and the daemon lives.
	if [[ $(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo) == 0 ]]; then
		assert_fails_with "Input/output error" cat "$MNT/sysv-id/$id"
		assert_true "the daemon survives" daemon_alive
	fi
	kill $hh && wait $hh 2>/dev/null
fi

mkdir "$TMP/huge"
if ! mount -t hugetlbfs -o mode=1777 shmfs-test-huge "$TMP/huge" 2>"$TMP/err"; then
	echo "note: no hugetlbfs here ($(cat "$TMP/err")): POSIX on huge pages left out"
else
	truncate -s "$(stat -f -c %S "$TMP/huge")" "$TMP/huge/big"
	stop_shmfs
	start_shmfs -o posix_dir="$TMP/huge"
	hp=$(stat -f -c %S "$TMP/huge")
	assert_eq "$hp" "$(attr pagesize "$MNT/posix/big")" "POSIX on hugetlbfs: $hp"
	assert_eq "$hp" "$(stat -c %o "$MNT/posix/big")" "its st_blksize"
	assert_eq "$(statfs "$TMP/huge")" "$(statfs "$MNT/posix")" "stat -f posix/ is the hugetlbfs's"
	stop_shmfs_cleanly
	rm "$TMP/huge/big"
	umount "$TMP/huge"
fi
rmdir "$TMP/huge"
