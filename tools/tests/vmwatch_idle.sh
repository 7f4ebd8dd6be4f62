#!/bin/sh
# SPDX-License-Identifier: MIT
# An idle tree of 2,401 directories under the default events (all of them,
# OPEN, ACCESS and CLOSE_NOWRITE included): vmwatch's own reading of the
# tree must not show up, nor overflow the queue and set off rescans; so for
# VMWATCH_IDLE_SECONDS (10) it prints nothing at all. It used to print
# 600,000 lines of its own events and overflow 80 times in 5 seconds.
. "$(dirname "$0")/lib.sh"
R=$T/idle
SECONDS_IDLE=${VMWATCH_IDLE_SECONDS:-10}
mkdir -p "$R"
awk -v r="$R" 'BEGIN { for (i = 0; i < 49; i++) { print r "/d" i;
	for (j = 0; j < 48; j++) print r "/d" i "/e" j } }' | xargs mkdir
[ "$(find "$R" -mindepth 1 -type d | wc -l)" -eq 2401 ] || fail "tree not built"
start_watch "$R"
sleep "$SECONDS_IDLE" # the test is that nothing happens in this time
[ -s "$T/out" ] && fail "an idle tree printed $(wc -l <"$T/out") lines"
grep -q overflow "$T/err" && fail "queue overflowed: $(head -n 3 "$T/err")"
watches_match "$R"
# Still watching with every event: a read by someone else is reported.
ls "$R/d7" >/dev/null
wait_line "OPEN,ISDIR $R/d7"
stop_watch
echo ok
