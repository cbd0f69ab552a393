#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# README.md cannot rot: this test runs every command of it, in order, the
# way a newcomer would, and compares the output where the README shows it.
#
# Every fenced block in README.md must follow a marker line:
#     <!-- test: run -->             run its commands (see below)
#     <!-- test: not commands -->    a picture, not run
#     <!-- test: run by tests/fresh/X.sh -->
#                                    run by that test, in a fresh root
#                                    (X.sh must exist and read README.md)
# In a ```console block, lines starting with "$ " are commands and the lines
# after one are its expected standard output; a command shown without
# output is not checked for output. In expected output, a line "..." stands
# for any number of lines, ls dates ("Nov 27 14:20") match any date, and a
# user.shm.pids value ("4242,4711") matches any list of pids.
# Any other block is a script: one command per line. Every command must
# succeed.
#
# Commands starting with "sudo " run as root, without the sudo; the others
# as "alice", an unprivileged user who exists only in this test's private
# /etc/passwd. All run in a copy of the source tree owned by alice, like a
# fresh checkout. Inside the test's private mount namespace, /run is a
# private tmpfs (for /run/shmfs), /usr/local an overlay whose changes vanish
# with the test (so "sudo meson install" installs nowhere real), and
# apt-get a stub that fails, so mount/setup.sh cannot install anything.
#
# `./tests/run.sh` is not run: it is what CI runs, this test among others;
# check_ci_runs checks that .ci/run runs exactly it.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SRC=$(cd "$(dirname "$_LIB_SELF")/../.." && pwd)
README=$SRC/README.md
WORK=$TMP/src

# ---- A newcomer's machine, private to this namespace ----

# Before lib.sh's cleanup, which removes $TMP but no file system mounted
# in it.
readme_cleanup() {
	local p
	grep -q ' /run/shmfs ' /proc/self/mounts && umount -l /run/shmfs 2>/dev/null
	for p in $(shmfs_daemons) $(alice_processes); do kill -KILL "$p" 2>/dev/null; done
	umount -l /usr/local 2>/dev/null
	umount -l "$TMP/usr-local" 2>/dev/null
	return 0
}
# What README commands left running as alice (sleep &), in this mount
# namespace: alice exists only here, but her uid is a number.
alice_processes() {
	local p ns
	ns=$(readlink /proc/self/ns/mnt)
	for p in /proc/[0-9]*; do
		[[ $(stat -c %u "$p" 2>/dev/null) == "${uid:-}" ]] || continue
		[[ $(readlink "$p/ns/mnt" 2>/dev/null) == "$ns" ]] && echo "${p#/proc/}"
	done
	return 0
}
# shellcheck disable=SC2154 # assigned as the trap runs
trap '_readme_rc=$?; readme_cleanup; (exit $_readme_rc); _lib_cleanup' EXIT

for c in xxd getfattr man setpriv python3 meson; do
	command -v "$c" >/dev/null || _lib_cannot_run "$c is not installed (README.md uses it; tests/run.sh installs it)"
done
mount -t tmpfs -o mode=755 shmfs-test-run /run ||
	_lib_cannot_run "cannot mount a private tmpfs on /run"
mkdir -p "$TMP/usr-local"
if ! { mount -t tmpfs shmfs-test-usr-local "$TMP/usr-local" &&
	mkdir "$TMP/usr-local/upper" "$TMP/usr-local/work" &&
	mount -t overlay -o "lowerdir=/usr/local,upperdir=$TMP/usr-local/upper,workdir=$TMP/usr-local/work" \
		shmfs-test-usr-local /usr/local; }; then
	_lib_cannot_run "cannot mount a private overlay on /usr/local"
fi

uid=4711
while getent passwd "$uid" >/dev/null || getent group "$uid" >/dev/null; do uid=$((uid + 1)); done
if getent passwd alice >/dev/null || getent group alice >/dev/null; then
	_lib_cannot_run "a user or group alice exists already"
fi
cp /etc/passwd "$TMP/passwd" && cp /etc/group "$TMP/group" || exit 1
echo "alice:x:$uid:$uid:Alice:$TMP/home:/bin/bash" >>"$TMP/passwd"
echo "alice:x:$uid:" >>"$TMP/group"
mount --bind "$TMP/passwd" /etc/passwd && mount --bind "$TMP/group" /etc/group || exit 1
mkdir "$TMP/home" && chown "$uid:$uid" "$TMP/home"

mkdir "$TMP/bin"
cat >"$TMP/bin/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*: refused inside test-readme (install the packages first, e.g. with tests/run.sh)" >&2
exit 1
EOF
chmod 755 "$TMP/bin/apt-get"
PATHS="$TMP/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

