#!/bin/sh
# SPDX-License-Identifier: MIT
# Damaged data is never printed as good. A 3,000-key file (values of many
# sizes, some holes, some replaced) gets one byte flipped at each of many
# offsets spread over the whole file; for each copy:
#   dump  exits 0 only when its output is the original dump, byte for
#         byte; else 4 (damage) with a message naming the first damaged key
#         or the damaged header, and no end line (so the dump cannot be
#         loaded as a shorter map);
#   get   of every key exits 0 only when it prints every original value;
#         else 4, never 1: a damaged key is not "not found";
#   compact and create --dump of its dump never make a file with the data
#         gone.
# VMAP_DAMAGE_OFFSETS sets the number of offsets (default 120).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C
F=$T/good.vm
N=3000
OFFSETS=${VMAP_DAMAGE_OFFSETS:-120}

# Values from 0 to ~600 bytes, every 100th key removed, every 70th replaced.
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) { s = "v" i ":";
	for (j = 0; j < (i * 37) % 600; j++) s = s sprintf("%c", 97 + (i + j) % 26);
	print s } }' | "$VMAP" create "$F" || fail "create"
i=0
while [ $i -lt $N ]; do
	[ $((i % 100)) -eq 99 ] && echo $i
	i=$((i + 1))
done | xargs "$VMAP" remove "$F" || fail "remove"
for k in 70 700 1400 2100 2800; do "$VMAP" replace "$F" $k "new $k" || fail "replace"; done
"$VMAP" dump "$F" >"$T/good.dump" || fail "dump of the good file"
seq 0 $((N - 1)) >"$T/keys"
"$VMAP" get "$F" $(cat "$T/keys") >"$T/good.get" 2>/dev/null
[ $? -eq 1 ] || fail "get of a file with holes must say 1"

size=$(wc -c <"$F")
caught=0
same=0
o=0
while [ $o -lt "$OFFSETS" ]; do
	# spread over the file, not on a fixed stride that would miss kinds
	off=$(( (o * 7919 + o * o * 13) % size ))
	cp "$F" "$T/bad.vm"
	byte=$(od -An -tu1 -j "$off" -N1 "$F" | tr -d ' ')
	printf "$(printf '\\%03o' $(( (byte ^ 0x5a) & 255 )))" |
		dd of="$T/bad.vm" bs=1 seek="$off" conv=notrunc 2>/dev/null
	"$VMAP" dump "$T/bad.vm" >"$T/bad.dump" 2>"$T/err"
	status=$?
	if [ $status -eq 0 ]; then
		cmp -s "$T/good.dump" "$T/bad.dump" ||
			fail "offset $off: dump exited 0 with other data"
		same=$((same + 1))
	else
		[ $status -eq 4 ] || [ $status -eq 3 ] ||
			fail "offset $off: dump exited $status: $(cat "$T/err")"
		grep -q "damaged\|not a vector_map" "$T/err" || fail "offset $off: $(cat "$T/err")"
		[ "$(tail -c 2 "$T/bad.dump" | od -An -c | tr -d ' ')" = '\n\n' ] &&
			fail "offset $off: a failed dump has an end line"
		caught=$((caught + 1))
	fi
	"$VMAP" get "$T/bad.vm" $(cat "$T/keys") >"$T/bad.get" 2>"$T/err"
	status=$?
	case $status in
	0) fail "offset $off: get said every key is live" ;;
	1) cmp -s "$T/good.get" "$T/bad.get" ||
		fail "offset $off: get exited 1 with other values: $(head -n 3 "$T/err")" ;;
	3 | 4) ;;
	*) fail "offset $off: get exited $status" ;;
	esac
	if "$VMAP" compact "$T/bad.vm" "$T/copy.vm" 2>/dev/null; then
		"$VMAP" dump "$T/copy.vm" | cmp -s - "$T/good.dump" ||
			fail "offset $off: compact copied other data"
	fi
	o=$((o + 1))
done
echo "offsets: $OFFSETS, damage reported: $caught, flips that changed nothing read: $same"
[ $caught -gt 0 ] || fail "no flip was noticed: the test is not testing"
echo ok
