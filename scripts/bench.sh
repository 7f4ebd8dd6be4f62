#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench.sh - the main job: install the peers from Debian, build in release
# mode, and run the competitive benchmark (under 3 minutes on 2 cores).
# Arguments go to vmap_bench: --full for the whole grid, --help for the rest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DVMAP_TESTS=OFF >/dev/null
cmake --build build/release -j"$(nproc 2>/dev/null || echo 2)" --target vmap_bench >/dev/null
exec build/release/bench/vmap_bench "$@"
