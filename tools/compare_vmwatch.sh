#!/bin/sh
# SPDX-License-Identifier: MIT
# compare_vmwatch.sh - the real-tool scenarios (tests/vmwatch_scenario.sh)
# under vmwatch and under inotifywait, one table row per run.
#
# usage: tools/compare_vmwatch.sh [VMAP VMWATCH [SCENARIO...]]
#   VMWATCH_SCENARIO_SCALE (default 4) multiplies the trees' sizes.
# Columns are the scenario script's counts (see its header): records
# printed, records of paths that never existed, created entries not
# reported, directories unwatched, watches on vanished directories, probe
# files in the final tree not reported at their path, overflows noticed.
set -u
VMAP=${1:-build/tools/vmap}
VMWATCH=${2:-build/tools/vmwatch}
[ $# -ge 2 ] && shift 2
SCENARIOS=${*:-git tar rsync cpmv deep names storm overflow}
export VMWATCH_SCENARIO_SCALE=${VMWATCH_SCENARIO_SCALE:-4}
here=$(dirname "$0")
echo "machine: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "scale: $VMWATCH_SCENARIO_SCALE; inotifywait: $(inotifywait --help 2>&1 | head -n 1)"
echo
printf '| %-8s | %-11s | %6s | %8s | %5s | %6s | %9s | %5s | %9s | %8s | %4s |\n' \
	scenario watcher dirs records wrong missed unwatched stale probe_bad overflow s
printf '|----------|-------------|--------|----------|-------|--------|-----------|-------|-----------|----------|------|\n'
for s in $SCENARIOS; do
	for w in vmwatch inotifywait; do
		line=$(sh "$here/tests/vmwatch_scenario.sh" "$VMAP" "$VMWATCH" "$s" "$w" 2>/dev/null |
			grep -a '^scenario=')
		[ -n "$line" ] || { echo "| $s | $w | (failed or skipped) |"; continue; }
		eval "$(echo "$line" | tr ' ' '\n' | grep = | sed 's/^/v_/')"
		printf '| %-8s | %-11s | %6s | %8s | %5s | %6s | %9s | %5s | %9s | %8s | %4s |\n' \
			"$s" "$w" "$v_dirs" "$v_records" "$v_wrong" "$v_missed" "$v_unwatched" \
			"$v_stale" "$v_probes_bad" "$v_overflow" "$v_seconds"
	done
done
