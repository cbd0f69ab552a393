#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Assertions for the fresh-root tests, on the host (lib.sh) and inside a
# root (test-*.sh run their inside-*.sh there): "ok - ..." and
# "FAIL - ..." lines, counted by fresh_done.
fresh_passed=0 fresh_failed=0

pass() {
	fresh_passed=$((fresh_passed + 1))
	echo "ok - $1"
}
fail() {
	fresh_failed=$((fresh_failed + 1))
	echo "FAIL - $1"
	shift
	local l
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/    /'; done
}
# check DESCRIPTION COMMAND...: pass if COMMAND succeeds.
check() {
	local d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d" "command: $*"; fi
}
# check_eq EXPECTED ACTUAL DESCRIPTION
check_eq() {
	if [[ $1 == "$2" ]]; then pass "$3"; else fail "$3" "expected: $1" "     got: $2"; fi
}
# check_match REGEX TEXT DESCRIPTION
check_match() {
	if [[ $2 =~ $1 ]]; then pass "$3"; else fail "$3" "expected to match: $1" "got: $2"; fi
}
# quiet COMMAND...: COMMAND's output only if it fails.
quiet() {
	local out
	out=$("$@" 2>&1) && return 0
	printf '%s\n' "$out" | tail -n 30 | sed 's/^/    /'
	return 1
}
# run_readme_lines USER LINES: run README command lines from the current
# directory, each checked: those with sudo as root, the others as USER.
# apt asks no question (APT::Get::Assume-Yes, as a person would answer).
run_readme_lines() {
	local user=$1 line
	echo 'APT::Get::Assume-Yes "true";' >/etc/apt/apt.conf.d/90fresh-yes
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		echo "# \$ $line"
		if [[ $line == "sudo "* ]]; then
			check "README: $line" quiet env DEBIAN_FRONTEND=noninteractive bash -c "${line#sudo }"
		else
			check "README: $line" quiet setpriv --reuid="$user" --regid="$user" --init-groups \
				env -i PATH=/usr/bin:/bin HOME="$(getent passwd "$user" | cut -d: -f6)" \
				LC_ALL=C.UTF-8 bash -c "$line"
		fi
	done <<<"$2"
	rm -f /etc/apt/apt.conf.d/90fresh-yes
}
# fresh_count OUTPUT: add the ok/FAIL lines of a run inside a root.
fresh_count() {
	local n
	n=$(grep -c '^ok - ' <<<"$1")
	fresh_passed=$((fresh_passed + n))
	n=$(grep -c '^FAIL - ' <<<"$1")
	fresh_failed=$((fresh_failed + n))
}
# fresh_done: the closing count, and the exit status.
fresh_done() {
	echo "# $fresh_passed passed, $fresh_failed failed"
	[ "$fresh_failed" -eq 0 ] && [ "$fresh_passed" -gt 0 ]
}
