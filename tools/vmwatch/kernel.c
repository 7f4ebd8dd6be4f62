/* SPDX-License-Identifier: MIT */
/*
 * kernel.c - inotify calls aimed at one exact directory.
 *
 * inotify_add_watch takes a path, and a path read from the table may name
 * another directory by now (the queue is behind the file system). So
 * vmwatch first holds the directory by an O_PATH descriptor (opening one
 * makes no event) and then watches "/proc/self/fd/N", which the kernel
 * resolves to exactly that inode whatever has been renamed since.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vmwatch.h"

int watch_fd(struct watcher *w, int fd, uint32_t mask)
{
	char proc[32];
	int wd;

	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	wd = inotify_add_watch(w->fd, proc, mask);
	return wd < 0 ? -errno : wd;
}

/*
 * The directory's watch, made if it has none. IN_MASK_ADD with bits every
 * watch of ours already has changes no known watch; a new one gets the
 * quiet mask, ready to be read (scan.c) and then given the full mask.
 */
int probe_fd(struct watcher *w, int fd)
{
	return watch_fd(w, fd, w->quiet_mask | IN_MASK_ADD);
}

/* Drop a watch that probe_fd made on a directory the table does not know. */
void unwatch(struct watcher *w, int wd)
{
	if (wd > 0 && !wmap_live(w, wd))
		inotify_rm_watch(w->fd, wd);
}

/*
 * An O_PATH descriptor of watch wd's directory, found by its path in the
 * table and checked to be that very directory; -1 if the path leads
 * elsewhere or nowhere (the queue holds what changed since).
 */
int locate(struct watcher *w, int wd)
{
	int root = wmap_parent(w, wd, NULL) == 0;
	int fd, found;

	if (wmap_path(w, wd, &w->path) < 0)
		return -1;
	/* A root is the path as the user gave it, symbolic links and all. */
	fd = open(path_text(&w->path), O_PATH | O_DIRECTORY | O_CLOEXEC |
		  (root ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return -1;
	found = probe_fd(w, fd);
	if (found == wd)
		return fd;
	unwatch(w, found);
	close(fd);
	return -1;
}

void warn_unwatchable(const char *path, int err, int at_setup)
{
	if (err == ENOSPC) {
		const char *msg = "cannot watch %s: the limit of inotify watches "
				  "was reached; raise it with "
				  "'sysctl fs.inotify.max_user_watches=N'";

		if (at_setup)
			fatal(msg, path);
		warn_msg(msg, path);
		return;
	}
	/* Gone or replaced by a file meanwhile: the queue says what happened. */
	if (err == ENOENT || err == ENOTDIR)
		return;
	if (err == EMFILE) {
		warn_msg("cannot watch %s: too many open files (the tree is "
			 "deeper than 'ulimit -n' allows)", path);
		return;
	}
	warn_msg("cannot watch %s: %s", path, strerror(err));
}
