#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check_spdx.sh - the licence is stated: LICENSE at the root is the MIT
# licence, and every source file (C, C++, headers, CMake, shell, linker and
# pkg-config templates, man pages other than one-line .so links) says
# "SPDX-License-Identifier: MIT" in its first three lines. Data (the fuzz
# corpus, plots, baselines) and Markdown are not source.
#
#   scripts/check_spdx.sh [SRC_DIR]      exit 0, or 1 naming each file
set -uo pipefail
cd "${1:-$(dirname "$0")/..}" || exit 1

faults=0
if ! grep -q "^MIT License" LICENSE 2>/dev/null; then
	echo "check_spdx: LICENSE is missing or not the MIT licence" >&2
	faults=1
fi

if [ -d .git ] || [ -f .git ]; then
	files() { git ls-files --cached --others --exclude-standard; }
else
	files() { find . -type f ! -path "./build*" | sed 's|^\./||'; }
fi

checked=0
while IFS= read -r f; do
	case $f in
	fuzz/corpus/* | fuzz/crashes/* | docs/*) continue ;;
	*.c | *.h | *.cc | *.sh | *.cmake | *.in | *.map | CMakeLists.txt | */CMakeLists.txt | .ci/run) ;;
	man/*.[1-9])
		head -1 "$f" | grep -q '^\.so ' && continue ;;
	*) continue ;;
	esac
	checked=$((checked + 1))
	if ! head -3 "$f" | grep -q "SPDX-License-Identifier: MIT"; then
		echo "check_spdx: $f has no SPDX-License-Identifier: MIT line" >&2
		faults=$((faults + 1))
	fi
done < <(files)

if [ "$faults" -gt 0 ]; then
	exit 1
fi
echo "check_spdx: LICENSE is MIT; $checked source files say so"
