# SPDX-License-Identifier: MIT
# lib.sh - helpers for the tools tests: sourced, with $1 = vmap, $2 = vmwatch.
# Each test runs in its own temporary directory, removed on exit.

VMAP=$1
VMWATCH=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/vmap-tools.XXXXXX") || exit 1
WPID=
cleanup() {
	[ -n "$WPID" ] && kill "$WPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/out" ]; then
		echo "--- vmwatch output (last 40 lines):" >&2
		tail -n 40 "$T/out" >&2
		cat "$T/err" >&2
	fi
	exit 1
}

need_inotify() {
	[ -r /proc/sys/fs/inotify/max_user_watches ] || { echo "SKIP: no inotify"; exit 77; }
}

# start_watch ARGS...: run vmwatch in the background until it is ready.
start_watch() {
	need_inotify
	"$VMWATCH" "$@" >"$T/out" 2>"$T/err" &
	WPID=$!
	i=0
	while ! grep -q 'Watches established.' "$T/err" 2>/dev/null; do
		if ! kill -0 "$WPID" 2>/dev/null; then
			grep -q inotify_init "$T/err" && { echo "SKIP: $(cat "$T/err")"; exit 77; }
			fail "vmwatch exited during setup: $(cat "$T/err")"
		fi
		i=$((i + 1))
		[ $i -gt 600 ] && fail "vmwatch setup timed out"
		sleep 0.1
	done
}

# settle: wait until the output has not grown for a second.
settle() {
	last=-1
	while :; do
		now=$(wc -c <"$T/out")
		[ "$now" = "$last" ] && return
		last=$now
		sleep 1
	done
}

# stop_watch: SIGTERM must end vmwatch with status 0.
stop_watch() {
	settle
	kill -TERM "$WPID"
	wait "$WPID"
	status=$?
	WPID=
	[ $status -eq 0 ] || fail "vmwatch exited $status on SIGTERM"
}

has_line() {
	grep -qxF -- "$1" "$T/out" || fail "missing line: $1"
}

lacks() {
	if grep -qF -- "$1" "$T/out"; then fail "unexpected output containing: $1"; fi
}

no_duplicates() {
	dups=$(sort "$T/out" | uniq -d | head -n 5)
	[ -z "$dups" ] || fail "lines reported twice: $dups"
}
