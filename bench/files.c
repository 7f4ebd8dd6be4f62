/* SPDX-License-Identifier: MIT */
/*
 * files.c - the scratch directory that file-backed contenders write into,
 * and how many bytes they left there.
 */
#include "bench.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <sys/stat.h>

int dir_make(const char *path)
{
	return mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

/* rm -r: depth first, so each directory is empty when its turn comes. */
int dir_remove(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* dir_bytes sums apparent sizes (st_size): what ls, cp and backups see. */
static uint64_t bytes_seen;

static int count_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F)
		bytes_seen += (uint64_t)st->st_size;
	return 0;
}

int dir_bytes(const char *path, uint64_t *bytes)
{
	bytes_seen = 0;
	if (nftw(path, count_one, 16, FTW_PHYS))
		return -1;
	*bytes = bytes_seen;
	return 0;
}