mkdir "$WORK"
tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$WORK" -xf - || exit 1
chown -R "$uid:$uid" "$WORK"

if ! out=$(PATH=$PATHS "$WORK/mount/setup.sh" --deps-only 2>&1); then
	_lib_cannot_run "mount/setup.sh would install packages: $out"
fi

# ---- Running README commands ----

# run_cmd LINE OUTFILE: run a README command line, as root if it starts
# with "sudo ", else as alice; returns its status.
run_cmd() {
	local line=$1 out=$2
	if [[ $line == "sudo "* ]]; then
		(cd "$WORK" && env -i PATH="$PATHS" HOME=/root LC_ALL=C TERM=dumb \
			bash -c "umask 022; ${line#sudo }") >"$out" 2>"$out.err" </dev/null
	else
		(cd "$WORK" && setpriv --reuid="$uid" --regid="$uid" --clear-groups \
			env -i PATH="$PATHS" HOME="$TMP/home" USER=alice LOGNAME=alice LC_ALL=C TERM=dumb \
			bash -c "umask 022; $line") >"$out" 2>"$out.err" </dev/null
	fi
}

# Does actual output ($2, a file) match what the README shows ($1, a file)?
# Prints the difference when not.
output_matches() {
	python3 - "$1" "$2" <<'PY'
import re, sys

DATE = re.compile(r"[A-Z][a-z]{2} [ 1-3][0-9] ([0-2][0-9]:[0-5][0-9]| [0-9]{4})")
PIDS = re.compile(r'^user\.shm\.pids="[0-9,]*"$')

def lines(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    out = [PIDS.sub("user.shm.pids=PIDS", DATE.sub("DATE", l.rstrip()))
           for l in text.split("\n")]
    while out and out[-1] == "":
        out.pop()
    return out

def match(exp, act):
    if not exp:
        return not act
    if exp[0] == "...":
        return any(match(exp[1:], act[i:]) for i in range(len(act) + 1))
    return bool(act) and exp[0] == act[0] and match(exp[1:], act[1:])

exp, act = lines(sys.argv[1]), lines(sys.argv[2])
if not match(exp, act):
    print("README shows:", *("  | " + l for l in exp), "but got:",
          *("  | " + l for l in act), sep="\n")
    sys.exit(1)
PY
}

# check_ci_runs LINE: LINE, the README's test command, is not run here: it
# runs every test, this one among them.  Instead .ci/run, started the way
# CI starts it (by its path, from anywhere, as root), must run exactly that
# command from the top of the tree and hand back its exit status; here it
# runs a stub in place of tests/run.sh.  And the real tests/run.sh must be
# executable and parse.
check_ci_runs() {
	local line=$1 ci=$TMP/ci words rc
	read -ra words <<<"${line%%#*}"
	[[ ${words[0]} == sudo ]] && words=("${words[@]:1}")
	mkdir -p "$ci/.ci" "$ci/tests" && cp -p "$SRC/.ci/run" "$ci/.ci/run" || exit 1
	printf '#!/bin/bash\nprintf "%%s\\n" "$PWD" "$(realpath "$0")" "$@" >%q\nexit 42\n' \
		"$ci/ran" >"$ci/tests/run.sh" &&
		chmod 755 "$ci/tests/run.sh" || exit 1
	assert_true ".ci/run is executable" test -x "$SRC/.ci/run"
	(cd / && env -i PATH="$PATHS" HOME=/root "$ci/.ci/run") >"$ci/out" 2>&1 && rc=0 || rc=$?
	assert_eq "$(printf '%s\n' "$ci" "$(realpath "$ci/${words[0]}")" "${words[@]:1}")" "$(cat "$ci/ran" 2>/dev/null)" \
		".ci/run runs the README's '${words[*]}' in the top directory"
	assert_eq 42 "$rc" ".ci/run exits with the status of '${words[*]}'"
	assert_true "tests/run.sh is executable" test -x "$SRC/tests/run.sh"
	assert_true "tests/run.sh parses (bash -n)" bash -n "$SRC/tests/run.sh"
}

ncmd=0
# check_cmd LINE [EXPECTED-FILE]: run LINE, assert success (and output).
check_cmd() {
	local line=$1 expected=${2:-} out=$TMP/out.$ncmd rc diff
	ncmd=$((ncmd + 1))
	if [[ $line =~ ^(sudo )?\./tests/run\.sh([[:space:]]|$) ]]; then
		check_ci_runs "$line"
		return
	fi
	# Typed, not scripted: a /proc scan serves the same caller again for
	# 100 ms (shmfs(1), WHO USES IT), so user.shm.pids read at once after
	# user.shm.all may not show a holder started in between.
	sleep 0.15
	run_cmd "$line" "$out" && rc=0 || rc=$?
	if ((rc != 0)); then
		fail "README: \$ $line" "exit $rc" "stdout: $(head -c 1500 "$out")" \
			"stderr: $(head -c 1500 "$out.err")"
		return
	fi
	if [[ -n $expected ]]; then
		if diff=$(output_matches "$expected" "$out"); then
			pass "README: \$ $line (output as shown)"
		else
			fail "README: \$ $line: output differs" "$diff"
		fi
	else
		pass "README: \$ $line"
	fi
	after_cmd "$line"
}

# What each README step must have done, beyond exiting 0.
mounted_fstype() { awk '$5 == "/run/shmfs" { for (i = 7; i <= NF; i++) if ($i == "-") { print $(i+1); exit } }' /proc/self/mountinfo; }
after_cmd() {
	case $1 in
	*mount/setup.sh*)
		assert_eq fuse.shmfs "$(mounted_fstype)" "setup.sh mounted shmfs on /run/shmfs"
		assert_match '(^|,)allow_other(,|$)' "$(findmnt -n -o OPTIONS /run/shmfs)" \
			"setup.sh mounted with allow_other, so the session can run as alice"
		assert_exists "$WORK/build/docs/shmfs.1"
		;;
	*"fusermount3 -u /run/shmfs"* | *"umount /run/shmfs"*)
		assert_eq "" "$(mounted_fstype)" "$1 unmounted /run/shmfs"
		assert_true "the daemon exits after: $1" wait_for 5 no_shmfs_daemons
		;;
	*"meson install -C build")
		assert_true "/usr/local/bin/shmfs is installed" test -x /usr/local/bin/shmfs
		;;
	*"mount -t fuse.shmfs"*)
		assert_eq fuse.shmfs "$(mounted_fstype)" "$1 mounted shmfs"
		local d
		d=$(shmfs_daemons)
		assert_eq /usr/local/bin/shmfs "$(readlink "/proc/${d%%$'\n'*}/exe" 2>/dev/null)" \
			"mount -t fuse.shmfs runs the installed shmfs"
		;;
	*"--destdir \"\$PWD/pkg\""*)
		assert_true "the package tree has usr/bin/shmfs" test -x "$WORK/pkg/usr/bin/shmfs"
		;;
	esac
}

