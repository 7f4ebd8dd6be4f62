/* SPDX-License-Identifier: MIT */
/*
 * replace_file.c - build a map in DST.tmp.XXXXXX next to DST, then rename it
 * over DST. Readers of DST see the old map or the whole new one, never a half
 * written file; an interrupted run leaves only a stray .tmp file behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* mkstemp creates 0600; give the file the mode a plain creat() would. */
static void default_mode(int fd)
{
	mode_t mask = umask(0);

	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
}

int new_file_start(struct new_file *f, const char *path, vmap **map)
{
	size_t len = strlen(path);
	int fd, err;

	f->final_path = strdup(path);
	f->tmp_path = malloc(len + sizeof ".tmp.XXXXXX");
	if (!f->final_path || !f->tmp_path) {
		free(f->final_path);
		free(f->tmp_path);
		return -ENOMEM;
	}
	memcpy(f->tmp_path, path, len);
	memcpy(f->tmp_path + len, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
	fd = mkstemp(f->tmp_path);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	default_mode(fd);
	close(fd);
	/* VMAP_CREATE sets up the empty file mkstemp made. */
	err = vmap_open(map, f->tmp_path, VMAP_CREATE);
	if (err == 0)
		return 0;
	unlink(f->tmp_path);
fail:
	free(f->final_path);
	free(f->tmp_path);
	return err;
}

/* After rename, the directory entry itself must reach the disk. */
static int sync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd, err = 0;

	if (!copy)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0 && errno != EINVAL)
		err = -errno;
	close(fd);
	return err;
}

static void new_file_free(struct new_file *f)
{
	free(f->final_path);
	free(f->tmp_path);
	f->final_path = f->tmp_path = NULL;
}

int new_file_commit(struct new_file *f, vmap *map)
{
	int err = vmap_sync(map);

	vmap_close(map);
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
