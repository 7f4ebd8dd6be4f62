/* SPDX-License-Identifier: MIT */
/*
 * peers_sqlite.c - SQLite with a rowid table (INTEGER PRIMARY KEY), all
 * inserts in one transaction through one prepared statement, gets through
 * another. synchronous=OFF because no contender syncs during the benchmark;
 * the rest is SQLite's defaults, as a user would have them. The gets run in
 * one read transaction, as LMDB's do: without it every SELECT would take
 * and drop the file's shared lock, a few microseconds of system calls each.
 */
#include "peer.h"
#include "workload.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

struct sqlite {
	sqlite3 *db;
	sqlite3_stmt *insert, *select;
};

static void sq_destroy(void *s)
{
	struct sqlite *q = s;

	sqlite3_finalize(q->insert);
	sqlite3_finalize(q->select);
	sqlite3_close(q->db);
	free(q);
}

static int sq_exec(struct sqlite *q, const char *sql)
{
	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	fprintf(stderr, "bench: sqlite %s: %s\n", sql, sqlite3_errmsg(q->db));
	return -1;
}

static struct sqlite *sq_connect(const char *dir, int flags)
{
	struct sqlite *q = calloc(1, sizeof *q);
	char path[PATH_MAX];

	if (!q)
		return NULL;
	snprintf(path, sizeof path, "%s/map.sqlite", dir);
	if (sqlite3_open_v2(path, &q->db, flags, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench: sqlite open %s: %s\n", path, sqlite3_errmsg(q->db));
		sq_destroy(q);
		return NULL;
	}
	return q;
}

static int sq_prepare(struct sqlite *q, const char *sql, sqlite3_stmt **stmt)
{
	if (sqlite3_prepare_v2(q->db, sql, -1, stmt, NULL) == SQLITE_OK)
		return 0;
	fprintf(stderr, "bench: sqlite %s: %s\n", sql, sqlite3_errmsg(q->db));
	return -1;
}

static void *sq_create(const char *dir)
{
	struct sqlite *q = sq_connect(dir, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);

	if (q && (sq_exec(q, "PRAGMA synchronous=OFF") ||
		  sq_exec(q, "CREATE TABLE map(k INTEGER PRIMARY KEY, v BLOB NOT NULL)") ||
		  sq_exec(q, "BEGIN") ||
		  sq_prepare(q, "INSERT INTO map(k, v) VALUES(?, ?)", &q->insert) ||
		  sq_prepare(q, "SELECT v FROM map WHERE k = ?", &q->select))) {
		sq_destroy(q);
		return NULL;
	}
	return q;
}

static void *sq_open(const char *dir)
{
	struct sqlite *q = sq_connect(dir, SQLITE_OPEN_READONLY);

	if (q && (sq_exec(q, "BEGIN") ||
		  sq_prepare(q, "SELECT v FROM map WHERE k = ?", &q->select))) {
		sq_destroy(q);
		return NULL;
	}
	return q;
}

static int sq_append(void *s, uint64_t key, const char *val, size_t len)
{
	struct sqlite *q = s;
	int rc;

	sqlite3_bind_int64(q->insert, 1, (sqlite3_int64)key);
	sqlite3_bind_blob(q->insert, 2, val, (int)len, SQLITE_STATIC);
	rc = sqlite3_step(q->insert);
	sqlite3_reset(q->insert);
	return rc == SQLITE_DONE ? 0 : -1;
}

/*
 * The value stays valid until the statement is stepped or reset again: the
 * next get resets it first, so the checksum has read the bytes by then.
 */
static inline const char *sq_get(void *s, uint64_t key, size_t *len)
{
	struct sqlite *q = s;

	sqlite3_reset(q->select);
	sqlite3_bind_int64(q->select, 1, (sqlite3_int64)key);
	if (sqlite3_step(q->select) != SQLITE_ROW)
		return NULL;
	*len = (size_t)sqlite3_column_bytes(q->select, 0);
	return sqlite3_column_blob(q->select, 0);
}

DEFINE_WORKLOADS(sq, sq_append, sq_get)

/* Commit the appends, and open the read transaction the gets run in. */
static int sq_append_commit(void *s, const struct values *v, uint64_t n)
{
	return sq_append_all(s, v, n) || sq_exec(s, "COMMIT") || sq_exec(s, "BEGIN") ? -1 : 0;
}

/* One SELECT walking the rowid b-tree in order: SQLite's scan. */
static uint64_t sq_scan(void *s, uint64_t n)
{
	struct sqlite *q = s;
	sqlite3_stmt *all;
	uint64_t sum = 0;

	(void)n;
	if (sq_prepare(q, "SELECT v FROM map ORDER BY k", &all))
		return MISSING_VALUE;
	while (sqlite3_step(all) == SQLITE_ROW)
		sum += value_fold(sqlite3_column_blob(all, 0),
				  (size_t)sqlite3_column_bytes(all, 0));
	sqlite3_finalize(all);
	return sum;
}

const struct peer peer_sqlite = {
	.name = "SQLite",
	.flags = PEER_FILE,
	.create = sq_create,
	.append_all = sq_append_commit,
	.gets = sq_gets,
	.chase = sq_chase,
	.scan = sq_scan,
	.destroy = sq_destroy,
	.open = sq_open,
};
