#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line: --help, --version, bad mount points, the SOURCE form,
# daemon mode, -d, -s, -o ro, and a clean exit after fusermount3 -u.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# run CMD...: sets OUT, ERR, RC (never hangs for more than 10 s)
run() {
	timeout 10 "$@" >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
}
lines() { [[ -z $1 ]] && echo 0 || wc -l <<<"$1"; }

section "--help and --version"
for opt in --help -h; do
	run "$SHMFS" "$opt"
	all="$OUT$ERR"
	assert_eq 0 "$RC" "shmfs $opt exits 0"
	assert_match "[Uu]sage:.*shmfs" "$all" "shmfs $opt shows a usage line"
	assert_match "[Mm][Oo][Uu][Nn][Tt][Pp][Oo][Ii][Nn][Tt]" "$all" "shmfs $opt mentions MOUNTPOINT"
	for o in -f -d -s -o -V; do
		assert_match "(^|[[:space:]])$o[[:space:],]" "$all" "shmfs $opt lists $o"
	done
	assert_match "allow_other|auto_unmount|max_idle_threads" "$all" "shmfs $opt lists libfuse's options"
	usage_at=$(grep -n -m1 -i 'usage' <<<"$all" | cut -d: -f1)
	fuse_at=$(grep -n -m1 -E 'allow_other|auto_unmount|max_idle_threads' <<<"$all" | cut -d: -f1)
	assert_true "shmfs $opt: own usage (line ${usage_at:-none}) before libfuse's (line ${fuse_at:-none})" \
		test "${usage_at:-999999}" -lt "${fuse_at:-0}"
done
for opt in --version -V; do
	run "$SHMFS" "$opt"
	assert_eq 0 "$RC" "shmfs $opt exits 0"
	assert_match "^shmfs version [0-9]+\.[0-9]+\.[0-9]+$" "$(head -n1 <<<"$OUT$ERR")" "shmfs $opt: first line"
	assert_match "[Ff][Uu][Ss][Ee][^0-9]*3\.[0-9]+" "$OUT$ERR" "shmfs $opt shows the libfuse version"
done

section "bad mount points"
touch "$TMP/file"
for args in "$TMP/missing" "-f $TMP/missing" "$TMP/file" "-f $TMP/file" "src $TMP/missing"; do
	# shellcheck disable=SC2086 # split on purpose
	run "$SHMFS" $args
	assert_eq 1 "$RC" "shmfs $args exits 1"
	assert_eq 1 "$(lines "$ERR")" "shmfs $args: one line on stderr"
	assert_match "$TMP/(missing|file)" "$ERR" "shmfs $args: the message names the path"
	assert_eq "" "$OUT" "shmfs $args: nothing on stdout"
done
for args in "--bogus $MNT" "-o bogusopt $MNT" "-f -o bogusopt $MNT" "a $MNT extra-arg"; do
	# shellcheck disable=SC2086
	run "$SHMFS" $args
	assert_ne 0 "$RC" "shmfs $args fails"
	assert_match "bogus|extra-arg" "$ERR" "shmfs $args names the culprit"
	assert_no_match "shmfs:.*shmfs:" "$(head -n1 <<<"$ERR")" "shmfs $args: a clean first line (no repeated prefix)"
	assert_true "shmfs $args: nothing mounted" eval '! is_mounted'
done
run "$SHMFS"
assert_ne 0 "$RC" "shmfs without a mount point fails"
assert_ne "" "$ERR" "shmfs without a mount point says why"
assert_eq "" "$(grep -E ' (/tmp|'"${TMPDIR:-/tmp}"')/shmfs-' /proc/self/mountinfo)" "no mount was left by the failures"

section "shmfs SOURCE MOUNTPOINT, clean exit"
"$H" sysv-create 0x77 4096 >/dev/null
start_shmfs shm
assert_eq "0x00000077" "$(ls "$MNT/sysv")" "SOURCE form mounts"
stop_shmfs && rc=0 || rc=$?
assert_eq 0 "$rc" "daemon exits 0 after fusermount3 -u"
assert_true "no longer mounted" eval '! is_mounted'

section "daemon mode"
run "$SHMFS" "$MNT"
assert_eq 0 "$RC" "shmfs MNT (daemonizing) returns 0"
assert_true "mounted by the daemon" wait_for 5 ls "$MNT/sysv/0x00000077"
dpid=
for p in /proc/[0-9]*; do
	[[ $(readlink "$p/exe" 2>/dev/null) == "$(readlink -f "$SHMFS")" ]] || continue
	if tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "$MNT"; then dpid=${p#/proc/}; break; fi
done
assert_match "^[0-9]+$" "$dpid" "the daemon process is found"
[[ -n $dpid ]] && BG_PIDS+=("$dpid")
assert_ok fusermount3 -u "$MNT"
assert_true "daemon exits after fusermount3 -u" wait_for 5 eval "! kill -0 $dpid"

section "-d logs operations, stays in the foreground"
"$SHMFS" -d "$MNT" >"$SHMFS_LOG" 2>&1 &
SHMFS_PID=$!
assert_true "shmfs -d mounts" wait_for 5 ls "$MNT/sysv/0x00000077"
cat "$MNT/sysv/0x00000077" >/dev/null
ls "$MNT/sysv" >/dev/null
assert_true "shmfs -d stays in the foreground" daemon_alive
log=$(cat "$SHMFS_LOG")
assert_match "LOOKUP|[Ll]ookup" "$log" "-d log shows lookups"
assert_match "READDIR|[Rr]eaddir|OPENDIR|[Oo]pendir" "$log" "-d log shows directory reads"
assert_match "READ|[Rr]ead" "$log" "-d log shows reads"
stop_shmfs && rc=0 || rc=$?
assert_eq 0 "$rc" "shmfs -d exits 0 after unmount"

section "-s and -o ro"
start_shmfs -s
assert_true "-s: reads work" sh -c 'echo single > "$1"' sh "$MNT/sysv/0x00000077"
assert_eq single "$("$H" sysv-read 0x77 0 6)" "-s: writes work"
stop_shmfs
start_shmfs -o ro
assert_eq single "$(head -c 6 "$MNT/sysv/0x00000077")" "-o ro: reads work"
assert_fails_with "Read-only file system" sh -c 'echo x > "$1"' sh "$MNT/sysv/0x00000077"
assert_fails_with "Read-only file system" touch "$MNT/posix/new"
assert_eq single "$("$H" sysv-read 0x77 0 6)" "-o ro: segment unchanged"
stop_shmfs && rc=0 || rc=$?
assert_eq 0 "$rc" "-o ro daemon exits 0"
