# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Timing for the benchmarks, sourced after tests/mount/lib.sh.

now_ns() { date +%s%N; }
# elapsed_ms CMD...: wall time of CMD in milliseconds (3 decimals)
elapsed_ms() {
	local t0 t1
	t0=$(now_ns)
	"$@" >/dev/null 2>&1
	t1=$(now_ns)
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f\n", d / 1e6 }'
}
# median: of the numbers on stdin, one a line
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
