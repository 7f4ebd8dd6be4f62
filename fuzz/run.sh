#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh - build the fuzz target with clang, replay the corpus, then fuzz.
#
#   fuzz/run.sh [SECONDS]     default 60
#
# New inputs go to $VMAP_FUZZ_WORK (default build-fuzz/fuzz-work/corpus), not
# into fuzz/corpus; a crash leaves its input in build-fuzz/fuzz-work/ and
# makes the script exit non-zero (the exit status of libFuzzer). One process,
# one core. Extra libFuzzer flags can be passed in VMAP_FUZZ_FLAGS.
set -eu

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${VMAP_FUZZ_BUILD:-$root/build-fuzz}
work=${VMAP_FUZZ_WORK:-$build/fuzz-work}

cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER=clang -DVMAP_FUZZ=ON \
	-DVMAP_TESTS=OFF -DVMAP_BENCH=OFF -DVMAP_TOOLS=OFF >/dev/null
cmake --build "$build" --target fuzz_file

target=$build/fuzz/fuzz_file
flags="-max_len=65536 -timeout=5 -rss_limit_mb=2048"
mkdir -p "$work/corpus"

echo "run.sh: replaying $here/corpus"
# shellcheck disable=SC2086 # flags are words
"$target" $flags -runs=0 -artifact_prefix="$work/" "$here/corpus"

echo "run.sh: fuzzing for $seconds s"
# shellcheck disable=SC2086
"$target" $flags ${VMAP_FUZZ_FLAGS:-} -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix="$work/" "$work/corpus" "$here/corpus"
