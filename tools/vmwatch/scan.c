/* SPDX-License-Identifier: MIT */
/*
 * scan.c - reading directories: a new one and everything below it, or the
 * whole tree again (at setup, after an overflow, when the table is wrong).
 *
 * Depth first, each directory held by an O_PATH descriptor on the way down:
 * a child is opened relative to its parent's descriptor and watched through
 * /proc/self/fd (kernel.c), so renames meanwhile cannot make vmwatch watch
 * or read another directory than the one it listed.
 *
 * Reading a directory queues OPEN, ACCESS and CLOSE_NOWRITE on its own watch
 * and, named, on its parent's. So a directory is read only while it and its
 * parent are watched with the quiet mask (no READ_EVENTS), and gets the full
 * mask back once everything below it has been read:
 *
 *   parent  quiet .................................................. full
 *   dir       watch quiet - read - children (each the same way) - full
 *
 * Watching with the full mask from the start made a tree of 2,400 idle
 * directories overflow the queue with vmwatch's own reads, and the rescan
 * that followed overflowed it again, forever.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmwatch.h"

/* Directories read between two looks at the queue during a long scan. */
#define DRAIN_EVERY 256

struct scan {
	struct watcher *w;
	int report;      /* print the entries found as CREATE */
	int resync;      /* walk known watches again, and drop those not met */
	int setup;       /* before "Watches established.": limits are fatal */
	uint8_t *seen;   /* resync: one bit per watch descriptor met */
	size_t seen_bytes;
	unsigned dirs;   /* directories read so far */
	int deep_warned;
};

static int seen(const struct scan *s, int wd)
{
	size_t i = (size_t)wd / 8;

	return i < s->seen_bytes && (s->seen[i] >> (wd % 8) & 1);
}

