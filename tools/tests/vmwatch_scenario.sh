#!/bin/sh
# SPDX-License-Identifier: MIT
# vmwatch_scenario.sh VMAP VMWATCH SCENARIO [WATCHER]
#
# Real programs (git, tar, rsync, cp, mv) working on trees built from files
# of this machine, under a watcher started before them; some steps run with
# the watcher stopped (SIGSTOP) or behind a stopped pipe reader. After each
# step the tree is snapshotted; at the end the output is checked against
# the snapshots and the final tree:
#
#   wrong      records whose path never existed at any snapshot (a stale or
#              wrong parent); git's .git and rsync's temporary files aside
#   missed     entries created in a step and present at its end with no
#              CREATE or MOVED_TO record of exactly that path
#   unwatched  directories of the final tree without a watch, and
#   stale      watches on directories no longer in it (/proc/PID/fdinfo)
#   probes     of one new file in every final directory, records missing or
#              with a wrong path
#
# WATCHER is vmwatch (default: every count must be 0, else exit 1) or
# inotifywait (the same counts, printed for comparison; always exit 0).
# Scenarios: git tar rsync cpmv deep names storm overflow.
# VMWATCH_SCENARIO_SCALE (default 1) multiplies the sizes (CI: 1).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C # names are bytes, not necessarily UTF-8
SCENARIO=$3
WATCHER=${4:-vmwatch}
SCALE=${VMWATCH_SCENARIO_SCALE:-1}
R=$T/root
SNAPS=0
STARTED=$(date +%s)
mkdir -p "$R" "$T/snap"

# The output is NUL-ended records: show it as lines (see records).
fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/out" ]; then
		echo "--- watcher output (last 20 records):" >&2
		tr '\n\0' '\001\n' <"$T/out" | tail -n 20 >&2
		cat "$T/err" >&2
	fi
	exit 1
}

need() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
	done
}

# --- the watcher -------------------------------------------------------

# Records are NUL-ended, so names with newlines are checked too; records()
# turns them into lines with each newline in a name shown as \001.
records() {
	tr '\n\0' '\001\n' <"$T/out" | sed 's|/$||' >"$T/lines"
}

record_present() {
	records
	grep -qxF -- "$1" "$T/lines"
}

# barrier: every event before it has been handled (see lib.sh).
barrier() {
	MARKS=$((MARKS + 1))
	: >"$R/.barrier$MARKS"
	wait_until "barrier $MARKS" record_present "CREATE $R/.barrier$MARKS"
}

watch_tree() {
	need_inotify
	rm -f "$T/out" "$T/err"
	case $WATCHER in
	vmwatch)
		if [ -n "$PIPED" ]; then
			# A slow reader: vmwatch writes into a pipe read by cat,
			# which is stopped for a while (vmwatch then blocks).
			mkfifo "$T/fifo"
			cat "$T/fifo" >"$T/out" &
			CATPID=$!
			"$VMWATCH" --null "$R" >"$T/fifo" 2>"$T/err" &
		else
			"$VMWATCH" --null "$R" >"$T/out" 2>"$T/err" &
		fi ;;
	inotifywait)
		need inotifywait
		inotifywait -m -r --no-newline --format '%e %w%f%0' "$R" \
			>"$T/out" 2>"$T/err" & ;;
	esac
	WPID=$!
	wait_until "the watches" grep -qs 'Watches established.' "$T/err"
}

pause() { kill -STOP "$WPID"; }
resume() { kill -CONT "$WPID"; }

# --- snapshots ---------------------------------------------------------

# listing DIR: "ID PATH" per entry, ID telling a new entry from an old one:
# a directory's inode; a file's inode and change time (inodes are reused
# at once, and a file made anew in place of another may get the same one).
listing() {
	{
		find "$1" -type d -printf '%i %p\0'
		find "$1" ! -type d -printf '%i.%C@ %p\0'
	} | tr '\n\0' '\001\n'
}

# remember PATH: paths that exist now only between two snapshots.
remember() {
	listing "$1" >>"$T/snap/between"
}

# snapshot: record every path (and inode) now, after the step's events.
snapshot() {
	barrier
	SNAPS=$((SNAPS + 1))
	echo "$MARKS" >"$T/marks.$SNAPS" # the barrier that ends this step
	listing "$R" >"$T/snap/$SNAPS"
}

