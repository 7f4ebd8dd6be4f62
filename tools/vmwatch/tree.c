/* SPDX-License-Identifier: MIT */
/*
 * tree.c - watching a tree: roots, new directories, forgotten subtrees.
 *
 * Scanning is breadth first with no queue of its own: every directory newly
 * watched is appended to the map under its descriptor, and descriptors grow,
 * so walking the keys from the first new one up to vmap_next_key() visits
 * every new directory, including those appended while walking.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmwatch.h"

static void limit_reached(const char *path, int at_setup)
{
	const char *msg = "cannot watch %s: the limit of inotify watches was "
			  "reached; raise it with "
			  "'sysctl fs.inotify.max_user_watches=N'";

	if (at_setup)
		fatal(msg, path);
	warn_msg(msg, path);
}

/*
 * Watch the directory at path, known as (parent, name). Returns the new
 * descriptor if it is new to the map, 0 if it was known already (its entry
 * is updated), -1 if it cannot be watched (gone, not a directory, no
 * permission: later events say why).
 */
static int watch_one(struct watcher *w, const char *path, int parent,
		     const char *name, int at_setup)
{
	uint32_t flags = parent ? IN_ONLYDIR | IN_DONT_FOLLOW : 0;
	int wd = inotify_add_watch(w->fd, path, w->mask | flags);
	int known, err;

	if (wd < 0) {
		if (errno == ENOSPC)
			limit_reached(path, at_setup);
		else if (errno != ENOENT && errno != ENOTDIR)
			warn_msg("cannot watch %s: %s", path, strerror(errno));
		return -1;
	}
	known = wmap_live(w, wd);
	/* Known: the same directory reached again (a move, a bind mount).
	 * Its new place is the right one; it was scanned already. */
	err = wmap_set(w, wd, parent, name, strlen(name));
	if (err < 0)
		fatal("watch table: %s", vmap_strerror(err));
	return known ? 0 : wd;
}

static int is_dir(int dirfd, const struct dirent *e)
{
	struct stat st;

	if (e->d_type != DT_UNKNOWN)
		return e->d_type == DT_DIR;
	/* Some file systems do not fill d_type: ask, without following links. */
	return fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* One entry of a scanned directory: report it, watch it if a directory. */
static void scan_entry(struct watcher *w, int wd, int dirfd,
		       const struct dirent *e, int report)
{
	size_t dir_len = w->dir.len;
	int dir = is_dir(dirfd, e);

	sb_add(&w->dir, "/", 1);
	sb_adds(&w->dir, e->d_name);
	if (!excluded(w, w->dir.s)) {
		if (report) {
			/* A CREATE may also be queued for it: recent.c drops that one. */
			recent_add(w, wd, e->d_name);
			print_event(w, IN_CREATE | (dir ? IN_ISDIR : 0), wd, e->d_name);
		}
		if (dir)
			watch_one(w, w->dir.s, wd, e->d_name, 0);
	}
	w->dir.len = dir_len;
	w->dir.s[dir_len] = '\0';
}

static void scan_dir(struct watcher *w, int wd, int report)
{
	struct dirent *e;
	DIR *d;

	if (wmap_path(w, wd, &w->dir) < 0)
		return;
	d = opendir(w->dir.s);
	if (!d)
		return; /* gone already: its DELETE_SELF is on the way */
	if (w->dir.len == 1 && w->dir.s[0] == '/')
		w->dir.len = 0; /* the root "/": children are "/name", not "//name" */
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			scan_entry(w, wd, dirfd(d), e, report);
	}
	closedir(d);
}

/* Scan every directory watched from descriptor `from` on (see top). */
static void scan_from(struct watcher *w, uint64_t from, int report)
{
	for (uint64_t k = from; k < vmap_next_key(w->map); k++) {
		if (vmap_get(w->map, k, NULL))
			scan_dir(w, (int)k, report);
	}
}

/* Strip trailing slashes ("a/" -> "a"); "/" becomes "" (see wmap_path). */
static size_t root_name_len(const char *root)
{
	size_t len = strlen(root);

	while (len > 0 && root[len - 1] == '/')
		len--;
	return len;
}

int tree_watch_roots(struct watcher *w)
{
	uint64_t from = UINT64_MAX;

	for (int i = 0; i < w->root_count; i++) {
		const char *root = w->roots[i];
		int wd = inotify_add_watch(w->fd, root, w->mask);
		int err;

		if (wd < 0) {
			if (errno == ENOSPC)
				limit_reached(root, 1);
			fatal("cannot watch %s: %s", root, strerror(errno));
		}
		err = wmap_set(w, wd, 0, root, root_name_len(root));
		if (err < 0)
			fatal("watch table: %s", vmap_strerror(err));
		if ((uint64_t)wd < from)
			from = (uint64_t)wd;
	}
	scan_from(w, from, 0);
	return 0;
}

/*
 * A directory appeared (CREATE or MOVED_TO) as name in parent: watch it and,
 * if it is new, scan it. Returns as watch_one, or -2 if excluded.
 */
int tree_add_dir(struct watcher *w, int parent, const char *name, int report)
{
	int wd;

	if (wmap_path(w, parent, &w->dir) < 0)
		return -1;
	if (w->dir.len == 1 && w->dir.s[0] == '/')
		w->dir.len = 0;
	sb_add(&w->dir, "/", 1);
	sb_adds(&w->dir, name);
	if (excluded(w, w->dir.s))
		return -2;
	wd = watch_one(w, w->dir.s, parent, name, 0);
	if (wd > 0)
		scan_from(w, (uint64_t)wd, report);
	return wd;
}

/* Is watch k in the subtree of watch top (top itself included)? */
static int below(const struct watcher *w, int k, int top)
{
	for (int depth = 0; k > 0 && depth < 4096; depth++) {
		if (k == top)
			return 1;
		k = wmap_parent(w, k, NULL);
	}
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
		if (!below(w, (int)k, top))
			continue;
		if (count == cap) {
			int *grown = realloc(found, (cap = cap ? cap * 2 : 64) * sizeof *found);

			if (!grown)
				fatal("out of memory");
			found = grown;
		}
		found[count++] = (int)k;
	}
	for (size_t i = 0; i < count; i++) {
		inotify_rm_watch(w->fd, found[i]);
		wmap_forget(w, found[i]);
	}
	free(found);
}

/*
 * After a queue overflow nothing can be trusted: start over with a new
 * inotify instance and a new map, exactly as at startup.
 */
int tree_rescan(struct watcher *w)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	vmap *fresh;
	int err;

	if (fd < 0)
		fatal("inotify_init1: %s", strerror(errno));
	err = vmap_new(&fresh);
	if (err < 0)
		fatal("watch table: %s", vmap_strerror(err));
	close(w->fd);
	vmap_close(w->map);
	w->fd = fd;
	w->map = fresh;
	w->removals = 0;
	moves_clear(w);
	recent_clear(w);
	tree_watch_roots(w);
	if (!w->quiet)
		warn_msg("Watches re-established.");
	return 0;
}
