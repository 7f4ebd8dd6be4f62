#!/bin/sh
# SPDX-License-Identifier: MIT
# vmwatch's conventions: -o, -t, --include/--includei, @DIR and --fromfile,
# --null, %0 and %n, --csv, and the errors for what is not a directory.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
R=$T/r
mkdir -p "$R/keep" "$R/skip/deep" "$R/Other"


# Errors: a file where a directory is required, a missing one, bad usage.
need_inotify
: >"$T/file"
expect 2 "$VMWATCH" "$T/file"
grep -q "not a directory" "$T/stderr" || fail "no 'not a directory' message"
expect 1 "$VMWATCH" "$T/missing"
grep -q "missing" "$T/stderr" || fail "message does not name the missing directory"
expect 2 "$VMWATCH" --csv --format '%p' "$R"
expect 2 "$VMWATCH" -t abc "$R"
expect 2 "$VMWATCH" --include '(' "$R"
expect 2 "$VMWATCH"

# -t: ends after that long without an event: 3 if none came at all.
expect 3 "$VMWATCH" -q -t 0.5 "$R"
[ -s "$T/stdout" ] && fail "-t printed events on an idle tree"

# ... and 0 after events, once they stop for that long.
start_watch -e create -t 1 "$R"
: >"$R/keep/t1"
wait "$WPID"
status=$?
WPID=
[ $status -eq 0 ] || fail "-t after an event exited $status"
has_line "CREATE $R/keep/t1"

# -o FILE appends (as inotifywait -o); stdout stays empty.
echo "earlier line" >"$T/o.txt"
start_watch -e create -o "$T/o.txt" "$R"
: >"$R/keep/f1"
wait_until "the line in -o FILE" grep -qxF "CREATE $R/keep/f1" "$T/o.txt"
stop_watch
[ "$(head -n 1 "$T/o.txt")" = "earlier line" ] || fail "-o did not append"
[ -s "$T/out" ] && fail "-o FILE also wrote to stdout"

# --include prints only matching paths; --includei ignores case; @DIR and
# --exclude are never watched nor printed; --fromfile reads DIRs and @DIRs.
printf '%s\n' "$R" "@$R/skip" >"$T/list"
start_watch -e create --includei 'other|keep' --fromfile "$T/list"
: >"$R/keep/f2"
: >"$R/skip/f3"
: >"$R/skip/deep/f4"
: >"$R/Other/f5"
: >"$R/f6"
wait_line "CREATE $R/Other/f5"
wait_line "CREATE $R/keep/f2"
stop_watch
lacks "/skip/"
lacks "/f6"
start_watch -e create "$R" "@$R/skip/"
watched_inodes "$WPID" | grep -qx "$(stat -c %i "$R/skip")" && fail "@DIR is watched"
stop_watch

# --null: a name with a newline is one record, unforgeable.
nl=$(printf 'evil\nCREATE forged')
start_watch -e create --null "$R"
: >"$R/$nl"
: >"$R/plain"
wait_until "two NUL records" sh -c "[ \$(tr -cd '\\000' <'$T/out' | wc -c) -ge 2 ]"
stop_watch
printf 'CREATE %s\0CREATE %s\0' "$R/$nl" "$R/plain" | cmp -s - "$T/out" ||
	fail "--null records: $(od -c "$T/out" | head -n 5)"

# --format with %0 and %n; --no-newline.
start_watch -e create --format '%e%0%w%0%f%n' --no-newline "$R"
: >"$R/fmt"
wait_until "the format record" grep -q fmt "$T/out"
stop_watch
printf 'CREATE\0%s/\0fmt\n' "$R" | cmp -s - "$T/out" || fail "%0/%n: $(od -c "$T/out")"

# --csv: RFC 4180, fields quoted when they hold , " or a line break.
rm -f "$R/$nl"
start_watch -e create,close_write --csv "$R"
: >"$R/$nl"
: >"$R/a,b\"c"
wait_until "the csv records" grep -q 'CLOSE_WRITE,CLOSE","a,b' "$T/out"
stop_watch
cat >"$T/csv.want" <<CSV
$R/,CREATE,"evil
CREATE forged"
$R/,"CLOSE_WRITE,CLOSE","evil
CREATE forged"
$R/,CREATE,"a,b""c"
$R/,"CLOSE_WRITE,CLOSE","a,b""c"
CSV
cmp -s "$T/csv.want" "$T/out" || fail "csv: $(cat "$T/out")"
echo ok