# --- checks ------------------------------------------------------------

ignored_path() {
	# .git internals, rsync's temporary names, our own markers
	grep -Ev "/\.git(/|\$)|/\.[^/]*\.[A-Za-z0-9]{6}\$|/\.barrier[0-9]+\$|/\.probe[0-9]*\$"
}

count_wrong() {
	cat "$T/snap/"* | cut -d' ' -f2- | sort -u >"$T/known"
	cut -d' ' -f2- "$T/lines" | ignored_path | sort -u >"$T/printed"
	comm -23 "$T/printed" "$T/known" >"$T/wrong"
	WRONG=$(grep -c . "$T/lines.wrong" 2>/dev/null || true)
	# count records, not distinct paths
	awk 'NR == FNR { bad[$0]; next } { p = $0; sub(/^[^ ]* /, "", p) } p in bad' \
		"$T/wrong" "$T/lines" >"$T/lines.wrong"
	WRONG=$(wc -l <"$T/lines.wrong")
}

# Entries new in snapshot k (ID not in k-1, see listing) must have a CREATE
# or MOVED_TO record of their path at k, printed during step k (between
# the barriers that end steps k-1 and k).
count_missed() {
	: >"$T/missed"
	k=2
	while [ $k -le "$SNAPS" ]; do
		awk -v from="CREATE $R/.barrier$(cat "$T/marks.$((k - 1))")" \
		    -v to="CREATE $R/.barrier$(cat "$T/marks.$k")" \
			'$0 == from { on = 1; next } $0 == to { on = 0 } on' "$T/lines" |
			grep -E '^(CREATE|MOVED_TO)(,ISDIR)? ' | cut -d' ' -f2- | sort -u >"$T/made"
		cut -d' ' -f1 "$T/snap/$((k - 1))" | sort -u >"$T/before"
		sort -k1,1 "$T/snap/$k" | join -v1 - "$T/before" | cut -d' ' -f2- |
			ignored_path | sort -u | comm -23 - "$T/made" >>"$T/missed"
		k=$((k + 1))
	done
	MISSED=$(wc -l <"$T/missed")
}

count_watches() {
	watched_inodes "$WPID" >"$T/watched"
	find "$R" -type d -printf '%i\n' | sort -n >"$T/dirs"
	UNWATCHED=$(comm -13 "$T/watched" "$T/dirs" | wc -l)
	STALE=$(comm -23 "$T/watched" "$T/dirs" | wc -l)
}

settled_watches() {
	count_watches
	[ "$UNWATCHED" -eq 0 ] && [ "$STALE" -eq 0 ]
}

count_probes() {
	find "$R" -type d -print0 >"$T/probe.dirs"
	find "$R" -type d -exec sh -c 'for d; do : >"$d/.probe"; done' sh {} +
	tr '\n\0' '\001\n' <"$T/probe.dirs" | sed 's|^|CREATE |; s|$|/.probe|' |
		sort >"$T/probe.want"
	barrier
	records
	grep '^CREATE .*/\.probe$' "$T/lines" | sort | comm -13 - "$T/probe.want" >"$T/probe.missing"
	PROBES=$(wc -l <"$T/probe.missing")
}

