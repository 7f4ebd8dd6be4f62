/* SPDX-License-Identifier: MIT */
/*
 * handle.c - one inotify event: keep the map right, then print it.
 *
 * The order matters: a MOVE_SELF is judged (inside or out of the tree)
 * before it is printed, and a new directory is printed before the entries
 * its scan finds, so output reads in the order things happened.
 */
#include <string.h>

#include "vmwatch.h"

/* How many removals between looks at whether the map needs compacting. */
#define COMPACT_EVERY 4096

static void directory_arrived(struct watcher *w, const struct inotify_event *ev)
{
	int from_parent, moved, result;
	uint64_t hash;
	int inside = moves_arrived(w, ev->cookie, &from_parent, &hash);

	/*
	 * Watching the new path returns the watch we already have when it moved
	 * inside the tree (same inode), and tree_add_dir then only updates its
	 * (parent, name): one vmap_replace, and every path below is right. A
	 * directory from outside is new: watched and scanned, but its entries are
	 * not reported as created (they were not).
	 */
	result = tree_add_dir(w, ev->wd, ev->name, 0);
	if (!inside || result >= 0)
		return;
	if (result == -2) {
		/* Moved to an excluded name: as good as out of the tree. */
		moves_keep(w, ev->cookie, from_parent, hash);
		return;
	}
	/* It moved on before we could watch it: find it by its old place. */
	moved = wmap_find(w, from_parent, hash);
	if (moved > 0)
		wmap_set(w, moved, ev->wd, ev->name, ev->len ? strlen(ev->name) : 0);
}

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

static void track_tree(struct watcher *w, const struct inotify_event *ev)
{
	uint32_t dir_event = ev->mask & IN_ISDIR;

	if (!ev->len)
		return;
	if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
		recent_take(w, ev->wd, ev->name);
	if (!dir_event)
		return;
	if (ev->mask & IN_CREATE)
		tree_add_dir(w, ev->wd, ev->name, 1);
	else if (ev->mask & IN_MOVED_FROM)
		moves_left(w, ev->cookie, ev->wd, ev->name);
	else if (ev->mask & IN_MOVED_TO)
		directory_arrived(w, ev);
}

void handle_event(struct watcher *w, const struct inotify_event *ev)
{
	const char *name = ev->len ? ev->name : NULL;

	if (ev->mask & IN_Q_OVERFLOW) {
		warn_msg("event queue overflowed, events were lost; rescanning");
		w->overflowed = 1;
		return;
	}
	if (!wmap_live(w, ev->wd))
		return; /* a watch we dropped (moved out): nothing more from it */
	if (ev->mask & IN_IGNORED) {
		wmap_forget(w, ev->wd); /* deleted, unmounted or removed by us */
		maybe_compact(w);
		return;
	}
	if ((ev->mask & IN_MOVE_SELF) && moves_went_out(w, ev->wd)) {
		tree_forget(w, ev->wd);
		return;
	}
	/* A CREATE its directory's scan already reported. */
	if ((ev->mask & IN_CREATE) && name && recent_take(w, ev->wd, name))
		return;
	print_event(w, ev->mask, ev->wd, name);
	track_tree(w, ev);
}
