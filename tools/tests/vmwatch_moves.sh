#!/bin/sh
# SPDX-License-Identifier: MIT
# Moving an ancestor keeps every path below it right, through several moves.
. "$(dirname "$0")/lib.sh"
R=$T/root
mkdir -p "$R/a/b/c" "$R/other"
start_watch -e create,move "$R"
mv "$R/a" "$R/z"
touch "$R/z/b/c/f1"
mv "$R/z/b" "$R/y"
touch "$R/y/c/f2"
mkdir "$R/q"
# Once a file made in q is reported, q is watched and the move into it
# below is seen as one (a late reader would see y leave, then find it in
# q: right in the end, but not this test's lines).
: >"$R/q/.ready"
wait_line "CREATE $R/q/.ready"
mv "$R/y" "$R/q/y"
touch "$R/q/y/c/f3"
mv "$R/q" "$R/other/q"
mkdir "$R/other/q/y/c/new"
touch "$R/other/q/y/c/new/f4"
barrier "$R"
stop_watch
has_line "MOVED_FROM,ISDIR $R/a"
has_line "MOVED_TO,ISDIR $R/z"
has_line "CREATE $R/z/b/c/f1"
has_line "MOVED_TO,ISDIR $R/y"
has_line "CREATE $R/y/c/f2"
has_line "CREATE $R/q/y/c/f3"
has_line "CREATE,ISDIR $R/other/q/y/c/new"
has_line "CREATE $R/other/q/y/c/new/f4"
lacks "$R/a/b"
echo ok
