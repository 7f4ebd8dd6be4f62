/* SPDX-License-Identifier: MIT */
/*
 * peers_log.c - the floor of durable appends: a plain append-only file, the
 * values of a batch gathered in memory, then one write(2) and one
 * fdatasync(2) per commit. No index, no header, no recovery: nothing can
 * make a batch durable with less, so it is to durable appends what the flat
 * limit is to gets, and its rate shows what one device flush costs on the
 * machine the figures were taken on.
 */
#include "peer.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct log {
	int fd;
	char *buf;
	size_t used, cap;
};

static void lg_destroy(void *s)
{
	struct log *l = s;

	close(l->fd);
	free(l->buf);
	free(l);
}

/* The file and the directory entry that names it, durable before timing. */
static void *lg_create(const char *dir)
{
	struct log *l = calloc(1, sizeof *l);
	char path[PATH_MAX];
	int dfd;

	if (!l)
		return NULL;
	snprintf(path, sizeof path, "%s/log", dir);
	l->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (l->fd < 0 || dfd < 0 || fsync(l->fd) || fsync(dfd)) {
		perror(path);
		if (dfd >= 0)
			close(dfd);
		lg_destroy(l);
		return NULL;
	}
	close(dfd);
	return l;
}

/* Each value followed by its NUL, as every other contender keeps it. */
static int lg_append_range(void *s, const struct values *v, uint64_t first, uint64_t count)
{
	struct log *l = s;

	for (uint64_t i = first; i < first + count; i++) {
		size_t len;
		const char *p = values_at(v, i, &len);

		if (l->used + len + 1 > l->cap) {
			size_t cap = (l->used + len + 1) * 2;
			char *b = realloc(l->buf, cap);

			if (!b)
				return -1;
			l->buf = b;
			l->cap = cap;
		}
		memcpy(l->buf + l->used, p, len + 1);
		l->used += len + 1;
	}
	return 0;
}

static int lg_commit(void *s)
{
	struct log *l = s;
	ssize_t wrote = write(l->fd, l->buf, l->used);

	if (wrote < 0 || (size_t)wrote != l->used || fdatasync(l->fd)) {
		perror("bench: log");
		return -1;
	}
	l->used = 0;
	return 0;
}

const struct durable_peer durable_log = {
	.name = "write + fdatasync (floor)",
	.create = lg_create,
	.append_range = lg_append_range,
	.commit = lg_commit,
	.destroy = lg_destroy,
};
