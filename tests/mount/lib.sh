# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Common code for the shmfs mount tests. Every test-*.sh does
#
#     source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# first thing. This file then
#  - checks that a mount is possible, else skips (exit 77) or, when CI=true
#    or SHMFS_REQUIRE_MOUNT=1, fails (exit 1);
#  - re-runs the test inside fresh IPC and mount namespaces with a private
#    tmpfs on /dev/shm, so that the test sees and touches no segment or
#    mount of the machine, and everything it made vanishes with it;
#  - provides start_shmfs/stop_shmfs, assertions and an EXIT trap that
#    unmounts, stops the daemon and helpers, removes the temporary directory
#    and prints "N passed, M failed".
#
# Environment: SHMFS (the daemon) and SHMHELPER (tests/helper/shmhelper),
# both set by meson; SHMFS_TEST_VERBOSE=1 prints each passing check too.

set -u

TEST_NAME=$(basename "$0" .sh)
_LIB_SELF=$(readlink -f "$0")

_lib_cannot_run() {
	if [[ ${CI:-} == true || ${SHMFS_REQUIRE_MOUNT:-} == 1 ]]; then
		echo "$TEST_NAME: FAIL: cannot run mount tests: $*" >&2
		exit 1
	fi
	echo "$TEST_NAME: SKIP: $*"
	exit 77
}

_lib_need_bin() {
	local var=$1 path=${!1:-}
	if [[ -z $path ]]; then
		echo "$TEST_NAME: FAIL: \$$var is not set (run through 'meson test')" >&2
		exit 1
	fi
	if [[ ! -x $path ]]; then
		echo "$TEST_NAME: FAIL: \$$var=$path is not executable" >&2
		exit 1
	fi
}

if [[ -z ${_SHMFS_TEST_IN_NS:-} ]]; then
	_lib_need_bin SHMFS
	_lib_need_bin SHMHELPER
	[[ $(id -u) == 0 ]] || _lib_cannot_run "not root (needed for private namespaces and mounts)"
	[[ -c /dev/fuse ]] || _lib_cannot_run "/dev/fuse is missing"
	command -v unshare >/dev/null || _lib_cannot_run "unshare(1) is not installed"
	command -v fusermount3 >/dev/null || _lib_cannot_run "fusermount3 is not installed"
	_err=$(unshare --ipc --mount --propagation private --fork true 2>&1) ||
		_lib_cannot_run "unshare --ipc --mount failed: ${_err:-no message}"
	export _SHMFS_TEST_IN_NS=1
	exec unshare --ipc --mount --propagation private --fork -- bash "$_LIB_SELF" "$@"
	echo "$TEST_NAME: FAIL: exec unshare failed" >&2
	exit 1
fi

# ---- Inside the private namespaces from here on. ----

umask 022
export LC_ALL=C
H=$SHMHELPER

mount -t tmpfs -o mode=1777,size=512m shmfs-test-shm /dev/shm ||
	_lib_cannot_run "cannot mount a private tmpfs on /dev/shm"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/shmfs-$TEST_NAME.XXXXXX") || exit 1
chmod 755 "$TMP" # tests also run commands as an unprivileged user
MNT=$TMP/mnt
mkdir "$MNT"
SHMFS_PID=
SHMFS_LOG=$TMP/shmfs.log
BG_PIDS=()
_PASSED=0
_FAILED=0

# ---- Output and assertions ----

_lib_show() { # quote a command line for messages
	local out="" a
	for a in "$@"; do
		if [[ $a =~ ^[A-Za-z0-9_./:=+,@%-]+$ ]]; then out+=" $a"; else out+=" $(printf '%q' "$a")"; fi
	done
	printf '%s' "${out# }"
}

pass() {
	_PASSED=$((_PASSED + 1))
	[[ ${SHMFS_TEST_VERBOSE:-} == 1 ]] && echo "ok - $*"
	return 0
}

