/* SPDX-License-Identifier: MIT */
/*
 * peers_lmdb.c - LMDB, set up as well as it can be for this job: integer keys
 * (MDB_INTEGERKEY), every append with MDB_APPEND in one write transaction,
 * and no sync (MDB_NOSYNC), since no contender syncs during the benchmark.
 * Gets run inside one long read transaction and return pointers into LMDB's
 * map, which is LMDB's zero-copy read path.
 */
#include "peer.h"
#include "workload.h"

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>

/* Address space reserved for the map; LMDB's file grows only as written. */
#define LMDB_MAP_SIZE ((size_t)1 << 38)

struct lmdb {
	MDB_env *env;
	MDB_txn *txn; /* the write transaction while appending, then a read one */
	MDB_dbi dbi;
};

static int lm_fail(const char *what, int rc)
{
	fprintf(stderr, "bench: lmdb %s: %s\n", what, mdb_strerror(rc));
	return -1;
}

static void lm_destroy(void *s)
{
	struct lmdb *l = s;

	if (l->txn)
		mdb_txn_abort(l->txn);
	mdb_env_close(l->env);
	free(l);
}

/* An environment in dir with a transaction open on its one database. */
static void *lm_start(const char *dir, unsigned env_flags, unsigned txn_flags,
		      unsigned dbi_flags)
{
	struct lmdb *l = calloc(1, sizeof *l);
	int rc;

	if (!l)
		return NULL;
	if ((rc = mdb_env_create(&l->env)) || (rc = mdb_env_set_mapsize(l->env, LMDB_MAP_SIZE)) ||
	    (rc = mdb_env_open(l->env, dir, env_flags, 0644)) ||
	    (rc = mdb_txn_begin(l->env, NULL, txn_flags, &l->txn)) ||
	    (rc = mdb_dbi_open(l->txn, NULL, dbi_flags, &l->dbi))) {
		lm_fail("open", rc);
		lm_destroy(l);
		return NULL;
	}
	return l;
}

static void *lm_create(const char *dir)
{
	return lm_start(dir, MDB_NOSYNC | MDB_NOMETASYNC, 0, MDB_INTEGERKEY | MDB_CREATE);
}

static void *lm_open(const char *dir)
{
	return lm_start(dir, MDB_RDONLY, MDB_RDONLY, MDB_INTEGERKEY);
}

static int lm_append(void *s, uint64_t key, const char *val, size_t len)
{
	struct lmdb *l = s;
	size_t k = (size_t)key;
	MDB_val mk = { sizeof k, &k }, mv = { len, (void *)val };
	int rc = mdb_put(l->txn, l->dbi, &mk, &mv, MDB_APPEND);

	return rc ? lm_fail("put", rc) : 0;
}

static inline const char *lm_get(void *s, uint64_t key, size_t *len)
{
	struct lmdb *l = s;
	size_t k = (size_t)key;
	MDB_val mk = { sizeof k, &k }, mv;

	if (mdb_get(l->txn, l->dbi, &mk, &mv))
		return NULL;
	*len = mv.mv_size;
	return mv.mv_data;
}

DEFINE_WORKLOADS(lm, lm_append, lm_get)

/* Append, commit, and leave a read transaction open for the gets. */
static int lm_append_commit(void *s, const struct values *v, uint64_t n)
{
	struct lmdb *l = s;
	int rc;

	if (lm_append_all(s, v, n))
		return -1;
	rc = mdb_txn_commit(l->txn);
	l->txn = NULL;
	if (rc || (rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, &l->txn)))
		return lm_fail("commit", rc);
	return 0;
}

/* A cursor walk in key order: LMDB's scan. */
static uint64_t lm_scan(void *s, uint64_t n)
{
	struct lmdb *l = s;
	MDB_cursor *c;
	MDB_val mk, mv;
	uint64_t sum = 0;

	(void)n;
	if (mdb_cursor_open(l->txn, l->dbi, &c))
		return MISSING_VALUE;
	for (int op = MDB_FIRST; mdb_cursor_get(c, &mk, &mv, op) == 0; op = MDB_NEXT)
		sum += value_fold(mv.mv_data, mv.mv_size);
	mdb_cursor_close(c);
	return sum;
}

const struct peer peer_lmdb = {
	.name = "LMDB",
	.flags = PEER_FILE,
	.create = lm_create,
	.append_all = lm_append_commit,
	.gets = lm_gets,
	.chase = lm_chase,
	.scan = lm_scan,
	.destroy = lm_destroy,
	.open = lm_open,
};
