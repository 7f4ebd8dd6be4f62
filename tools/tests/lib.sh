# SPDX-License-Identifier: MIT
# lib.sh - helpers for the tools tests: sourced, with $1 = vmap, $2 = vmwatch.
# Each test runs in its own temporary directory, removed on exit. Nothing
# here sleeps for a fixed time and hopes: every wait is for a condition,
# with a deadline (WAIT_SECONDS, default 60, for a loaded 2-core machine).

VMAP=$1
VMWATCH=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/vmap-tools.XXXXXX") || exit 1
WPID=
WAIT_SECONDS=${WAIT_SECONDS:-60}
cleanup() {
	if [ -n "$WPID" ]; then
		kill -CONT "$WPID" 2>/dev/null
		kill "$WPID" 2>/dev/null
	fi
	[ -n "$KEEP" ] || rm -rf "$T"
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

# wait_until DESCRIPTION COMMAND...: run COMMAND every 0.1 s until it
# succeeds; fail after WAIT_SECONDS.
wait_until() {
	what=$1
	shift
	tries=$((WAIT_SECONDS * 10))
	until "$@"; do
		tries=$((tries - 1))
		[ $tries -gt 0 ] || fail "timed out waiting for $what"
		sleep 0.1
	done
}

# start_watch ARGS...: run vmwatch in the background until it is ready.
start_watch() {
	need_inotify
	# Not a stale "Watches established." of an earlier run in this test.
	rm -f "$T/out" "$T/err"
	"$VMWATCH" "$@" >"$T/out" 2>"$T/err" &
	WPID=$!
	tries=$((WAIT_SECONDS * 10))
	while ! grep -q 'Watches established.' "$T/err" 2>/dev/null; do
		if ! kill -0 "$WPID" 2>/dev/null; then
			grep -q inotify_init "$T/err" && { echo "SKIP: $(cat "$T/err")"; exit 77; }
			fail "vmwatch exited during setup: $(cat "$T/err")"
		fi
		tries=$((tries - 1))
		[ $tries -gt 0 ] || fail "vmwatch setup timed out"
		sleep 0.1
	done
}

line_in_output() {
	grep -qxF -- "$1" "$T/out"
}

# wait_line LINE: wait until vmwatch has printed LINE.
wait_line() {
	wait_until "the line '$1'" line_in_output "$1"
}

# barrier DIR: create a marker in DIR and wait for its CREATE line; every
# event queued before it has then been handled.
MARKS=0
barrier() {
	MARKS=$((MARKS + 1))
	: >"$1/.barrier$MARKS"
	wait_line "CREATE $1/.barrier$MARKS"
}

# stop_watch: SIGTERM must end vmwatch with status 0.
stop_watch() {
	kill -TERM "$WPID"
	wait "$WPID"
	status=$?
	WPID=
	[ $status -eq 0 ] || fail "vmwatch exited $status on SIGTERM"
}

# expect STATUS CMD...: run CMD, check its exit status; its output is in
# $T/stdout and $T/stderr.
expect() {
	want=$1
	shift
	"$@" >"$T/stdout" 2>"$T/stderr"
	got=$?
	[ "$got" -eq "$want" ] || fail "'$*' exited $got, not $want: $(cat "$T/stderr")"
}

has_line() {
	grep -qxF -- "$1" "$T/out" || fail "missing line: $1"
}

lacks() {
	if grep -qF -- "$1" "$T/out"; then fail "unexpected output containing: $1"; fi
}

no_duplicates() {
	dups=$(grep -v '/\.barrier[0-9]*$' "$T/out" | sort | uniq -d | head -n 5)
	[ -z "$dups" ] || fail "lines reported twice: $dups"
}

# watched_inodes PID: the inode numbers a process's inotify watches are on,
# in decimal, sorted (from /proc/PID/fdinfo: "inotify wd:1 ino:2f ...").
watched_inodes() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null |
		sed -n 's/^inotify wd:[0-9a-f]* ino:\([0-9a-f]*\) .*/\1/p' |
		while read -r hex; do printf '%d\n' "0x$hex"; done | sort -n
}

tree_inodes() {
	find "$1" -type d -printf '%i\n' | sort -n
}

same_inodes() {
	watched_inodes "$WPID" >"$T/watched"
	tree_inodes "$1" >"$T/dirs"
	cmp -s "$T/watched" "$T/dirs"
}

# watches_match DIR: vmwatch watches exactly the directories of DIR: none
# missing, none gone. Waits for it (the end of a batch may still run).
watches_match() {
	tries=$((WAIT_SECONDS * 10))
	until same_inodes "$1"; do
		tries=$((tries - 1))
		if [ $tries -le 0 ]; then
			echo "unwatched: $(comm -13 "$T/watched" "$T/dirs" | wc -l)," \
			     "stale watches: $(comm -23 "$T/watched" "$T/dirs" | wc -l)" >&2
			fail "watches differ from the directories of $1"
		fi
		sleep 0.1
	done
}

# probe_tree DIR: create a file in every directory of DIR; each must be
# reported with exactly its path (so every directory is watched and its
# path in the table is right).
probe_tree() {
	PROBES=$((${PROBES:-0} + 1))
	find "$1" -type d >"$T/probe.dirs"
	while IFS= read -r d; do : >"$d/.probe$PROBES"; done <"$T/probe.dirs"
	sed "s|\$|/.probe$PROBES|; s|^|CREATE |" "$T/probe.dirs" | sort >"$T/probe.want"
	want=$(wc -l <"$T/probe.want")
	probes_in() {
		grep -c "^CREATE .*/\.probe$PROBES\$" "$T/out" | grep -qx "$want"
	}
	wait_until "$want probe lines" probes_in
	grep "^CREATE .*/\.probe$PROBES\$" "$T/out" | sort | comm -3 - "$T/probe.want" >"$T/probe.diff"
	[ -s "$T/probe.diff" ] && fail "probe lines differ (<: printed, >: expected): $(head -n 5 "$T/probe.diff")"
	return 0
}