finish() {
	barrier
	records
	count_wrong
	[ "$SCENARIO" = overflow ] && MISSED=- || count_missed
	if [ "$WATCHER" = vmwatch ]; then
		# the end of the last batch may still be running: wait for it
		tries=$((WAIT_SECONDS * 10))
		until settled_watches || [ $tries -le 0 ]; do
			tries=$((tries - 1))
			sleep 0.1
		done
	else
		count_watches
	fi
	count_probes
	LINES=$(wc -l <"$T/lines")
	# vmwatch says so on stderr; inotifywait drops events without a word
	if [ "$WATCHER" = vmwatch ]; then
		OVERFLOW=$(grep -c 'event queue overflowed' "$T/err")
	else
		OVERFLOW=n/a
	fi
	kill -CONT "$WPID" 2>/dev/null
	kill "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
	WPID=
	echo "scenario=$SCENARIO watcher=$WATCHER scale=$SCALE dirs=$(wc -l <"$T/dirs")" \
	     "records=$LINES wrong=$WRONG missed=$MISSED unwatched=$UNWATCHED" \
	     "stale=$STALE probes_bad=$PROBES overflow=$OVERFLOW" \
	     "seconds=$(($(date +%s) - STARTED))"
	[ "$WATCHER" = vmwatch ] || exit 0
	for f in lines.wrong missed probe.missing; do
		if [ -s "$T/$f" ]; then
			echo "--- $f (first 10):" >&2
			head -n 10 "$T/$f" >&2
		fi
	done
	[ "$WRONG" -eq 0 ] && [ "$MISSED" = - -o "$MISSED" = 0 ] &&
		[ "$UNWATCHED" -eq 0 ] && [ "$STALE" -eq 0 ] && [ "$PROBES" -eq 0 ] ||
		fail "the watcher's view differs from the tree"
	if [ "$SCENARIO" = overflow ]; then
		[ "$OVERFLOW" -gt 0 ] || fail "the queue did not overflow"
	elif [ "$OVERFLOW" -gt 0 ]; then
		fail "unexpected overflow: $(cat "$T/err")"
	fi
	echo ok
}

# --- source trees from this machine -------------------------------------

# source DIR FROM COUNT: the first COUNT files of FROM (sorted), with their
# directories, copied to DIR.
source_tree() {
	mkdir -p "$1"
	find "$2" -type f 2>/dev/null | sort | head -n "$3" |
		tar -cf - -T - 2>/dev/null | tar -xf - -C "$1"
}

n() { echo $(($1 * SCALE)); }

# --- scenarios ----------------------------------------------------------

scenario_git() {
	need git
	G=$R/repo
	source_tree "$T/a" /usr/include "$(n 800)"
	source_tree "$T/b" /usr/share/doc "$(n 400)"
	mkdir -p "$G"
	git -C "$G" init -q -b one
	git -C "$G" config user.email t@example.org
	git -C "$G" config user.name test
	cp -a "$T/a/." "$G/"
	git -C "$G" add -A && git -C "$G" commit -qm one
	git -C "$G" checkout -q -b two
	# two: a third of the directories gone, others new, files changed
	find "$G/usr/include" -mindepth 1 -maxdepth 1 -type d | sort | awk 'NR % 3 == 0' |
		xargs rm -rf
	cp -a "$T/b/." "$G/"
	find "$G/usr/include" -type f | sort | awk 'NR % 5 == 0' |
		while IFS= read -r f; do echo changed >>"$f"; done
	git -C "$G" add -A && git -C "$G" commit -qm two
	watch_tree
	snapshot
	# Checkout 4 with the watcher stopped (small enough for the default
	# queue even at scale 4: two stopped checkouts overflow it there).
	for i in 1 2 3 4 5 6 7 8 9 10; do
		[ $i -eq 4 ] && pause
		if [ $((i % 2)) -eq 1 ]; then
			git -C "$G" checkout -q one
		else
			git -C "$G" checkout -q two
		fi
		[ $i -eq 4 ] && resume
		snapshot
	done
}

scenario_tar() {
	source_tree "$T/src" /usr/share/doc "$(n 1500)"
	tar -cf "$T/src.tar" -C "$T/src" .
	watch_tree
	snapshot
	mkdir "$R/x" "$R/y"
	tar -xf "$T/src.tar" -C "$R/x"
	snapshot
	pause
	tar -xf "$T/src.tar" -C "$R/y"
	resume
	snapshot
	tar -xf "$T/src.tar" -C "$R/x" # again, over itself
	snapshot
}

scenario_rsync() {
	need rsync
	source_tree "$T/a" /usr/include "$(n 1000)"
	cp -a "$T/a" "$T/b"
	find "$T/b/usr/include" -mindepth 1 -maxdepth 1 -type d | sort |
		awk 'NR % 3 == 0' | xargs rm -rf
	source_tree "$T/b" /usr/share/doc "$(n 300)"
	watch_tree
	snapshot
	rsync -a --delete "$T/a/" "$R/m/"
	snapshot
	rsync -a --delete "$T/b/" "$R/m/"
	snapshot
	pause
	rsync -a --delete "$T/a/" "$R/m/"
	resume
	snapshot
}

