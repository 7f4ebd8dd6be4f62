#!/bin/sh
# SPDX-License-Identifier: MIT
# bench_vmwatch.sh - vmwatch against inotifywait (Debian's inotify-tools):
# setup time and resident memory per watch on trees of 10k, 50k and 100k
# directories, then a directory-move check of the paths each one prints.
#
# usage: tools/bench_vmwatch.sh [VMWATCH] [SIZES...]
#   VMWATCH defaults to build/tools/vmwatch; SIZES to "10000 50000 100000".
# Trees are built under ${BENCH_DIR:-/tmp/vmwatch-bench} and kept for reruns.
#
# setup  = seconds from start until "Watches established." on stderr
#          (best of ${RUNS:-3} runs; the dentry cache is warmed first)
# B/watch = (VmRSS after setup - VmRSS on an empty tree) / directories
set -u
VMWATCH=${1:-build/tools/vmwatch}
[ $# -gt 0 ] && shift
SIZES=${*:-10000 50000 100000}
BASE=${BENCH_DIR:-/tmp/vmwatch-bench}
RUNS=${RUNS:-3}

if ! command -v inotifywait >/dev/null; then
	if [ "$(id -u)" -eq 0 ]; then
		apt-get install -y inotify-tools >/dev/null || exit 1
	else
		echo "inotifywait missing: apt-get install inotify-tools" >&2
		exit 1
	fi
fi
[ -x "$VMWATCH" ] || { echo "no vmwatch at $VMWATCH" >&2; exit 1; }

# Two watchers run one after the other, but leave room for one tree + slack.
max=0
for n in $SIZES; do [ "$n" -gt "$max" ] && max=$n; done
limit=$(sysctl -n fs.inotify.max_user_watches)
if [ "$limit" -lt $((max + 10000)) ]; then
	if [ "$(id -u)" -eq 0 ]; then
		sysctl -q fs.inotify.max_user_watches=$((max * 2 + 10000))
	else
		echo "fs.inotify.max_user_watches=$limit is too low for $max (need root)" >&2
		exit 1
	fi
fi

# make_tree DIR N: N directories, 100 per parent, two levels deep.
make_tree() {
	[ -f "$1/.complete" ] && return
	rm -rf "$1"
	mkdir -p "$1"
	awk -v n="$2" -v d="$1" 'BEGIN {
		top = int((n + 99) / 100)
		for (i = 0; i < top; i++) print d "/t" i
		for (i = 0; i < n - top; i++) print d "/t" (i % top) "/d" i
	}' | xargs mkdir
	touch "$1/.complete"
}

now() { date +%s.%N; }

# measure CMD...: prints "SECONDS RSS_KIB CPU_SECONDS" once the watcher is ready.
measure() {
	err=$(mktemp)
	start=$(now)
	"$@" >/dev/null 2>"$err" &
	pid=$!
	while ! grep -q 'Watches established.' "$err"; do
		kill -0 $pid 2>/dev/null || { cat "$err" >&2; rm -f "$err"; return 1; }
		sleep 0.01
	done
	end=$(now)
	rss=$(awk '/^VmRSS:/ { print $2 }' /proc/$pid/status)
	# CPU seconds (user + system) spent on setup: steadier than wall time
	# on a shared machine.
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' /proc/$pid/stat)
	kill $pid
	wait $pid 2>/dev/null
	rm -f "$err"
	echo "$(echo "scale=3; ($end - $start) / 1" | bc) $rss $cpu"
}

# best_of TOOL DIR: best setup time of RUNS, and the RSS of that run.
best_of() {
	best=
	best_rss=
	for r in $(seq 1 "$RUNS"); do
		res=$(measure_tool "$1" "$2") || return 1
		secs=${res%% *}
		if [ -z "$best" ] || [ "$(echo "$secs < $best" | bc)" -eq 1 ]; then
			best=$secs
			best_rss=${res#* }
		fi
	done
	echo "$best $best_rss"
}

measure_tool() {
	case $1 in
	inotifywait) measure inotifywait -m -r "$2" ;;
	vmwatch) measure "$VMWATCH" "$2" ;;
	esac
}

mkdir -p "$BASE/empty"
echo "machine: $(uname -srm), $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
echo "inotifywait: $(inotifywait --help 2>&1 | head -n 1)"
echo
printf '| %-11s | %7s | %9s | %7s | %10s | %9s |\n' tool dirs setup_s cpu_s rss_kib B/watch
printf '|-------------|---------|-----------|---------|------------|-----------|\n'
for tool in inotifywait vmwatch; do
	set -- $(best_of $tool "$BASE/empty")
	empty_rss=$2
	for n in $SIZES; do
		dir=$BASE/tree$n
		make_tree "$dir" "$n"
		find "$dir" >/dev/null # warm the dentry cache for both tools alike
		set -- $(best_of $tool "$dir")
		per=$(( ($2 - empty_rss) * 1024 / (n + 1) ))
		printf '| %-11s | %7d | %9.3f | %7.2f | %10d | %9d |\n' $tool "$n" "$1" "$3" "$2" "$per"
	done
done

# Paths after moves: the same moves under both watchers.
echo
S=$BASE/moves
rm -rf "$S"
mkdir -p "$S/a/b/c" "$S/o"
inotifywait -m -r -e create,move "$S" >"$BASE/moves.inotifywait" 2>/dev/null &
p1=$!
"$VMWATCH" -e create,move "$S" >"$BASE/moves.vmwatch" 2>/dev/null &
p2=$!
sleep 1
mv "$S/a" "$S/z"; touch "$S/z/b/c/f1"
mv "$S/z/b" "$S/y"; touch "$S/y/c/f2"
mkdir "$S/q"; mv "$S/y" "$S/q/y"; touch "$S/q/y/c/f3"
mv "$S/q" "$S/o/q"; touch "$S/o/q/y/c/f4"
sleep 1
kill $p1 $p2
wait 2>/dev/null
echo "after: mv a z; mv z/b y; mv y q/y; mv q o/q; touch .../f4 (true path $S/o/q/y/c/f4)"
echo "inotifywait: $(grep ' CREATE f4' "$BASE/moves.inotifywait")"
echo "vmwatch:     $(grep 'CREATE .*f4' "$BASE/moves.vmwatch")"
