/* SPDX-License-Identifier: MIT */
/*
 * arrivals.c - what must be looked up on the file system at the end of a
 * batch, once the table has caught up with every event read:
 *
 *   - directories that appeared (CREATE, or MOVED_TO of one we did not
 *     watch), kept as (parent watch, name): watched and scanned, and for a
 *     created one its entries reported;
 *   - watches whose MOVE_SELF no rename claimed (moves.c): checked to be
 *     where the table says (an arrival that expects that watch).
 *
 * They run as soon as no event left in the batch can move or remove a
 * directory (handle.c), so that a new directory's entries are printed
 * right after it in the common case, and at the end of the batch in any
 * case. The parent is reached through locate() and the entry through
 * openat() on it, so the directory found is the one at (parent, name) now. When the
 * parent is not where the table says, the queue holds renames not handled
 * yet: the arrival waits for the next batch. When the queue is empty and it
 * still cannot be found, or a watch is not where it should be, the table is
 * wrong somewhere: the whole tree is walked again (scan_resync) rather than
 * guessed at.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "vmwatch.h"

/* Batches an arrival may wait for its parent before the tree is walked
 * again; each one handles renames that were still queued. */
#define MAX_TRIES 4

static const char *name_of(const struct watcher *w, const struct arrival *a)
{
	return w->arrivals.names.s + a->name;
}

static struct arrival *find(struct watcher *w, int parent, const char *name)
{
	for (size_t i = 0; i < w->arrivals.count; i++) {
		struct arrival *a = &w->arrivals.list[i];

		if (a->parent == parent && a->expect == 0 &&
		    strcmp(name_of(w, a), name) == 0)
			return a;
	}
	return NULL;
}

static void push(struct watcher *w, int parent, const char *name, int report,
		 int expect)
{
	struct arrivals *l = &w->arrivals;
	struct arrival *a;

	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->list = xrealloc(l->list, l->cap, sizeof *l->list);
	}
	a = &l->list[l->count++];
	a->parent = parent;
	a->report = report;
	a->tries = 0;
	a->expect = expect;
	a->name = l->names.len;
	sb_add(&l->names, name, strlen(name) + 1);
}

void arrivals_add(struct watcher *w, int parent, const char *name, int report)
{
	struct arrival *a = find(w, parent, name);

	if (a)
		a->report |= report;
	else
		push(w, parent, name, report, 0);
}

/* The arrival (parent, name) is gone: 1 or 0, its report flag; -1 if none. */
int arrivals_take(struct watcher *w, int parent, const char *name)
{
	struct arrival *a = find(w, parent, name);

	if (!a)
		return -1;
	a->parent = 0; /* dead: skipped, then dropped by arrivals_run */
	return a->report;
}

void arrivals_drop(struct watcher *w, int parent, const char *name)
{
	arrivals_take(w, parent, name);
}

/* A MOVE_SELF no rename claimed: is wd still where the table says? */
void arrivals_check(struct watcher *w, int wd)
{
	const char *name;
	int parent = wmap_parent(w, wd, &name);

	if (parent > 0)
		push(w, parent, name, 0, wd);
}

void arrivals_clear(struct watcher *w)
{
	w->arrivals.count = 0;
	sb_reset(&w->arrivals.names);
}

/* The parent could not be found: wait for the queue, or give up on the
 * table. Returns 1 to keep the arrival. Before the end of the batch the
 * events still to handle may explain it: keep it, and count no try. */
static int retry(struct watcher *w, struct arrival *a, int final)
{
	if (!final || (!queue_empty(w) && ++a->tries <= MAX_TRIES))
		return 1;
	w->resync = 1;
	return 0;
}

/* A new directory at (parent, name), held by fd: watch and scan it with
 * its parent quiet, so that reading it reports nothing. */
static void watch_new(struct watcher *w, struct arrival *a, int pfd, int fd, int wd)
{
	int quiet = w->mask != w->quiet_mask;

	if (wmap_set(w, wd, a->parent, name_of(w, a), strlen(name_of(w, a))) < 0)
		fatal("watch table: out of memory");
	if (quiet)
		watch_fd(w, pfd, w->quiet_mask);
	scan_new(w, wd, fd, a->report);
	if (quiet)
		watch_fd(w, pfd, w->mask);
}

/* The directory at (parent, name) is held by fd and its watch is wd. */
static void found(struct watcher *w, struct arrival *a, int pfd, int fd, int wd)
{
	if (a->expect) {
		if (wd != a->expect) {
			unwatch(w, wd);
			w->resync = 1; /* the watch is not where the table says */
		}
	} else if (!wmap_live(w, wd)) {
		watch_new(w, a, pfd, fd, wd);
	} else if (!wmap_is(w, wd, a->parent, name_of(w, a))) {
		/* A watch we know, found here: the file system is the truth. */
		if (tree_move(w, wd, a->parent, name_of(w, a)) < 0)
			tree_forget(w, wd);
	}
}

/* 1: keep the arrival for later; 0: done with it. */
static int arrive(struct watcher *w, struct arrival *a, struct strbuf *path, int final)
{
	int pfd, fd, wd;

	if (!wmap_live(w, a->parent) || (a->expect && !wmap_live(w, a->expect)))
		return 0;
	pfd = locate(w, a->parent);
	if (pfd < 0)
		return retry(w, a, final);
	sb_reset(path);
	sb_add(path, w->path.s, w->path.len);
	path_join(path, name_of(w, a));
	if (excluded(w, path->s)) {
		close(pfd);
		return 0;
	}
	fd = openat(pfd, name_of(w, a), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && a->expect)
		w->resync = 1; /* the watch is not where the table says */
	else if (fd < 0)
		warn_unwatchable(path->s, errno, 0); /* quiet if gone meanwhile */
	else if ((wd = probe_fd(w, fd)) < 0)
		warn_unwatchable(path->s, -wd, 0);
	else
		found(w, a, pfd, fd, wd);
	if (fd >= 0)
		close(fd);
	close(pfd);
	return 0;
}

void arrivals_run(struct watcher *w, int final)
{
	struct arrivals *l = &w->arrivals;
	struct strbuf path = { NULL, 0, 0 };
	size_t kept = 0;

	/* Arrivals added while running (none today) would land past count. */
	for (size_t i = 0; i < l->count && !w->resync; i++) {
		struct arrival a = l->list[i];

		if (a.parent > 0 && arrive(w, &a, &path, final))
			l->list[kept++] = a;
	}
	sb_free(&path);
	if (w->resync || kept == 0)
		arrivals_clear(w);
	else
		l->count = kept; /* their names stay in the arena until it empties */
}
