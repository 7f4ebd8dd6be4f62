#!/bin/sh
# SPDX-License-Identifier: MIT
# A directory moved out of the tree reports nothing more; moved back in,
# it is watched again under its new name.
. "$(dirname "$0")/lib.sh"
R=$T/root
O=$T/outside
mkdir -p "$R/a/b/c" "$O"
start_watch -e create,delete,move "$R"
mv "$R/a" "$O/a"
wait_line "MOVED_FROM,ISDIR $R/a"
touch "$O/a/f" "$O/a/b/g"
mkdir "$O/a/b/c/n"
barrier "$R"
mv "$O/a" "$R/back"
wait_line "MOVED_TO,ISDIR $R/back"
touch "$R/back/b/h"
wait_line "CREATE $R/back/b/h"
barrier "$R"
stop_watch
has_line "MOVED_FROM,ISDIR $R/a"
has_line "MOVED_TO,ISDIR $R/back"
has_line "CREATE $R/back/b/h"
lacks "/f"
lacks "/g"
lacks "/n"
lacks "$O"
echo ok
