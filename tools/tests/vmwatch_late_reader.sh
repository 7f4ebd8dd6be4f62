#!/bin/sh
# SPDX-License-Identifier: MIT
# A reader that is late (stopped with SIGSTOP while the tree changes): the
# table must still end right, and no stale path be printed.
. "$(dirname "$0")/lib.sh"
W=$T/w
O=$T/out.d

# 1. A directory created and moved out before vmwatch saw it; then another
#    directory renamed to its old name. The later rename must not be taken
#    for the earlier move out (the subtree would go unwatched).
mkdir -p "$W/a/sub" "$O"
start_watch -e create,moved_from,moved_to,move_self "$W"
kill -STOP "$WPID"
mkdir "$W/c"
mv "$W/c" "$O/c"
kill -CONT "$WPID"
mv "$W/a" "$W/c"
touch "$W/c/f" "$W/c/sub/g"
wait_line "CREATE $W/c/f"
wait_line "CREATE $W/c/sub/g"
watches_match "$W"
stop_watch

# 2. While stopped: a new directory in p, p renamed to t, q renamed to p.
#    The new directory is t/n (watched), and p/n is q's old n.
rm -rf "$W" "$O"
mkdir -p "$W/p" "$W/q/n"
start_watch -e create,moved_from,moved_to,move_self "$W"
kill -STOP "$WPID"
mkdir "$W/p/n"
mv "$W/p" "$W/t"
mv "$W/q" "$W/p"
kill -CONT "$WPID"
touch "$W/p/n/in_p_n" "$W/t/n/in_t_n"
wait_line "CREATE $W/p/n/in_p_n"
wait_line "CREATE $W/t/n/in_t_n"
lacks "$W/t/n/in_p_n"
watches_match "$W"
stop_watch

# 3. The same with a reader that is behind on a full pipe rather than
#    stopped: a cycle of renames of a whole subtree, then every directory
#    must be watched under its right path.
rm -rf "$W"
mkdir -p "$W"
for i in 0 1 2 3 4 5 6 7; do mkdir -p "$W/d$i/x/y" "$W/d$i/z"; done
start_watch "$W"
kill -STOP "$WPID"
for round in 1 2 3; do
	mv "$W/d0" "$W/tmp"
	for i in 1 2 3 4 5 6 7; do mv "$W/d$i" "$W/d$((i - 1))"; done
	mv "$W/tmp" "$W/d7"
	mkdir "$W/d3/new$round"
	mv "$W/d5/x" "$W/d2/x$round"
done
kill -CONT "$WPID"
barrier "$W"
watches_match "$W"
probe_tree "$W"
stop_watch
echo ok
