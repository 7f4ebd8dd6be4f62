#!/bin/sh
# SPDX-License-Identifier: MIT
# rm -r of a watched subtree, then the same names again.
. "$(dirname "$0")/lib.sh"
R=$T/root
mkdir -p "$R/a/b/c"
touch "$R/a/f" "$R/a/b/c/g"
start_watch -e create,delete,delete_self "$R"
rm -r "$R/a"
wait_line "DELETE,ISDIR $R/a"
mkdir -p "$R/a/b"
touch "$R/a/b/new"
wait_line "CREATE $R/a/b/new"
stop_watch
has_line "DELETE $R/a/b/c/g"
has_line "DELETE_SELF $R/a/b/c"
has_line "DELETE,ISDIR $R/a/b/c"
has_line "DELETE_SELF $R/a"
has_line "DELETE,ISDIR $R/a"
has_line "CREATE,ISDIR $R/a/b"
has_line "CREATE $R/a/b/new"
echo ok
