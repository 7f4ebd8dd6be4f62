/* SPDX-License-Identifier: MIT */
/*
 * tree.c - the watched tree as a whole: setting it up, one cycle of
 * reading and handling the queue, moving and dropping subtrees.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "vmwatch.h"

/* A scan holds one descriptor per level of the tree: allow as many as the
 * hard limit lets, as deep trees need them. */
static void raise_open_files(void)
{
	struct rlimit r;

	if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
		r.rlim_cur = r.rlim_max;
		setrlimit(RLIMIT_NOFILE, &r);
	}
}

void tree_setup(struct watcher *w)
{
	int proc = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int err;

	if (proc < 0)
		fatal("/proc/self/fd: %s (vmwatch watches directories through "
		      "it: mount /proc)", strerror(errno));
	close(proc);
	raise_open_files();
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0 && errno == EMFILE)
		fatal("inotify_init1: too many inotify instances; raise "
		      "'sysctl fs.inotify.max_user_instances=N'");
	if (w->fd < 0)
		fatal("inotify_init1: %s", strerror(errno));
	err = vmap_new(&w->map);
	if (err < 0)
		fatal("watch table: %s", vmap_strerror(err));
	w->root_wd = xrealloc(NULL, (size_t)w->root_count, sizeof *w->root_wd);
	for (int i = 0; i < w->root_count; i++)
		w->root_wd[i] = 0;
	scan_resync(w, 1);
}

/*
 * Read what is queued and handle it, then watch what appeared; again while
 * scans read more, or arrivals wait for renames still queued. After an
 * overflow, or when the table proves wrong, walk the tree again.
 */
void tree_cycle(struct watcher *w)
{
	batch_start(w);
	batch_fill(w);
	for (;;) {
		w->batch.settled = 0;
		w->batch.wait_until_ms = 0;
		handle_events(w);
		if (!w->resync)
			arrivals_run(w, 1);
		if (w->resync) {
			scan_resync(w, 0);
			if (!w->quiet)
				warn_msg("Watches re-established.");
			continue;
		}
		if (w->batch.at < w->batch.len)
			continue; /* the scans read more */
		if (w->arrivals.count == 0)
			break;
		batch_start(w);
		batch_fill(w);
	}
	if (queue_empty(w))
		recent_clear(w); /* every CREATE a scan could double is behind us */
}

/*
 * Give watch wd the place (parent, name). Returns -1 if that place is not
 * watched (an excluded name, a parent we do not watch): the caller drops
 * the subtree. A place below wd itself is a loop only a wrong table can
 * make: the tree is walked again.
 */
int tree_move(struct watcher *w, int wd, int parent, const char *name)
{
	if (wmap_path(w, parent, &w->path) < 0)
		return -1;
	path_join(&w->path, name);
	if (excluded(w, w->path.s))
		return -1;
	if (wmap_below(w, parent, wd)) {
		w->resync = 1;
		return 0;
	}
	if (wmap_set(w, wd, parent, name, strlen(name)) < 0)
		fatal("watch table: out of memory");
	return 0;
}

/*
 * Stop watching top and every directory below it. Finding the subtree takes
 * one pass over the map (there is no child index, to keep memory small); it
 * runs only when a directory leaves the tree. Keys are collected first and
 * removed after, because removing a parent would cut its children's chains.
 */
void tree_forget(struct watcher *w, int top)
{
	uint64_t next = vmap_next_key(w->map);
	int *found = NULL;
	size_t count = 0, cap = 0;

	for (uint64_t k = vmap_first_key(w->map); k < next; k++) {
		if (!wmap_below(w, (int)k, top))
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 64;
			found = xrealloc(found, cap, sizeof *found);
		}
		found[count++] = (int)k;
	}
	for (size_t i = 0; i < count; i++) {
		inotify_rm_watch(w->fd, found[i]);
		wmap_forget(w, found[i]);
	}
	free(found);
}
