#!/bin/sh
# SPDX-License-Identifier: MIT
# mkdir -p of deep paths with files created at once: every directory and
# file is reported, once, though most existed before their parent's watch.
. "$(dirname "$0")/lib.sh"
R=$T/root
mkdir -p "$R"
start_watch -e create,delete,move "$R"
for i in 1 2 3 4 5 6 7 8 9 10; do
	mkdir -p "$R/n$i/a/b/c/d/e" && touch "$R/n$i/a/b/c/d/e/file" "$R/n$i/a/b/top"
done
barrier "$R"
stop_watch
for i in 1 2 3 4 5 6 7 8 9 10; do
	p=$R/n$i
	for d in "" /a /a/b /a/b/c /a/b/c/d /a/b/c/d/e; do
		has_line "CREATE,ISDIR $p$d"
	done
	has_line "CREATE $p/a/b/c/d/e/file"
	has_line "CREATE $p/a/b/top"
done
no_duplicates
echo ok
