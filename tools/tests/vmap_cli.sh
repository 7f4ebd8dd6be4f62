#!/bin/sh
# SPDX-License-Identifier: MIT
# The vmap command: round trips, subcommands, exit codes and messages.
. "$(dirname "$0")/lib.sh"
F=$T/a.vm

# Lines in, values out; --first numbers them.
printf 'one\ntwo\n\nfour' | "$VMAP" create "$F" --first 10 || fail "create"
expect 0 "$VMAP" get "$F" 10 13
[ "$(cat "$T/stdout")" = "$(printf 'one\nfour')" ] || fail "get: $(cat "$T/stdout")"
expect 0 "$VMAP" get "$F" 12
[ "$(od -An -c "$T/stdout" | tr -d ' ')" = '\n' ] || fail "empty value"

# Binary values (NUL, newline) and holes survive dump | create --dump.
printf 'vmap-dump 1\n+5,3:a\0b\n-6\n+7,5:x\ny\nz\n+8,0:\n-9\n\n' >"$T/in.dump"
"$VMAP" create "$T/b.vm" --dump <"$T/in.dump" || fail "create --dump"
"$VMAP" dump "$T/b.vm" >"$T/out.dump" || fail "dump"
cmp "$T/in.dump" "$T/out.dump" || fail "dump differs from its input"
"$VMAP" create "$T/c.vm" --dump <"$T/out.dump" || fail "create from dump"
"$VMAP" dump "$T/c.vm" | cmp - "$T/in.dump" || fail "second round trip"
expect 1 "$VMAP" get "$T/b.vm" 6
grep -q "key 6: not found" "$T/stderr" || fail "message for a hole"
"$VMAP" stat "$T/b.vm" >"$T/stat" || fail "stat"
grep -qx 'next_key: 10' "$T/stat" || fail "next_key after holes"
grep -qx 'live: 3' "$T/stat" || fail "live count"
grep -qx 'removed: 2' "$T/stat" || fail "removed count"
printf 'vmap-dump 1\n+7,5:x\ny\nz\n+8,0:\n\n' >"$T/range.dump"
"$VMAP" dump "$T/b.vm" --from 7 --to 8 | cmp - "$T/range.dump" || fail "dump --from --to"

# append prints keys; remove, replace; compact keeps keys and holes.
expect 0 "$VMAP" append "$F" five six
[ "$(cat "$T/stdout")" = "$(printf '14\n15')" ] || fail "append keys: $(cat "$T/stdout")"
expect 0 "$VMAP" remove "$F" 11
expect 1 "$VMAP" remove "$F" 11
expect 0 "$VMAP" replace "$F" 10 ONE
expect 1 "$VMAP" replace "$F" 11 x
"$VMAP" compact "$F" "$T/d.vm" || fail "compact"
"$VMAP" dump "$F" >"$T/f.dump"
"$VMAP" dump "$T/d.vm" | cmp - "$T/f.dump" || fail "compact changed the map"
[ "$("$VMAP" dump --lines "$T/d.vm")" = "$(printf 'ONE\n\nfour\nfive\nsix')" ] || fail "dump --lines"
expect 0 "$VMAP" check "$T/d.vm"
ls "$T" | grep -q tmp && fail "temporary file left behind"

# Damage: a foreign file, a broken header, a broken value: check exits 1.
printf 'not a map at all' >"$T/foreign.vm"
expect 1 "$VMAP" check "$T/foreign.vm"
grep -q "foreign.vm" "$T/stderr" || fail "message names the file"
cp "$F" "$T/hdr.vm"
printf 'XXXXXXXX' | dd of="$T/hdr.vm" bs=1 seek=0 conv=notrunc 2>/dev/null
expect 1 "$VMAP" check "$T/hdr.vm"
printf 'UNIQUEVALUE\n' | "$VMAP" create "$T/val.vm"
off=$(grep -abo UNIQUEVALUE "$T/val.vm" | head -n 1 | cut -d: -f1)
printf 'Z' | dd of="$T/val.vm" bs=1 seek=$((off + 11)) conv=notrunc 2>/dev/null
expect 1 "$VMAP" check "$T/val.vm"

# Errors: usage 2, missing file 3, foreign file 4, bad dump 2 (and FILE
# left alone).
expect 2 "$VMAP"
expect 2 "$VMAP" frobnicate
expect 2 "$VMAP" get "$F"
expect 2 "$VMAP" get "$F" -1
expect 2 "$VMAP" get "$F" 12x
expect 3 "$VMAP" get "$T/missing.vm" 1
grep -q "missing.vm" "$T/stderr" || fail "message names the missing file"
expect 4 "$VMAP" get "$T/foreign.vm" 1
expect 4 "$VMAP" dump "$T/foreign.vm"
cp "$F" "$T/keep.vm"
printf 'vmap-dump 1\n+1,5:ab\n' >"$T/bad.dump"
"$VMAP" create "$T/keep.vm" --dump <"$T/bad.dump" 2>"$T/stderr"
[ $? -eq 2 ] || fail "bad dump not exit 2"
cmp "$F" "$T/keep.vm" || fail "failed create touched the file"
printf 'vmap-dump 1\n+1,1:a\n+3,1:b\n\n' | "$VMAP" create "$T/gap.vm" --dump 2>/dev/null
[ $? -eq 2 ] || fail "gap in dump keys accepted"
expect 0 "$VMAP" --help
expect 0 "$VMAP" --version
expect 0 "$VMAP" dump --help
ls "$T" | grep -q tmp && fail "temporary file left behind"
echo ok