static void mark_seen(struct scan *s, int wd)
{
	size_t i = (size_t)wd / 8;

	if (i >= s->seen_bytes) {
		size_t grown = s->seen_bytes * 2 > i + 1 ? s->seen_bytes * 2 : i + 1024;

		s->seen = xrealloc(s->seen, grown, 1);
		memset(s->seen + s->seen_bytes, 0, grown - s->seen_bytes);
		s->seen_bytes = grown;
	}
	s->seen[i] |= (uint8_t)(1u << (wd % 8));
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

/* The entries of the directory held by fd, each as a type byte ('d' for a
 * directory), the name and a NUL. 0 or -errno. */
static int read_entries(int fd, struct strbuf *out)
{
	int rfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	if (rfd < 0)
		return -errno;
	d = fdopendir(rfd);
	if (!d) {
		int err = -errno;

		close(rfd);
		return err;
	}
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sb_add(out, is_dir(dirfd(d), e) ? "d" : "f", 1);
		sb_add(out, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(d);
	return 0;
}

static void scan_dir(struct scan *s, int wd, int fd, int depth, struct strbuf *path);

/* A directory entry of parent (held by pfd): watch it, read it, and give
 * it the full mask once all below it has been read. */
static void scan_child(struct scan *s, int parent, int pfd, const char *name,
		       int depth, struct strbuf *path)
{
	struct watcher *w = s->w;
	int fd, wd, known;

	if (depth > MAX_DEPTH) {
		if (!s->deep_warned++)
			warn_msg("not watched: %s and other directories deeper "
				 "than %d levels", path->s, MAX_DEPTH);
		return;
	}
	fd = openat(pfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		warn_unwatchable(path->s, errno, s->setup);
		return;
	}
	wd = probe_fd(w, fd);
	known = wd > 0 && wmap_live(w, wd);
	if (wd < 0) {
		warn_unwatchable(path->s, -wd, s->setup);
	} else if (known && (!s->resync || seen(s, wd))) {
		/* Reached again (a bind mount), or a watch we know moved here
		 * before its rename was read: where it is now is the truth. */
		if (!s->resync && !wmap_is(w, wd, parent, name) &&
		    tree_move(w, wd, parent, name) < 0)
			tree_forget(w, wd);
	} else {
		if (known) /* resync: quiet it before reading it */
			watch_fd(w, fd, w->quiet_mask);
		if (wmap_set(w, wd, parent, name, strlen(name)) < 0)
			fatal("watch table: out of memory");
		if (s->resync)
			mark_seen(s, wd);
		scan_dir(s, wd, fd, depth, path);
		if (w->mask != w->quiet_mask)
			watch_fd(w, fd, w->mask);
	}
	close(fd);
}

/* Keep reading the queue into the batch during long scans, so that events
 * of the tree meanwhile are not lost to an overflow. */
static void keep_up(struct scan *s)
{
	if (++s->dirs % DRAIN_EVERY == 0) {
		batch_fill(s->w);
		output_flush(s->w);
	}
}

/* Read the directory wd, held by fd, whose path is path. */
static void scan_dir(struct scan *s, int wd, int fd, int depth, struct strbuf *path)
{
	struct strbuf entries = { NULL, 0, 0 };
	size_t path_len = path->len;
	int err = read_entries(fd, &entries);

	if (err < 0)
		warn_unwatchable(path_text(path), -err, 0);
	keep_up(s);
	for (size_t at = 0; at < entries.len;) {
		int dir = entries.s[at] == 'd';
		const char *name = entries.s + at + 1;

		at += 2 + strlen(name);
		path_join(path, name);
		if (!excluded(s->w, path->s)) {
			if (s->report) {
				/* Its CREATE may be queued too: recent.c drops that one. */
				recent_add(s->w, wd, name);
				print_event(s->w, IN_CREATE | (dir ? IN_ISDIR : 0), wd, name);
			}
			if (dir)
				scan_child(s, wd, fd, name, depth + 1, path);
		}
		path->len = path_len;
		path->s[path_len] = '\0';
	}
	sb_free(&entries);
}

/* A new directory wd, held by fd, watched with the quiet mask under a quiet
 * parent: read it and all below it, then give it the full mask. */
void scan_new(struct watcher *w, int wd, int fd, int report)
{
	struct scan s = { .w = w, .report = report };
	struct strbuf path = { NULL, 0, 0 };
	int depth = wmap_depth(w, wd);

	if (depth >= 0 && wmap_path(w, wd, &path) == 0)
		scan_dir(&s, wd, fd, depth, &path);
	if (w->mask != w->quiet_mask)
		watch_fd(w, fd, w->mask);
	sb_free(&path);
}

/* Strip trailing slashes ("a/" -> "a"); "/" becomes "" (see vmwatch.h). */
static size_t root_name_len(const char *root)
{
	size_t len = strlen(root);

	while (len > 0 && root[len - 1] == '/')
		len--;
	return len;
}

static void walk_root(struct scan *s, int i)
{
	struct watcher *w = s->w;
	const char *root = w->roots[i];
	struct strbuf path = { NULL, 0, 0 };
	int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int wd = fd < 0 ? -errno : watch_fd(w, fd, w->quiet_mask);

	if (wd < 0) {
		if (s->setup && wd == -ENOTDIR)
			fatal("%s: not a directory", root);
		if (s->setup && wd != -ENOSPC)
			fatal("cannot watch %s: %s", root, strerror(-wd));
		warn_unwatchable(root, -wd, s->setup);
		if (wd == -ENOENT)
			warn_msg("%s is gone: no longer watched", root);
		w->root_wd[i] = -1;
	} else if (!seen(s, wd)) { /* a root inside another is walked once */
		sb_add(&path, root, root_name_len(root));
		if (wmap_set(w, wd, 0, path.s, path.len) < 0)
			fatal("watch table: out of memory");
		w->root_wd[i] = wd;
		mark_seen(s, wd);
		scan_dir(s, wd, fd, 0, &path);
		if (w->mask != w->quiet_mask)
			watch_fd(w, fd, w->mask);
	}
	if (fd >= 0)
		close(fd);
	sb_free(&path);
}

/*
 * Walk every root again and make the table what the file system is now:
 * watches met get their current (parent, name), new directories are
 * watched, and watches not met are dropped. Nothing is reported: what
 * changed unseen is not known (after an overflow, a warning said so).
 */
void scan_resync(struct watcher *w, int setup)
{
	struct scan s = { .w = w, .resync = 1, .setup = setup };
	uint64_t next;

	arrivals_clear(w);
	w->resync = 0;
	for (int i = 0; i < w->root_count; i++)
		if (s.setup || w->root_wd[i] > 0)
			walk_root(&s, i);
	next = vmap_next_key(w->map);
	for (uint64_t k = vmap_first_key(w->map); k < next; k++) {
		if (wmap_live(w, (int)k) && !seen(&s, (int)k)) {
			inotify_rm_watch(w->fd, (int)k);
			wmap_forget(w, (int)k);
		}
	}
	free(s.seen);
}
