/* SPDX-License-Identifier: MIT */
/*
 * replace_file.c - build a map in DST.tmp.XXXXXX next to DST, then rename it
 * over DST. Readers of DST see the old map or the whole new one, never a half
 * written file.
 *
 * A DST that a live writer holds must not be replaced: the writer's later
 * appends would go to the unlinked file and be lost. So DST's writer lock
 * (flock LOCK_EX, as vmap_open takes it) is taken when the work starts and
 * held across the rename: a live writer makes it fail (-EBUSY) and nothing
 * changes, and no writer can start in between. The lock is released when
 * the old file's descriptor is closed, after the rename.
 *
 * DST as a symbolic link is followed: the file it names is replaced and the
 * link stays (a dangling link is refused). An existing DST keeps its mode
 * (and, for root, its owner). SIGINT, SIGTERM and SIGHUP remove the
 * temporary file before the signal takes its course.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The temporary file a signal must remove; set only while it exists. */
static char *volatile pending_tmp;
static const int cleanup_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void remove_and_die(int sig)
{
	char *tmp = pending_tmp;

	if (tmp)
		unlink(tmp); /* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard(char *tmp)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tmp ? remove_and_die : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	pending_tmp = tmp;
	for (size_t i = 0; i < sizeof cleanup_signals / sizeof *cleanup_signals; i++)
		sigaction(cleanup_signals[i], &sa, NULL);
}

/* mkstemp creates 0600: give the file DST's mode, or a plain creat()'s. */
static void set_mode(int fd, int lock_fd)
{
	struct stat st;
	mode_t mask;

	if (lock_fd >= 0 && fstat(lock_fd, &st) == 0) {
		if (geteuid() == 0)
			(void)fchown(fd, st.st_uid, st.st_gid);
		(void)fchmod(fd, st.st_mode & 07777);
		return;
	}
	mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
}

/* DST itself, or the file its symbolic link names: malloc'ed, or NULL. */
static char *target_of(const char *path, int *err)
{
	struct stat st;
	char *resolved;

	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode)) {
		resolved = strdup(path);
		*err = resolved ? 0 : -ENOMEM;
		return resolved;
	}
	resolved = realpath(path, NULL);
	*err = resolved ? 0 : -errno; /* a dangling link: -ENOENT */
	return resolved;
}

/* Lock an existing DST as its writer would; -1 (and 0) if it does not exist. */
static int lock_target(const char *path, int *fd)
{
	struct stat st;

	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (*fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int err = S_ISDIR(st.st_mode) ? -EISDIR : VMAP_ENOTFILE;

		close(*fd);
		*fd = -1;
		return err;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(*fd);
		*fd = -1;
		return err;
	}
	return 0;
}

static void new_file_free(struct new_file *f)
{
	guard(NULL);
	if (f->lock_fd >= 0)
		close(f->lock_fd);
	free(f->final_path);
	free(f->tmp_path);
	f->final_path = f->tmp_path = NULL;
	f->lock_fd = -1;
}

static int make_tmp(struct new_file *f, vmap **map)
{
	size_t len = strlen(f->final_path);
	sigset_t block, was;
	int fd, err;

	f->tmp_path = malloc(len + sizeof ".tmp.XXXXXX");
	if (!f->tmp_path)
		return -ENOMEM;
	memcpy(f->tmp_path, f->final_path, len);
	memcpy(f->tmp_path + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
	/* no signal between the file's creation and its guard */
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof cleanup_signals / sizeof *cleanup_signals; i++)
		sigaddset(&block, cleanup_signals[i]);
	sigprocmask(SIG_BLOCK, &block, &was);
	fd = mkstemp(f->tmp_path);
	err = fd < 0 ? -errno : 0;
	if (!err)
		guard(f->tmp_path);
	sigprocmask(SIG_SETMASK, &was, NULL);
	if (err)
		return err;
	set_mode(fd, f->lock_fd);
	close(fd);
	/* VMAP_CREATE sets up the empty file mkstemp made. */
	err = vmap_open(map, f->tmp_path, VMAP_CREATE);
	if (err < 0)
		unlink(f->tmp_path);
	return err;
}

int new_file_start(struct new_file *f, const char *path, vmap **map)
{
	int err;

	f->tmp_path = NULL;
	f->lock_fd = -1;
	f->final_path = target_of(path, &err);
	if (!err)
		err = lock_target(f->final_path, &f->lock_fd);
	if (!err)
		err = make_tmp(f, map);
	if (err)
		new_file_free(f);
	return err;
}

/* After rename, the directory entry itself must reach the disk. */
static int sync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd, err = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		err = -errno;
	close(fd);
	return err;
}

int new_file_commit(struct new_file *f, vmap *map)
{
	int err = vmap_sync(map);

	vmap_close(map);
	/* The old DST is still locked here: no writer opened it meanwhile. */
	if (err == 0 && rename(f->tmp_path, f->final_path) < 0)
		err = -errno;
	if (err < 0)
		unlink(f->tmp_path);
	else
		err = sync_parent(f->final_path);
	new_file_free(f);
	return err;
}

void new_file_abort(struct new_file *f, vmap *map)
{
	vmap_close(map);
	unlink(f->tmp_path);
	new_file_free(f);
}
