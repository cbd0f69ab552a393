#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A file system exerciser against shmfs: random reads, writes, truncates and
# reopens, each checked against a model (shmstress fsx, an equivalent of
# fsx from xfstests/LTP, which Debian does not package), on a POSIX object
# and on a SysV segment with its fixed-size rules; then fio --verify.  The
# final contents are also checked through shm_open/shmat, not the mount.
# fsx runs on both data paths: the kernel's passthrough and the daemon's.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

S=${SHMSTRESS:?run through meson: SHMSTRESS is not set}
OPS=${SHMFS_FSX_OPS:-20000}

FSX=(timeout -k 5 120 "$S" fsx)
for MODE in passthrough off; do
	"$H" posix-create "fsxp-$MODE" 0
	K=$([[ $MODE == passthrough ]] && echo 0xf5 || echo 0xf6)
	"$H" sysv-create $K 100003 >/dev/null # not a whole number of pages
	"$H" sysv-fill $K 5
	SEG=$MNT/sysv/$(sysv_name $K)
	if [[ $MODE == passthrough ]]; then start_shmfs; else start_shmfs -o passthrough=off; fi

	section "$MODE: fsx on a POSIX object ($OPS operations)"
	out=$("${FSX[@]}" "$MNT/posix/fsxp-$MODE" -N "$OPS" -S 1 -l 300k -o 64k -m "$TMP/model-p" 2>&1) && rc=0 || rc=$?
	assert_eq 0 "$rc" "fsx: every operation matched the model ${out:0:3000}"
	assert_eq "$(cksum <"$TMP/model-p")" "$("$H" posix-sum "fsxp-$MODE")" "the object holds the model (via shm_open)"

	section "$MODE: fsx on a SysV segment ($OPS operations, fixed size)"
	out=$("${FSX[@]}" "$SEG" --sysv -N "$OPS" -S 2 -o 32k -m "$TMP/model-s" 2>&1) && rc=0 || rc=$?
	assert_eq 0 "$rc" "fsx --sysv: every operation matched the model ${out:0:3000}"
	assert_match 'closeopen [1-9][0-9]*; short writes [1-9][0-9]*, ENOSPC [1-9][0-9]*, EFBIG [1-9]' "$out" "the run did close/reopen and hit short writes, ENOSPC and EFBIG"
	assert_eq "$(cksum <"$TMP/model-s")" "$("$H" sysv-sum $K)" "the segment holds the model (via shmat)"
	assert_eq 100003 "$(sysv_field $K size)" "and kept its size"

	# The kernel serves copy_file_range (when the file system does not)
	# and sendfile through its page cache even for direct-I/O files; with
	# the segment's zero-filling truncates this found stale pages.
	section "$MODE: fsx with copy_file_range and sendfile ($OPS operations each)"
	out=$("${FSX[@]}" "$SEG" --sysv -N "$OPS" -S 7 -o 32k -r 10 -s 10 -m "$TMP/model-s" 2>&1) && rc=0 || rc=$?
	assert_eq 0 "$rc" "fsx --sysv -r -s: every operation matched the model ${out:0:3000}"
	assert_match 'copyrange [1-9][0-9]*, sendfile [1-9]' "$out" "the run copied ranges and read by sendfile"
	assert_eq "$(cksum <"$TMP/model-s")" "$("$H" sysv-sum $K)" "the segment holds the model (via shmat)"
	out=$("${FSX[@]}" "$MNT/posix/fsxp-$MODE" -N "$OPS" -S 8 -l 300k -o 64k -r 10 -s 10 -m "$TMP/model-p" 2>&1) && rc=0 || rc=$?
	assert_eq 0 "$rc" "fsx -r -s on a POSIX object: every operation matched the model ${out:0:3000}"
	assert_eq "$(cksum <"$TMP/model-p")" "$("$H" posix-sum "fsxp-$MODE")" "the object holds the model (via shm_open)"

	section "$MODE: a second seed on each, with small operations"
	assert_ok "${FSX[@]}" "$MNT/posix/fsxp-$MODE" -N $((OPS / 2)) -S 3 -l 20k -o 512
	assert_ok "${FSX[@]}" "$SEG" --sysv -N $((OPS / 2)) -S 4 -o 512
	[[ $MODE == passthrough ]] && stop_shmfs_cleanly
done

section "fio --verify"
if command -v fio >/dev/null; then
	fio_run() {
		fio --name=verify --filename="$1" --size=8M --bs=4k --rw=randwrite \
			--verify=crc32c --do_verify=1 --verify_fatal=1 --ioengine=psync \
			--fallocate=none --randrepeat=1 --verify_state_save=0 \
			--output="$TMP/fio.out" 2>&1
	}
	"$H" posix-create fio 0
	assert_true "fio randwrite+verify on a POSIX object" fio_run "$MNT/posix/fio"
	"$H" sysv-create 0xf10 8M >/dev/null
	assert_true "fio randwrite+verify on a SysV segment" fio_run "$MNT/sysv/0x00000f10"
	assert_eq 8388608 "$(sysv_field 0xf10 size)" "the segment kept its size"
	assert_no_match 'verify: bad|error=' "$(cat "$TMP/fio.out")" "fio reports no verify error"
else
	fail "fio is not installed (tests/run.sh installs it)"
fi

assert_true "the daemon is alive" daemon_alive
stop_shmfs_cleanly

section "-o kernel_cache: fsx on the segment, with copy_file_range and sendfile"
start_shmfs -o kernel_cache
for seed in 11 12 13; do
	out=$("${FSX[@]}" "$MNT/sysv/0x000000f6" --sysv -N $((OPS / 2)) -S $seed -o 32k -r 10 -s 10 2>&1) && rc=0 || rc=$?
	assert_eq 0 "$rc" "fsx --sysv, kernel_cache, seed $seed ${out:0:3000}"
done
stop_shmfs_cleanly
