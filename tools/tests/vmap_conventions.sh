#!/bin/sh
# SPDX-License-Identifier: MIT
# vmap at the conventions of cdb and the LMDB tools: a versioned dump read
# back and checked, the man page's dump example run verbatim, get --raw,
# values from standard input and files, --literal, "--" and negative keys
# with vmap's own message, and the documented exit codes.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
F=$T/a.vm
MAN=$(dirname "$0")/../../man/vmap.1


# The dump has a header, checked on load.
printf 'x\ny\n' | "$VMAP" create "$F" || fail "create"
"$VMAP" dump "$F" >"$T/d1" || fail "dump"
[ "$(head -n 1 "$T/d1")" = "vmap-dump 1" ] || fail "no header: $(head -n 1 "$T/d1")"
tail -n +2 "$T/d1" >"$T/nohead"
expect 2 "$VMAP" create "$T/b.vm" --dump <"$T/nohead"
grep -q "first line must be 'vmap-dump 1'" "$T/stderr" || fail "message: $(cat "$T/stderr")"
{ echo "vmap-dump 2"; cat "$T/nohead"; } >"$T/v2"
expect 2 "$VMAP" create "$T/b.vm" --dump <"$T/v2"
grep -q "version 2" "$T/stderr" || fail "message: $(cat "$T/stderr")"
[ -e "$T/b.vm" ] && fail "a refused dump made a file"

# The man page's example, as a reader sees it, run verbatim.
if command -v man >/dev/null; then
	mkdir "$T/ex" "$T/path"
	# `vmap` on PATH, whatever $VMAP is (a build, an emulator's wrapper)
	vmap_abs=$(cd "$(dirname "$VMAP")" && pwd)/$(basename "$VMAP")
	printf '#!/bin/sh\nexec "%s" "$@"\n' "$vmap_abs" >"$T/path/vmap"
	chmod +x "$T/path/vmap"
	bin=$T/path
	MANWIDTH=1000 man -l "$MAN" 2>/dev/null | sed 's/^ *//' >"$T/man.txt"
	grep -m1 "^printf 'vmap-dump 1" "$T/man.txt" >"$T/ex/make.sh" ||
		fail "no dump example in the man page"
	grep -A1 "^printf 'vmap-dump 1" "$T/man.txt" | sed -n 2p >"$T/ex/dump.sh"
	grep -qx "vmap dump m.vmap" "$T/ex/dump.sh" || fail "example: $(cat "$T/ex/dump.sh")"
	(cd "$T/ex" && PATH=$bin:$PATH sh make.sh) || fail "example: create"
	(cd "$T/ex" && PATH=$bin:$PATH sh dump.sh >got) || fail "example: dump"
	sed 's/ | vmap create.*//' "$T/ex/make.sh" >"$T/ex/bytes.sh"
	(cd "$T/ex" && sh bytes.sh >want)
	cmp "$T/ex/want" "$T/ex/got" || fail "the man page's dump does not come back"
fi

# get --raw: exactly the bytes, NULs and all, no newline; one key only.
printf 'a\0b\nc' >"$T/bin"
expect 0 "$VMAP" append "$F" "@$T/bin"
key=$(cat "$T/stdout")
expect 0 "$VMAP" get --raw "$F" "$key"
cmp "$T/bin" "$T/stdout" || fail "--raw changed the bytes"
expect 0 "$VMAP" get -r "$F" 0
[ "$(od -An -c "$T/stdout" | tr -d ' ')" = x ] || fail "-r added a newline"
expect 2 "$VMAP" get --raw "$F" 0 1

# Values from standard input (-) and files (@FILE); --literal.
printf 'from\nstdin' | "$VMAP" append "$F" - >"$T/stdout" || fail "append -"
"$VMAP" get --raw "$F" "$(cat "$T/stdout")" | cmp -s - "$T/bin" &&
	fail "stdin value is the file's"
[ "$("$VMAP" get --raw "$F" "$(cat "$T/stdout")")" = "$(printf 'from\nstdin')" ] ||
	fail "append -"
printf 'replaced' | "$VMAP" replace "$F" 0 - || fail "replace -"
[ "$("$VMAP" get "$F" 0)" = replaced ] || fail "replace - stored $("$VMAP" get "$F" 0)"
expect 0 "$VMAP" replace "$F" 1 "@$T/bin"
"$VMAP" get --raw "$F" 1 | cmp - "$T/bin" || fail "replace @FILE"
expect 0 "$VMAP" replace --literal "$F" 1 -
[ "$("$VMAP" get "$F" 1)" = - ] || fail "--literal"
expect 0 "$VMAP" append --literal "$F" @at
[ "$("$VMAP" get "$F" "$(cat "$T/stdout")")" = @at ] || fail "--literal @"
next=$("$VMAP" stat "$F" | sed -n 's/^next_key: //p')
expect 3 "$VMAP" append "$F" one "@$T/missing" three
grep -q missing "$T/stderr" || fail "message does not name the missing file"
[ "$("$VMAP" stat "$F" | sed -n 's/^next_key: //p')" = "$next" ] ||
	fail "a missing @FILE still appended the other values"
expect 2 "$VMAP" append "$F" - -
expect 2 "$VMAP" replace "$F" 0 @

# "--" and negative keys: vmap's own words, not getopt's.
expect 2 "$VMAP" get "$F" -1
grep -q "bad key '-1'" "$T/stderr" || fail "get -1: $(cat "$T/stderr")"
grep -q "invalid option" "$T/stderr" && fail "getopt's message for -1"
expect 2 "$VMAP" get "$F" -- -5
grep -q "bad key '-5'" "$T/stderr" || fail "get -- -5: $(cat "$T/stderr")"
expect 2 "$VMAP" remove "$F" 0 -12
grep -q "bad key '-12'" "$T/stderr" || fail "remove -12: $(cat "$T/stderr")"
[ "$("$VMAP" get "$F" 0)" = replaced ] || fail "a bad key still removed the good one"
expect 2 "$VMAP" dump "$F" --from -3
grep -q "bad key '-3'" "$T/stderr" || fail "dump --from -3: $(cat "$T/stderr")"
expect 2 "$VMAP" dump "$F" --frobnicate
grep -q "unknown option '--frobnicate'" "$T/stderr" || fail "$(cat "$T/stderr")"
expect 2 "$VMAP" dump "$F" --from
grep -q "needs a value" "$T/stderr" || fail "$(cat "$T/stderr")"
expect 0 "$VMAP" -- get "$F" 0

# Exit codes: 1 not found, 4 damaged, 5 busy (a writer holds the file).
expect 1 "$VMAP" get "$F" 999
mkfifo "$T/feed"
"$VMAP" append "$F" <"$T/feed" >"$T/writer.out" &
WRITER=$!
exec 3>"$T/feed"
echo held >&3
wait_until "the writer's first key" grep -q . "$T/writer.out"
expect 5 "$VMAP" replace "$F" 0 y
grep -q "another process" "$T/stderr" || fail "busy: $(cat "$T/stderr")"
expect 5 "$VMAP" append "$F" x
exec 3>&-
wait "$WRITER" || fail "the writer failed"
expect 0 "$VMAP" replace "$F" 0 y
echo ok