fail() {
	local i line=?
	_FAILED=$((_FAILED + 1))
	# report the line of the test script, not of this file
	for ((i = 0; i < ${#BASH_LINENO[@]}; i++)); do
		if [[ ${BASH_SOURCE[i + 1]:-} != "${BASH_SOURCE[0]}" ]]; then
			line=${BASH_LINENO[i]}
			break
		fi
	done
	echo "FAIL - $1 (line $line)"
	shift
	local l
	for l in "$@"; do echo "       $l"; done
	return 1
}

section() { echo "== $*"; }

# skip REASON: what the test needs is not on this machine (exit 77); with
# CI=true or SHMFS_REQUIRE_MOUNT=1, where it must be, that fails the test.
_LIB_SKIPPED=
skip() {
	if [[ ${CI:-} == true || ${SHMFS_REQUIRE_MOUNT:-} == 1 ]]; then
		fail "cannot run here: $*"
		exit 1
	fi
	echo "$TEST_NAME: SKIP: $*"
	_LIB_SKIPPED=1
	exit 77
}

# assert_eq EXPECTED ACTUAL DESCRIPTION
assert_eq() {
	if [[ $1 == "$2" ]]; then pass "$3"; else
		fail "$3" "expected: $(printf '%q' "$1")" "     got: $(printf '%q' "$2")"
	fi
}

assert_ne() {
	if [[ $1 != "$2" ]]; then pass "$3"; else
		fail "$3" "expected anything but: $(printf '%q' "$1")"
	fi
}

# assert_match EXTENDED-REGEX ACTUAL DESCRIPTION
assert_match() {
	if [[ $2 =~ $1 ]]; then pass "$3"; else
		fail "$3" "expected to match: $1" "              got: $(printf '%q' "$2")"
	fi
}

assert_no_match() {
	if [[ ! $2 =~ $1 ]]; then pass "$3"; else
		fail "$3" "expected not to match: $1" "                  got: $(printf '%q' "$2")"
	fi
}

# assert_has_line LINE TEXT DESCRIPTION / assert_lacks_line
assert_has_line() {
	if grep -qxF -- "$1" <<<"$2"; then pass "$3"; else
		fail "$3" "expected a line: $1" "in: $(printf '%q' "$2")"
	fi
}
assert_lacks_line() {
	if ! grep -qxF -- "$1" <<<"$2"; then pass "$3"; else
		fail "$3" "expected no line: $1" "in: $(printf '%q' "$2")"
	fi
}

# assert_true DESCRIPTION CMD... : CMD must succeed.
assert_true() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if ((rc == 0)); then pass "$desc"; else
		fail "$desc" "command: $(_lib_show "$@")" "expected: success" "     got: exit $rc: ${out:0:400}"
	fi
}

# assert_ok CMD... : CMD must succeed (description is the command).
assert_ok() { assert_true "$(_lib_show "$@")" "$@"; }

# assert_fails_with TEXT CMD... : CMD must exit non-zero and its stderr
# must contain TEXT (e.g. "Operation not permitted").
assert_fails_with() {
	local text=$1 err rc
	shift
	err=$("$@" 2>&1 >/dev/null) && rc=0 || rc=$?
	if ((rc != 0)) && [[ $err == *"$text"* ]]; then
		pass "$(_lib_show "$@") fails with $text"
	else
		fail "$(_lib_show "$@") should fail with \"$text\"" \
			"got: exit $rc, stderr: $(printf '%q' "${err:0:400}")"
	fi
}

# assert_fails_with_any "TEXT1|TEXT2" CMD...
assert_fails_with_any() {
	local texts=$1 err rc t ok=0
	shift
	err=$("$@" 2>&1 >/dev/null) && rc=0 || rc=$?
	if ((rc != 0)); then
		IFS='|' read -ra _alts <<<"$texts"
		for t in "${_alts[@]}"; do [[ $err == *"$t"* ]] && ok=1; done
	fi
	if ((ok)); then pass "$(_lib_show "$@") fails"; else
		fail "$(_lib_show "$@") should fail with one of \"$texts\"" \
			"got: exit $rc, stderr: $(printf '%q' "${err:0:400}")"
	fi
}

# A change made elsewhere shows in names and attributes the kernel has
# cached within the watcher's bound (docs/performance.md: about 50-100 ms);
# SOON_MS is that with room for a loaded machine, and still well under the
# 1 s the kernel may cache them for, so passing proves a notice came.
# Contents and fresh listings show at once: test those directly.
SOON_MS=500

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# assert_soon DESCRIPTION CMD... : CMD succeeds within SOON_MS (polled).
assert_soon() {
	local desc=$1 t0 dt
	shift
	t0=$(now_ms)
	while ! "$@" >/dev/null 2>&1; do
		dt=$(($(now_ms) - t0))
		if ((dt > 3 * SOON_MS)); then
			fail "$desc" "not so after $dt ms: $(_lib_show "$@")"
			return
		fi
		sleep 0.005
	done
	dt=$(($(now_ms) - t0))
	if ((dt <= SOON_MS)); then
		pass "$desc (after $dt ms)"
	else
		fail "$desc" "only after $dt ms (limit $SOON_MS): $(_lib_show "$@")"
	fi
}

# fails_with TEXT CMD... : CMD fails and says TEXT (a test for assert_soon).
fails_with() {
	local text=$1 err
	shift
	! err=$("$@" 2>&1 >/dev/null) && [[ $err == *"$text"* ]]
}

# assert_exists PATH / assert_missing PATH (through lstat)
assert_exists() {
	if [[ -e $1 || -L $1 ]]; then pass "$1 exists"; else fail "$1 should exist"; fi
}
assert_missing() {
	if [[ ! -e $1 && ! -L $1 ]]; then pass "$1 is absent"; else fail "$1 should not exist"; fi
}

# Text of a file or stream without the NUL padding of a segment.
strip_nul() { tr -d '\0'; }
text_of() { tr -d '\0' <"$1"; }

# Values seen by the independent helper.
sysv_field() { "$H" sysv-stat "$1" "$2"; }
posix_field() { "$H" posix-stat "$1" "$2"; }

# Canonical sysv/ name of a key: sysv_name 1234 -> 0x000004d2
sysv_name() { printf '0x%08x' "$(($1))"; }

# wait_for SECONDS CMD... : poll until CMD succeeds; returns 1 on timeout.
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		((SECONDS >= deadline)) && return 1
		sleep 0.05
	done
	return 0
}

# bg_helper OUTFILE ARGS... : run "$H ARGS..." in the background, wait until
# it printed its pid (it is then attached / running) and set BG_PID.
BG_PID=
bg_helper() {
	local out=$1
	shift
	"$H" "$@" >"$out" 2>&1 &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
	if ! wait_for 5 grep -qx "$BG_PID" "$out"; then
		fail "background helper $(_lib_show "$@") did not start" "$(cat "$out")"
		return 1
	fi
}

# ---- The daemon ----

is_mounted() { # is_mounted [DIR]: a fuse mount at DIR (default $MNT)?
	local dir=${1:-$MNT}
	awk -v d="$dir" '$5 == d { for (i = 7; i <= NF; i++) if ($i == "-") { f = $(i+1); break }
		if (f ~ /^fuse/) found = 1 } END { exit !found }' /proc/self/mountinfo
}

