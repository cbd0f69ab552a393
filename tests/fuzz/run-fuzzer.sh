#!/bin/bash
# run-fuzzer.sh FUZZER SEED_DIR WORK_DIR SECONDS
# One bounded libFuzzer run.  New inputs go to WORK_DIR/corpus, never into
# the seed corpus in the source tree; a crash leaves WORK_DIR/crash-* (turn
# it into a unit test in tests/unit/).
set -eu
fuzzer=$1 seeds=$2 work=$3 secs=$4
mkdir -p "$work/corpus"
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds"