# ---- README.md, block by block ----

section "README.md"
assert_true "README.md exists" test -s "$README"
mapfile -t lines <"$README"
marker="" in_block=0 lang="" nblocks=0 nrun=0
block=()

run_block() {
	local l exp="" cmd=""
	if [[ $lang == console ]]; then
		for l in "${block[@]}" '$ '; do
			if [[ $l == '$ '* ]]; then
				if [[ -n $cmd ]]; then
					if [[ -n $exp ]]; then
						printf '%s' "$exp" >"$TMP/expected"
						check_cmd "$cmd" "$TMP/expected"
					else
						check_cmd "$cmd"
					fi
				fi
				cmd=${l#'$ '} exp=""
			elif [[ -n $cmd ]]; then
				exp+="$l"$'\n'
			else
				fail "README: console block line before any command: $l"
			fi
		done
	else
		for l in "${block[@]}"; do
			[[ $l =~ ^[[:space:]]*(#|$) ]] && continue
			check_cmd "$l"
		done
	fi
}

for ((i = 0; i < ${#lines[@]}; i++)); do
	l=${lines[i]}
	if ((!in_block)); then
		if [[ $l =~ ^\<!--\ test:\ (.*)\ --\>$ ]]; then
			marker=${BASH_REMATCH[1]}
		elif [[ $l == '```'* ]]; then
			in_block=1 lang=${l#'```'} block=() nblocks=$((nblocks + 1))
			start=$((i + 1))
		elif [[ -n $l ]]; then
			marker=""
		fi
		continue
	fi
	if [[ $l != '```' ]]; then
		block+=("$l")
		continue
	fi
	in_block=0
	case $marker in
	run)
		nrun=$((nrun + 1))
		run_block
		;;
	"not commands") ;;
	"run by "*)
		assert_true "README.md line $start: ${marker#run by } runs the block" \
			grep -q README.md "$SRC/${marker#run by }"
		;;
	*)
		fail "README.md line $start: a code block without a <!-- test: run --> or <!-- test: not commands --> line before it"
		;;
	esac
	marker=""
done
assert_eq 0 "$in_block" "README.md has no unclosed code block"
assert_true "README.md has code blocks to run ($nrun of $nblocks)" test "$nrun" -ge 3
assert_eq "" "$(mounted_fstype)" "README leaves /run/shmfs unmounted"
