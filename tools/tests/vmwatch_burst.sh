#!/bin/sh
# SPDX-License-Identifier: MIT
# A burst of new directories, each with a file: all of them reported once.
. "$(dirname "$0")/lib.sh"
R=$T/root
N=${VMWATCH_BURST:-3000}
mkdir -p "$R"
start_watch -e create "$R"
seq 1 "$N" | sed "s|^|$R/d|" | xargs mkdir
seq 1 "$N" | sed "s|^|$R/d|; s|\$|/f|" | xargs touch
barrier "$R"
stop_watch
dirs=$(grep -c "^CREATE,ISDIR $R/d[0-9]*\$" "$T/out")
files=$(grep -c "^CREATE $R/d[0-9]*/f\$" "$T/out")
[ "$dirs" -eq "$N" ] || fail "$dirs of $N directories reported"
[ "$files" -eq "$N" ] || fail "$files of $N files reported"
grep -q overflow "$T/err" && fail "queue overflowed: $(cat "$T/err")"
no_duplicates
echo ok
