#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_journal.sh - events per second into vmwatch's synced journal,
# against inotifywait writing to a file with -o, and vmwatch with -o.
#
# usage: tools/bench_journal.sh [VMWATCH [VMAP]]   (as root)
#
# burst: the watcher is stopped (SIGSTOP) while EVENTS events are queued
#   (': >' on 1,000 files in turn: OPEN, MODIFY, CLOSE_WRITE each), then
#   resumed; the time from SIGCONT until its last record is written gives
#   events/s of the watcher alone. The kernel queue is raised to hold them
#   (fs.inotify.max_queued_events, restored on exit).
# live: the same writes while the watcher runs; seconds from the first
#   write to the last record, and the watcher's CPU seconds.
# Each is the best of RUNS (3). Records are counted every 5 ms.
set -u
VMWATCH=${1:-build/tools/vmwatch}
VMAP=${2:-build/tools/vmap}
EVENTS=${EVENTS:-300000}
RUNS=${RUNS:-3}
BASE=$(mktemp -d "${TMPDIR:-/tmp}/bench-journal.XXXXXX")
W=$BASE/w
OLDQ=$(cat /proc/sys/fs/inotify/max_queued_events)
PID=
cleanup() {
	[ -n "$PID" ] && kill -CONT "$PID" 2>/dev/null && kill "$PID" 2>/dev/null
	echo "$OLDQ" >/proc/sys/fs/inotify/max_queued_events
	rm -rf "$BASE"
}
trap cleanup EXIT INT TERM
echo $((EVENTS + 100000)) >/proc/sys/fs/inotify/max_queued_events || exit 1
mkdir -p "$W"
i=0
while [ $i -lt 1000 ]; do : >"$W/f$i"; i=$((i + 1)); done

writes() { # EVENTS/3 truncating opens, shell builtins (no fork)
	n=0
	end=$((EVENTS / 3))
	while [ $n -lt $end ]; do
		: >"$W/f$((n % 1000))"
		n=$((n + 1))
	done
}

now() { date +%s.%N; }
cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' /proc/"$1"/stat; }

# records KIND: how many records the watcher has written
records() {
	case $1 in
	journal*) n=$("$VMAP" stat "$BASE/j.vmap" 2>/dev/null | sed -n 's/^next_key: //p') ;;
	*) n=$(wc -l <"$BASE/out" 2>/dev/null) ;;
	esac
	echo "${n:-0}"
}

start() { # KIND
	rm -f "$BASE/out" "$BASE/j.vmap" "$BASE/err"
	case $1 in
	inotifywait) inotifywait -m -r -q -o "$BASE/out" "$W" 2>"$BASE/err" & ;;
	vmwatch-o) "$VMWATCH" -q -o "$BASE/out" "$W" 2>"$BASE/err" & ;;
	journal-sync0) "$VMWATCH" -q --journal "$BASE/j.vmap" --sync 0 "$W" 2>"$BASE/err" & ;;
	journal-sync1) "$VMWATCH" -q --journal "$BASE/j.vmap" --sync 1 "$W" 2>"$BASE/err" & ;;
	esac
	PID=$!
	sleep 1 # -q: no "Watches established." to wait for; 1,000 files are set up at once
}

wait_records() { # KIND TARGET
	while [ "$(records "$1")" -lt "$2" ]; do sleep 0.005; done
}

stop() {
	kill "$PID"
	wait "$PID" 2>/dev/null
	PID=
	grep -i overflow "$BASE/err" && echo "OVERFLOW: result invalid"
}

burst() { # KIND -> "seconds cpu"
	start "$1"
	base=$(records "$1")
	kill -STOP "$PID"
	writes
	c0=$(cpu "$PID")
	t0=$(now)
	kill -CONT "$PID"
	wait_records "$1" $((base + EVENTS / 3 * 3))
	t1=$(now)
	echo "$(echo "$t1 - $t0" | bc) $(echo "$(cpu "$PID") - $c0" | bc)"
	stop
}

live() { # KIND -> "seconds cpu"
	start "$1"
	base=$(records "$1")
	c0=$(cpu "$PID")
	t0=$(now)
	writes
	wait_records "$1" $((base + EVENTS / 3 * 3))
	t1=$(now)
	echo "$(echo "$t1 - $t0" | bc) $(echo "$(cpu "$PID") - $c0" | bc)"
	stop
}

best() { # MODE KIND
	best=
	for r in $(seq 1 "$RUNS"); do
		set -- "$1" "$2" $($1 "$2")
		if [ -z "$best" ] || [ "$(echo "$3 < ${best%% *}" | bc)" -eq 1 ]; then
			best="$3 $4"
		fi
	done
	echo "$best"
}

echo "machine: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "events per run: $((EVENTS / 3 * 3)); best of $RUNS"
echo
printf '| %-26s | %-5s | %9s | %8s | %12s |\n' watcher mode seconds cpu_s events/s
printf '|----------------------------|-------|-----------|----------|--------------|\n'
for kind in inotifywait vmwatch-o journal-sync0 journal-sync1; do
	for mode in burst live; do
		set -- $(best $mode $kind)
		printf '| %-26s | %-5s | %9.3f | %8.2f | %12.0f |\n' "$kind" "$mode" "$1" "$2" \
			"$(echo "$((EVENTS / 3 * 3)) / $1" | bc -l)"
	done
done
