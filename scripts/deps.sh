#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deps.sh - install what the build, the tests and the benchmarks need, from
# Debian's archive. Runs apt-get only as root and only for what is missing.
set -euo pipefail

packages=(
	build-essential cmake pkg-config clang llvm libclang-rt-dev valgrind
	libcmocka-dev                       # tests
	libglib2.0-dev libjudy-dev liblmdb-dev libcdb-dev libsqlite3-dev
	gnuplot-nox                         # benchmark peers and plots
	inotify-tools                       # vmwatch comparison
	git rsync                           # vmwatch real-tool scenarios
	man-db groff-base                   # man page checks
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages (run as root to install): ${missing[*]}" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