mount_fstype() {
	awk -v d="$MNT" '$5 == d { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i+1); exit } }' \
		/proc/self/mountinfo
}

# Memory checkers watching the daemon.  A build with -Db_sanitize (see
# tests/run.sh) prints its reports into the daemon's log; with
# SHMFS_VALGRIND=1 the daemon runs under valgrind, one log per start.  Any
# report fails the test, when the daemon stops or at the end.
_LIB_VG_RUNS=0
_LIB_CHECKED=" "
_lib_check_daemon_reports() {
	local f
	if [[ -s $SHMFS_LOG ]] && [[ $_LIB_CHECKED != *" $SHMFS_LOG "* ]] &&
		grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$SHMFS_LOG"; then
		_LIB_CHECKED+="$SHMFS_LOG "
		fail "a sanitizer reported an error in the daemon" \
			"$(grep -A 25 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$SHMFS_LOG" | head -n 40)"
	fi
	for f in "$TMP"/valgrind-*.log; do
		[[ -e $f && $_LIB_CHECKED != *" $f "* ]] || continue
		# no summary: the daemon is still running, or was killed on purpose
		grep -q 'ERROR SUMMARY:' "$f" || continue
		_LIB_CHECKED+="$f "
		if grep -q 'ERROR SUMMARY: 0 errors' "$f"; then
			pass "valgrind: no errors and no leaks in the daemon ($(basename "$f"))"
		else
			fail "valgrind found errors or leaks in the daemon" "$(grep -E '^==[0-9]+== +[^ ]' "$f" | head -n 60)"
		fi
	done
}

# start_shmfs [OPTIONS...]: run "$SHMFS -f OPTIONS $MNT" in the background
# and wait (at most 5 s, 60 s under valgrind) for the mount. Fails the test
# and exits if it does not come up.
start_shmfs() {
	local i tries=100 run=("$SHMFS")
	_lib_check_daemon_reports # before the log is overwritten
	_LIB_CHECKED=${_LIB_CHECKED// $SHMFS_LOG / }
	if [[ ${SHMFS_VALGRIND:-} == 1 ]]; then
		_LIB_VG_RUNS=$((_LIB_VG_RUNS + 1))
		tries=1200
		run=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
			--show-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no
			--log-file="$TMP/valgrind-$_LIB_VG_RUNS.log" "$SHMFS")
	fi
	"${run[@]}" -f "$@" "$MNT" >"$SHMFS_LOG" 2>&1 &
	SHMFS_PID=$!
	for ((i = 0; i < tries; i++)); do
		if is_mounted && ls "$MNT/sysv" >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$SHMFS_PID" 2>/dev/null; then
			wait "$SHMFS_PID"
			fail "shmfs $(_lib_show "$@") exited (status $?) before mounting" \
				"log: $(head -c 2000 "$SHMFS_LOG")"
			SHMFS_PID=
			exit 1
		fi
		sleep 0.05
	done
	fail "shmfs $(_lib_show "$@") did not mount $MNT within $((tries / 20)) s" "log: $(head -c 2000 "$SHMFS_LOG")"
	exit 1
}

