/* SPDX-License-Identifier: MIT */
/*
 * handle.c - the events of a batch, one by one, in queue order: print each
 * with its path as the table has it at that point, then keep the table
 * right. A directory's MOVED_FROM decides its whole rename (moves.c); a
 * directory that appeared is looked at on the file system only at the end
 * of the batch (arrivals.c).
 */
#include <limits.h>
#include <string.h>

#include "vmwatch.h"

/* How many removals between looks at whether the map needs compacting. */
#define COMPACT_EVERY 4096

static void maybe_compact(struct watcher *w)
{
	struct vmap_stat st;

	if (w->removals < COMPACT_EVERY || vmap_stat(w->map, &st) < 0)
		return;
	w->removals = 0;
	/* Compact when dead entries outnumber the live ones. */
	if (st.removed > st.live)
		wmap_compact(w);
}

/* next: the offset of the event after ev, where a rename's partners are. */
static void track_tree(struct watcher *w, const struct inotify_event *ev, size_t next)
{
	if (!ev->len)
		return;
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
		recent_take(w, ev->wd, ev->name); /* so that a re-creation is printed */
	if (!(ev->mask & IN_ISDIR))
		return;
	if (ev->mask & IN_CREATE)
		arrivals_add(w, ev->wd, ev->name, 1);
	else if (ev->mask & IN_DELETE)
		arrivals_drop(w, ev->wd, ev->name);
	else if (ev->mask & IN_MOVED_FROM)
		moves_from(w, ev, next);
	else if (ev->mask & IN_MOVED_TO)
		arrivals_add(w, ev->wd, ev->name, 0); /* from outside the tree */
}

static void handle_one(struct watcher *w, const struct inotify_event *ev, size_t next)
{
	const char *name = ev->len ? ev->name : NULL;

	if (ev->mask & IN_Q_OVERFLOW) {
		warn_msg("event queue overflowed, events were lost; rescanning");
		w->resync = 1;
		return;
	}
	if (!wmap_live(w, ev->wd))
		return; /* a watch we dropped (moved out): nothing more from it */
	if (ev->mask & IN_IGNORED) {
		wmap_forget(w, ev->wd); /* deleted, unmounted or removed by us */
		maybe_compact(w);
		return;
	}
	/* A MOVE_SELF no rename claimed (a root's, or one read too late). */
	if ((ev->mask & (IN_MOVE_SELF | EV_CLAIMED)) == IN_MOVE_SELF)
		arrivals_check(w, ev->wd);
	/* A CREATE its directory's scan already reported. */
	if ((ev->mask & IN_CREATE) && name && recent_take(w, ev->wd, name))
		return;
	print_event(w, ev->mask & ~EV_CLAIMED, ev->wd, name);
	if (!(ev->mask & EV_CLAIMED))
		track_tree(w, ev, next);
}

/*
 * The offset past the batch's last event that can move or remove a
 * directory. Before it, the table may still change under a path; after it,
 * a directory that appeared can be looked up at once.
 */
static size_t moves_end(const struct watcher *w)
{
	size_t end = w->batch.at;

	for (size_t at = w->batch.at; at < w->batch.len; at = batch_next(w, at)) {
		uint32_t m = batch_event(w, at)->mask;

		if (((m & IN_ISDIR) && (m & (IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE))) ||
		    (m & (IN_MOVE_SELF | IN_DELETE_SELF | IN_Q_OVERFLOW)))
			end = batch_next(w, at);
	}
	return end;
}

void handle_events(struct watcher *w)
{
	/* A copy: handling may read more events, and the batch may move. */
	union {
		struct inotify_event ev;
		char bytes[sizeof(struct inotify_event) + NAME_MAX + 1 + 16];
	} copy;
	size_t known_len = 0, safe = 0;

	while (w->batch.at < w->batch.len && !w->resync) {
		size_t at = w->batch.at, next = batch_next(w, at);

		if (next - at > sizeof copy)
			fatal("malformed inotify event");
		memcpy(&copy, batch_event(w, at), next - at);
		w->batch.at = next;
		handle_one(w, &copy.ev, next);
		if (w->batch.len != known_len) { /* first pass, or more was read */
			known_len = w->batch.len;
			safe = moves_end(w);
		}
		if (w->arrivals.count && w->batch.at >= safe && !w->resync)
			arrivals_run(w, 0);
	}
}
