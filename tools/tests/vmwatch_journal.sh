#!/bin/sh
# SPDX-License-Identifier: MIT
# vmwatch --journal FILE appends each record to a vector_map under the next
# key; `vmap tail -f` follows it while it is written; after kill -9 every
# record is there and the file checks sound; a new run goes on numbering;
# a second writer is refused; tail -f goes on across a compaction.
. "$(dirname "$0")/lib.sh"
R=$T/r
J=$T/journal.vmap
mkdir -p "$R"

journal_has() { # COUNT: the journal holds at least COUNT records
	[ "$("$VMAP" tail -n 1000000 "$J" 2>/dev/null | wc -l)" -ge "$1" ]
}
lines_in() { # FILE COUNT
	[ "$(wc -l <"$1")" -ge "$2" ]
}

start_watch -e create --journal "$J" "$R"
"$VMAP" tail -f --from 0 --keys "$J" >"$T/follow" 2>"$T/follow.err" &
TAILPID=$!
i=1
while [ $i -le 50 ]; do : >"$R/f$i"; i=$((i + 1)); done
wait_until "50 records in the journal" journal_has 50
wait_until "tail -f to print 50 records" lines_in "$T/follow" 50
[ -s "$T/out" ] && fail "--journal alone also wrote to stdout"
i=1
while [ $i -le 50 ]; do
	grep -qx "$((i - 1))	CREATE $R/f$i" "$T/follow" || fail "tail -f: record $i: $(head -n 3 "$T/follow")"
	i=$((i + 1))
done

# A second writer of the same journal is refused.
"$VMWATCH" --journal "$J" "$R" >/dev/null 2>"$T/second.err"
[ $? -eq 1 ] || fail "a second vmwatch on the journal did not fail"
grep -q "another process" "$T/second.err" || fail "$(cat "$T/second.err")"

# kill -9: every record appended is there, and the file is sound.
kill -9 "$WPID"
wait "$WPID" 2>/dev/null
WPID=
"$VMAP" check "$J" >/dev/null || fail "the journal is damaged after kill -9"
[ "$("$VMAP" tail -n 1000 "$J" | wc -l)" -eq 50 ] || fail "records lost after kill -9"

# A new run goes on from key 50; --from N is "what changed since N".
start_watch -e create --journal "$J" --sync 0 "$R"
: >"$R/after"
wait_until "record 50" journal_has 51
[ "$("$VMAP" tail --keys --from 50 "$J")" = "50	CREATE $R/after" ] ||
	fail "--from 50: $("$VMAP" tail --keys --from 50 "$J")"
wait_until "tail -f to print record 50" lines_in "$T/follow" 51
stop_watch

# Compacted (replaced) while tail -f follows: it reopens and goes on.
"$VMAP" compact "$J" "$J" || fail "compact"
start_watch -e create --journal "$J" --sync 0 "$R"
: >"$R/compacted"
wait_until "tail -f after the compaction" lines_in "$T/follow" 52
grep -qx "51	CREATE $R/compacted" "$T/follow" || fail "after compaction: $(tail -n 2 "$T/follow")"
stop_watch
kill "$TAILPID"
wait "$TAILPID"
[ $? -eq 0 ] || fail "tail -f did not end with 0 on SIGTERM"
[ -s "$T/follow.err" ] && fail "tail -f: $(cat "$T/follow.err")"
echo ok