# This mount's connection in the kernel's fuse control file system.
conn_dir() {
	local dev
	dev=$(awk -v d="$MNT" '$5 == d { print $3 }' /proc/self/mountinfo)
	[[ -n $dev ]] || return 1
	if [[ ! -d /sys/fs/fuse/connections/${dev#*:} ]]; then
		mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
	fi
	echo "/sys/fs/fuse/connections/${dev#*:}"
}

# A hung mount ends only when its connection is aborted.
abort_mount() {
	local c
	c=$(conn_dir) && [[ -e $c/abort ]] && echo 1 >"$c/abort"
}

daemon_alive() { [[ -n $SHMFS_PID ]] && kill -0 "$SHMFS_PID" 2>/dev/null; }

# Daemons that mount(8) or a README command started are not ours to track
# by pid: these are the shmfs processes of this mount namespace, and only
# those.
shmfs_daemons() {
	local p ns
	ns=$(readlink /proc/self/ns/mnt)
	for p in /proc/[0-9]*; do
		[[ $(readlink "$p/ns/mnt" 2>/dev/null) == "$ns" ]] || continue
		[[ $(readlink "$p/exe" 2>/dev/null) == */shmfs ]] && echo "${p#/proc/}"
	done
	return 0
}
no_shmfs_daemons() { [[ -z $(shmfs_daemons) ]]; }

# fd_count: the daemon's open descriptors, for daemon_settled later.
fd_count() { ls "/proc/$SHMFS_PID/fd" | wc -l; }
# daemon_settled FDS: back to FDS descriptors, no segment attached.
daemon_settled() {
	[[ $(fd_count) == "$1" ]] && ! grep -q /SYSV "/proc/$SHMFS_PID/maps"
}

# stop_shmfs: unmount with fusermount3 -u and wait (at most 5 s) for the
# daemon; returns the daemon's exit status (or 124 if it had to be killed).
stop_shmfs() {
	local rc=0 i
	[[ -n $SHMFS_PID ]] || return 0
	if is_mounted; then
		fusermount3 -u "$MNT" || fusermount3 -u -z "$MNT" || umount -l "$MNT"
	fi
	for ((i = 0; i < (${SHMFS_VALGRIND:-0} == 1 ? 1200 : 100); i++)); do
		kill -0 "$SHMFS_PID" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$SHMFS_PID" 2>/dev/null; then
		kill -KILL "$SHMFS_PID" 2>/dev/null
		wait "$SHMFS_PID" 2>/dev/null
		rc=124
	else
		wait "$SHMFS_PID" && rc=0 || rc=$?
	fi
	SHMFS_PID=
	_lib_check_daemon_reports
	return "$rc"
}

# stop_shmfs_cleanly: stop the daemon, which must exit 0.
stop_shmfs_cleanly() {
	stop_shmfs
	assert_eq 0 "$?" "the daemon exits 0 at unmount"
}

# assert_all_detached: no segment the test can see is attached by anyone.
assert_all_detached() {
	local id
	for id in $("$H" sysv-list); do
		assert_eq 0 "$(sysv_field "id:$id" nattch)" "shmid $id: nattch 0"
	done
}

_lib_cleanup() {
	local rc=$? p
	trap - EXIT
	set +e
	for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	if is_mounted; then
		fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	fi
	if [[ -n $SHMFS_PID ]]; then
		local i
		for ((i = 0; i < (${SHMFS_VALGRIND:-0} == 1 ? 600 : 40); i++)); do
			kill -0 "$SHMFS_PID" 2>/dev/null || break
			sleep 0.05
		done
		kill -TERM "$SHMFS_PID" 2>/dev/null && sleep 0.2
		kill -KILL "$SHMFS_PID" 2>/dev/null
	fi
	for p in "${BG_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	_lib_check_daemon_reports
	if ((_FAILED > 0)) && [[ -s $SHMFS_LOG ]]; then
		echo "--- last lines of the shmfs log ---"
		tail -n 30 "$SHMFS_LOG"
	fi
	rmdir "$MNT" 2>/dev/null
	rm -rf --one-file-system "$TMP"
	if ((rc == 0 && _FAILED > 0)); then rc=1; fi
	if [[ -n $_LIB_SKIPPED ]]; then
		exit 77
	fi
	if ((rc == 0 && _PASSED == 0)); then
		echo "$TEST_NAME: no check ran"
		rc=1
	fi
	if ((rc != 0 && _FAILED == 0)); then
		echo "$TEST_NAME: aborted with status $rc"
		_FAILED=1
	fi
	echo "$TEST_NAME: $_PASSED passed, $_FAILED failed"
	exit "$rc"
}
trap _lib_cleanup EXIT
trap 'exit 130' INT TERM
