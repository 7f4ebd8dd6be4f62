/* SPDX-License-Identifier: MIT */
/*
 * moves.c - a directory's rename, decided when its MOVED_FROM is handled.
 *
 * For a rename the kernel queues, in this order (fsnotify_move()):
 *
 *   MOVED_FROM (old parent, old name, cookie)    if the old parent is watched
 *   MOVED_TO   (new parent, new name, cookie)    if the new parent is watched
 *   MOVE_SELF  (the moved directory's own watch) if it is watched
 *
 * with perhaps other events between them. When a directory's MOVED_FROM is
 * handled, the rest of the batch is searched for the MOVE_SELF of the watch
 * the table has at (old parent, old name) - the kernel's word for which
 * watch moved - and, before it, the MOVED_TO with the same cookie:
 *
 *   MOVE_SELF, MOVED_TO    moved inside the tree: the watch takes its new
 *                          (parent, name), and every path below follows
 *   MOVE_SELF only         moved out: the watch and its subtree are dropped
 *   MOVED_TO only          a directory we did not watch moved inside: it is
 *                          watched at the end of the batch (arrivals.c)
 *   neither                a directory we did not watch left: nothing to do
 *
 * Both partners are claimed (EV_CLAIMED): printed in their turn, not handled
 * again. Nothing is left pending: if the MOVE_SELF is not in the batch, the
 * rest of the rename may not be queued yet, so the batch waits for it once
 * (batch_wait) and then decides. A MOVE_SELF that no MOVED_FROM claims is
 * checked against the file system instead (arrivals_check).
 */
#include <stdint.h>

#include "vmwatch.h"

#define NONE SIZE_MAX

static size_t find_self(const struct watcher *w, size_t from, int parent,
			const char *name)
{
	for (size_t at = from; at < w->batch.len; at = batch_next(w, at)) {
		const struct inotify_event *ev = batch_event(w, at);

		if ((ev->mask & (IN_MOVE_SELF | EV_CLAIMED)) == IN_MOVE_SELF &&
		    wmap_is(w, ev->wd, parent, name))
			return at;
	}
	return NONE;
}

static size_t find_to(const struct watcher *w, size_t from, size_t end,
		      uint32_t cookie)
{
	for (size_t at = from; at < end; at = batch_next(w, at)) {
		const struct inotify_event *ev = batch_event(w, at);

		if ((ev->mask & (IN_MOVED_TO | EV_CLAIMED)) == IN_MOVED_TO &&
		    ev->cookie == cookie)
			return at;
	}
	return NONE;
}

static void claim(struct watcher *w, size_t at)
{
	struct inotify_event *ev = (struct inotify_event *)(void *)(w->batch.buf + at);

	ev->mask |= EV_CLAIMED;
}

/* ev is a copy of the MOVED_FROM (the batch may move while waiting);
 * after is the offset of the event that follows it. */
void moves_from(struct watcher *w, const struct inotify_event *ev, size_t after)
{
	size_t self, to;
	int report;

	while ((self = find_self(w, after, ev->wd, ev->name)) == NONE &&
	       batch_wait(w))
		; /* more events came: look again */
	to = find_to(w, after, self != NONE ? self : w->batch.len, ev->cookie);
	if (to != NONE)
		claim(w, to);
	if (self != NONE) {
		int moved = batch_event(w, self)->wd;
		const struct inotify_event *dest = to != NONE ? batch_event(w, to) : NULL;

		claim(w, self);
		if (!dest || tree_move(w, moved, dest->wd, dest->name) < 0)
			tree_forget(w, moved);
		return;
	}
	/* Not ours: a new directory may be waiting for the end of the batch
	 * under its old name; it goes along, and so does its report flag. */
	report = arrivals_take(w, ev->wd, ev->name);
	if (to != NONE)
		arrivals_add(w, batch_event(w, to)->wd, batch_event(w, to)->name,
			     report > 0);
}
