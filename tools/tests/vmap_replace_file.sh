#!/bin/sh
# SPDX-License-Identifier: MIT
# create and compact onto a file another process writes: refused (exit 5),
# the file and its writer untouched. An existing file keeps its mode; a
# symbolic link is followed; a signal removes the temporary file.
. "$(dirname "$0")/lib.sh"
F=$T/live.vm
S=$T/src.vm

no_tmp() {
	ls -a "$T" | grep -q '\.tmp\.' && fail "temporary file left: $(ls "$T")"
	return 0
}

printf 'one\ntwo\n' | "$VMAP" create "$F" || fail "create"
printf 'other\n' | "$VMAP" create "$S" || fail "create src"

# A live writer: `vmap append` reading lines from a FIFO holds F's lock.
mkfifo "$T/feed"
"$VMAP" append "$F" <"$T/feed" >"$T/writer.out" &
WRITER=$!
exec 3>"$T/feed"
echo three >&3
wait_until "the writer's first append" grep -qx 2 "$T/writer.out"
ino=$(stat -c %i "$F")
printf 'new\n' >"$T/input"
expect 5 "$VMAP" create "$F" <"$T/input"
grep -q "another process" "$T/stderr" || fail "create: $(cat "$T/stderr")"
expect 5 "$VMAP" compact "$S" "$F"
expect 5 "$VMAP" compact "$F" "$F"
[ "$(stat -c %i "$F")" = "$ino" ] || fail "the writer's file was replaced"
no_tmp
echo four >&3
exec 3>&-
wait "$WRITER" || fail "the writer failed"
[ "$("$VMAP" get "$F" 2 3)" = "$(printf 'three\nfour')" ] ||
	fail "the writer's appends were lost: $("$VMAP" dump "$F")"

# Without a writer they go ahead; an existing file keeps its mode.
chmod 640 "$F"
expect 0 "$VMAP" compact "$F" "$F"
[ "$(stat -c %a "$F")" = 640 ] || fail "compact changed the mode to $(stat -c %a "$F")"
chmod 600 "$F"
expect 0 "$VMAP" create "$F" <"$T/input"
[ "$(stat -c %a "$F")" = 600 ] || fail "create changed the mode to $(stat -c %a "$F")"
[ "$("$VMAP" get "$F" 0)" = new ] || fail "create did not replace"

# A symbolic link is followed: the file it names is replaced, the link stays.
ln -s live.vm "$T/link.vm"
printf 'via link\n' | "$VMAP" create "$T/link.vm" || fail "create through a link"
[ -L "$T/link.vm" ] || fail "the link was replaced by a file"
[ "$("$VMAP" get "$F" 0)" = "via link" ] || fail "the link's target was not replaced"
ln -s nowhere.vm "$T/dangling.vm"
expect 3 "$VMAP" create "$T/dangling.vm" <"$T/input"
[ -e "$T/nowhere.vm" ] && fail "a dangling link made a file"
mkdir "$T/dir.vm"
expect 3 "$VMAP" create "$T/dir.vm" <"$T/input"
no_tmp

# A signal while create waits for input: the temporary file goes, F stays.
for sig in INT TERM HUP; do
	rm -f "$T/slow"
	mkfifo "$T/slow"
	"$VMAP" create "$F" <"$T/slow" 2>/dev/null &
	pid=$!
	exec 4>"$T/slow"
	wait_until "the temporary file" sh -c "ls -a '$T' | grep -q '\\.tmp\\.'"
	kill -$sig $pid
	wait $pid
	[ $? -ne 0 ] || fail "create ended well after SIG$sig"
	exec 4>&-
	no_tmp
	[ "$("$VMAP" get "$F" 0)" = "via link" ] || fail "SIG$sig: the file changed"
done
echo ok