scenario_cpmv() {
	source_tree "$T/src" /usr/share/doc "$(n 1500)"
	source_tree "$T/src" /usr/include "$(n 1500)"
	watch_tree
	snapshot
	cp -a "$T/src" "$R/c1"
	snapshot
	mv "$R/c1" "$R/c2"
	touch "$R/c2/usr/after-mv"
	snapshot
	pause
	mkdir "$R/sub"
	mv "$R/c2" "$R/sub/c3"
	cp -a "$T/src/usr/include" "$R/sub/c3/again"
	resume
	snapshot
}

scenario_deep() {
	watch_tree
	snapshot
	d=$R/d
	i=0
	while [ $i -lt 200 ]; do
		d=$d/l$i
		i=$((i + 1))
	done
	mkdir -p "$d"
	d=$R/d
	i=0
	while [ $i -lt 200 ]; do
		d=$d/l$i
		[ $((i % 10)) -eq 0 ] && : >"$d/f$i"
		i=$((i + 1))
	done
	snapshot
	mid=$(find "$R/d" -type d -name l100)
	mv "$mid" "$R/d/moved"
	snapshot
	pause
	mv "$R/d/moved" "$R/d/l0/back"
	mkdir -p "$R/d/l0/back/l101/new/deeper"
	resume
	snapshot
}

scenario_names() {
	long=$(printf 'n%.0s' $(seq 1 255))
	odd=$(printf 'bad\377\376name')
	nl=$(printf 'new\nline')
	watch_tree
	snapshot
	for name in "$long" "$odd" "$nl" 'sp ace' 'com,ma' 'quo"te' '-dash' '@at'; do
		mkdir "$R/$name"
		: >"$R/$name/$name"
		mkdir "$R/$name/sub"
	done
	snapshot
	pause
	mv "$R/$long" "$R/x$odd"
	mv "$R/$nl" "$R/x$odd/$nl"
	resume
	snapshot
	mv "$R/x$odd" "$R/$long"
	snapshot
}

scenario_storm() {
	for i in $(seq 0 19); do mkdir -p "$R/d$i/a/b" "$R/d$i/c"; done
	PIPED=1 watch_tree
	snapshot
	round=0
	while [ $round -lt $(n 25) ]; do
		[ $round -eq 5 ] && kill -STOP "$CATPID"
		mv "$R/d0" "$R/tmp"
		remember "$R/tmp"
		for i in $(seq 1 19); do mv "$R/d$i" "$R/d$((i - 1))"; done
		mv "$R/tmp" "$R/d19"
		[ $round -eq 15 ] && kill -CONT "$CATPID"
		[ $round -ge 5 ] && [ $round -lt 15 ] || snapshot
		round=$((round + 1))
	done
	mv "$R/d3/a" "$R/d7/a3"
	mkdir "$R/d7/a3/new"
	snapshot
}

scenario_overflow() {
	max=$(cat /proc/sys/fs/inotify/max_queued_events)
	[ "$max" -le 1000000 ] || { echo "SKIP: max_queued_events=$max is too large to fill"; exit 77; }
	for i in $(seq 0 29); do mkdir -p "$R/d$i/a"; done
	watch_tree
	snapshot
	pause
	mkdir "$R/new1"
	mv "$R/d3" "$R/new1/d3"
	# Each ': >' is OPEN, MODIFY and CLOSE_WRITE: fill the queue and more.
	i=0
	end=$((max / 3 + 2000))
	while [ $i -lt $end ]; do
		: >"$R/busy"
		i=$((i + 1))
	done
	mkdir -p "$R/new2/x/y"
	mv "$R/d4" "$R/new2/x/d4"
	rm -r "$R/d5"
	resume
	# Events are lost until the full queue is read, barriers included:
	# wait for the rescan (vmwatch) or for a marker that gets through.
	if [ "$WATCHER" = vmwatch ]; then
		wait_until "the rescan" grep -qs 'Watches re-established' "$T/err"
	else
		WAIT_SECONDS=2
		until (barrier) 2>/dev/null; do MARKS=$((MARKS + 1)); done
		MARKS=$((MARKS + 1))
		WAIT_SECONDS=60
	fi
	snapshot
}

case $SCENARIO in
git | tar | rsync | cpmv | deep | names | storm | overflow) "scenario_$SCENARIO" ;;
*) echo "unknown scenario '$SCENARIO'" >&2; exit 2 ;;
esac
finish
