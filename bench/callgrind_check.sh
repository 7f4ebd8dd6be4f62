#!/bin/sh
# SPDX-License-Identifier: MIT
# callgrind_check.sh - CI's performance regression check: count the
# instructions vector_map spends appending and getting 100,000 path-like
# values (callgrind_driver.c: vmap_get and vmap_get_inline) and compare them
# with the committed baseline.
#
#   callgrind_check.sh [--update] DRIVER-OR-BUILD-DIR
#
# The argument is the built vmap_callgrind_driver, or a build directory that
# holds it as bench/vmap_callgrind_driver. Instruction counts do not move
# with the load of a shared machine, so a 10% threshold is tight without
# being flaky. The counts do depend on the compiler and its flags: the
# baseline is for the project's default build (RelWithDebInfo, the Debian
# gcc); rewrite it with --update when that changes on purpose.
#
# Exit codes: 0 within the threshold (or --update done), 1 a phase grew by
# more than 10%, 2 usage or tool failure, 77 valgrind missing (skip).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
baseline="$here/callgrind_baseline.txt"
threshold=10 # percent

update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
driver=${1:-}
if [ -d "$driver" ]; then
	driver="$driver/bench/vmap_callgrind_driver"
fi
if [ $# -ne 1 ] || [ ! -x "$driver" ] || [ -d "$driver" ]; then
	echo "usage: $0 [--update] path/to/vmap_callgrind_driver | build-dir" >&2
	exit 2
fi
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not found: skipped"; exit 77; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Instructions executed inside one phase function (and everything it calls),
# nothing else: collection is off at start and toggled by entering it.
count() {
	valgrind --tool=callgrind --collect-atstart=no --toggle-collect="$1" \
		--callgrind-out-file="$work/$1.out" "$driver" >"$work/$1.stdout" 2>"$work/$1.log" || {
		cat "$work/$1.log" >&2
		echo "callgrind_check: valgrind failed on $driver" >&2
		exit 2
	}
	awk '/^(summary|totals):/ { print $2; exit }' "$work/$1.out"
}

append=$(count phase_append)
get=$(count phase_get)
get_inline=$(count phase_get_inline)
if [ -z "$append" ] || [ -z "$get" ] || [ -z "$get_inline" ] ||
	[ "$append" -eq 0 ] || [ "$get" -eq 0 ] || [ "$get_inline" -eq 0 ]; then
	echo "callgrind_check: no instruction counts (is the driver built with symbols?)" >&2
	exit 2
fi

if [ "$update" -eq 1 ]; then
	cat >"$baseline" <<END
# Instructions (callgrind Ir) of bench/callgrind_driver.c: 100000 appends and
# 100000 uniform gets of path-like values (mean 48 bytes) on an in-memory map,
# through vmap_get (get) and through the header's vmap_get_inline (get_inline).
# Default build (RelWithDebInfo), $(cc --version 2>/dev/null | head -n 1).
# Rewrite with: bench/callgrind_check.sh --update BUILD-DIR
append $append
get $get
get_inline $get_inline
END
	echo "callgrind_check: baseline written: append $append, get $get, get_inline $get_inline"
	exit 0
fi

[ -r "$baseline" ] || { echo "callgrind_check: no $baseline; run with --update" >&2; exit 2; }

status=0
check() { # phase count
	old=$(awk -v p="$1" '$1 == p { print $2 }' "$baseline")
	if [ -z "$old" ]; then
		echo "callgrind_check: $1 missing from the baseline" >&2
		status=2
		return
	fi
	# Integer percent change, rounded toward zero; awk copes with 64-bit counts.
	verdict=$(awk -v o="$old" -v n="$2" -v t="$threshold" 'BEGIN {
		pct = (n - o) * 100 / o
		printf "%s %+.1f%%", (pct > t ? "FAIL" : "ok"), pct }')
	echo "$1: baseline $old, now $2 instructions: $verdict"
	case $verdict in FAIL*) status=1 ;; esac
}
check append "$append"
check get "$get"
check get_inline "$get_inline"
if [ "$status" -eq 1 ]; then
	echo "callgrind_check: a phase grew by more than $threshold%" >&2
fi
exit $status
