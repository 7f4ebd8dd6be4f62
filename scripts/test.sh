#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test.sh - build and run every test: the suite with gcc and with clang, under
# AddressSanitizer + UndefinedBehaviorSanitizer, under ThreadSanitizer and
# under valgrind memcheck (the gcc suite includes the callgrind instruction-count
# regression check, label "perf"; the quick tests again with 64 KiB pages
# simulated, label "page64k"); the install checks (scripts/ci_install.sh);
# the platforms of the CI matrix (i386, musl and, under qemu-user, arm64
# armhf riscv64 ppc64el s390x: scripts/ci_matrix.sh);
# the fuzz corpus replay and a bounded fuzz run. Prints each ctest summary and a final
# "N passed, N failed" line. Exit status 0 only if everything passed.
#
#   scripts/test.sh            everything (about 15 minutes on 2 cores)
#   scripts/test.sh quick      the gcc build and suite only
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0
log=$(mktemp)

# run NAME COMMAND...: run a stage, keep its ctest summary, count its tests.
run() {
	local name=$1
	shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log" | grep -E "tests passed|tests failed|Passed|Failed|\*\*\*|Error|error:|^matrix\|" | grep -v "Passed +[0-9.]* sec$" | tail -40
	local rc=${PIPESTATUS[0]}
	local line total bad
	line=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$log" | tail -1)
	if [ -n "$line" ]; then
		total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
		bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
		passed=$((passed + total - bad))
		failed=$((failed + bad))
		echo "$name: $line"
	elif [ "$rc" -eq 0 ]; then
		passed=$((passed + 1))
		echo "$name: ok"
	fi
	if [ "$rc" -ne 0 ]; then
		[ -n "$line" ] || failed=$((failed + 1))
		echo "$name: FAILED (exit $rc); last lines:"
		tail -30 "$log"
	fi
}

# suite DIR CMAKE-ARGS...: configure, build, run ctest in DIR.
suite() {
	local dir=$1
	shift
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMAP_WERROR=ON "$@" >/dev/null &&
		cmake --build "$dir" -j"$jobs" &&
		ctest --test-dir "$dir" --output-on-failure -j"$jobs" --timeout 600 ${CTEST_EXTRA:-}
}

run "gcc" suite build/test-gcc -DCMAKE_C_COMPILER=gcc
if [ "${1:-}" != quick ]; then
	# install into a temporary prefix, use it as an outsider (about 40 s)
	run "install: pkg-config, find_package, examples, symbols, man" bash scripts/ci_install.sh
	run "clang" suite build/test-clang -DCMAKE_C_COMPILER=clang -DVMAP_BENCH=OFF
	# with assert() on (no NDEBUG): the planner asserts every plan sound
	VMAP_TEST_SCALE=0.3 run "asan+ubsan" suite build/test-asan -DCMAKE_C_COMPILER=gcc \
		-DVMAP_SANITIZE=address -DVMAP_BENCH=OFF -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g"
	VMAP_TEST_SCALE=0.2 run "tsan" suite build/test-tsan -DCMAKE_C_COMPILER=clang \
		-DVMAP_SANITIZE=thread -DVMAP_BENCH=OFF -DVMAP_TOOLS=OFF
	# faults and hostile run every call thousands of times: under valgrind
	# they would take most of the budget; files, sharing and checklive fork
	# children that exit holding the parent's handles, which valgrind counts
	# as leaks. The ASan+UBSan stage (LeakSanitizer included) runs them all.
	# The 64 KiB page runs (label page64k) repeat the gcc stage's and stay
	# out too.
	CTEST_EXTRA="-E ^(faults|hostile|files|sharing|checklive)$ -LE page64k" VMAP_TEST_SCALE=0.05 run "valgrind memcheck" \
		suite build/test-memcheck -DCMAKE_C_COMPILER=gcc -DVMAP_BENCH=OFF -DVMAP_TOOLS=OFF \
		-DVMAP_MEMCHECK=ON
	# README's "Platforms": each installs its toolchain, keeps to a budget
	run "platform i386" bash scripts/ci_matrix.sh i386
	run "platform musl" bash scripts/ci_matrix.sh musl
	run "platform arm64" bash scripts/ci_matrix.sh arm64
	run "platform armhf" bash scripts/ci_matrix.sh armhf
	run "platform riscv64" bash scripts/ci_matrix.sh riscv64
	run "platform ppc64el" bash scripts/ci_matrix.sh ppc64el
	run "platform s390x" bash scripts/ci_matrix.sh s390x
	if [ -x fuzz/run.sh ]; then
		# a fixed seed and number of inputs (about a minute here): the same
		# inputs on every run, so CI's verdict does not depend on luck
		VMAP_FUZZ_FLAGS="-seed=1 -runs=10000" run "fuzz (corpus replay + 10000 inputs)" \
			fuzz/run.sh 600
	fi
fi
rm -f "$log"
echo
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ]
