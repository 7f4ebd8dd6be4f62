/* SPDX-License-Identifier: MIT */
/*
 * peers_cdb.c - tinycdb: a constant database, written once with cdb_make and
 * then read through its mmap with cdb_find. Keys are the 8 bytes of the
 * integer. It cannot grow after cdb_make_finish, and a file is limited to
 * 4 GiB, but for a write-once table it is the classic answer.
 */
#include "peer.h"
#include "workload.h"

#include <cdb.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct tinycdb {
	int fd;
	int reading; /* cdb is set up for reading (after finish, or opened) */
	struct cdb_make make;
	struct cdb cdb;
};

static void *cd_at(const char *dir, int flags)
{
	struct tinycdb *c = calloc(1, sizeof *c);
	char path[PATH_MAX];

	if (!c)
		return NULL;
	snprintf(path, sizeof path, "%s/map.cdb", dir);
	c->fd = open(path, flags, 0644);
	if (c->fd < 0) {
		perror(path);
		free(c);
		return NULL;
	}
	return c;
}

static void cd_destroy(void *s)
{
	struct tinycdb *c = s;

	if (c->reading)
		cdb_free(&c->cdb);
	close(c->fd);
	free(c);
}

static void *cd_create(const char *dir)
{
	struct tinycdb *c = cd_at(dir, O_RDWR | O_CREAT | O_TRUNC);

	if (c && cdb_make_start(&c->make, c->fd) < 0) {
		cd_destroy(c);
		return NULL;
	}
	return c;
}

static void *cd_open(const char *dir)
{
	struct tinycdb *c = cd_at(dir, O_RDONLY);

	if (c && cdb_init(&c->cdb, c->fd) < 0) {
		cd_destroy(c);
		return NULL;
	}
	if (c)
		c->reading = 1;
	return c;
}

static int cd_append(void *s, uint64_t key, const char *val, size_t len)
{
	struct tinycdb *c = s;

	return cdb_make_add(&c->make, &key, sizeof key, val, (unsigned)len) < 0 ? -1 : 0;
}

static inline const char *cd_get(void *s, uint64_t key, size_t *len)
{
	struct tinycdb *c = s;

	if (cdb_find(&c->cdb, &key, sizeof key) <= 0)
		return NULL;
	*len = cdb_datalen(&c->cdb);
	return cdb_getdata(&c->cdb);
}

DEFINE_WORKLOADS(cd, cd_append, cd_get)

/* Append, write the hash tables, and map the finished file for reading. */
static int cd_append_finish(void *s, const struct values *v, uint64_t n)
{
	struct tinycdb *c = s;

	if (cd_append_all(s, v, n) || cdb_make_finish(&c->make) < 0 ||
	    cdb_init(&c->cdb, c->fd) < 0)
		return -1;
	c->reading = 1;
	return 0;
}

/* cdb's sequential walk over the records in file (= append) order. */
static uint64_t cd_scan(void *s, uint64_t n)
{
	struct tinycdb *c = s;
	unsigned pos;
	uint64_t sum = 0;

	(void)n;
	cdb_seqinit(&pos, &c->cdb);
	while (cdb_seqnext(&pos, &c->cdb) > 0)
		sum += value_fold(cdb_getdata(&c->cdb), cdb_datalen(&c->cdb));
	return sum;
}

const struct peer peer_cdb = {
	.name = "tinycdb",
	.flags = PEER_FILE,
	.create = cd_create,
	.append_all = cd_append_finish,
	.gets = cd_gets,
	.chase = cd_chase,
	.scan = cd_scan,
	.destroy = cd_destroy,
	.open = cd_open,
};
