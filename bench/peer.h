/* SPDX-License-Identifier: MIT */
/*
 * peer.h - what every contender offers the harness.
 *
 * A contender is a table of functions over an opaque store. The per-operation
 * loops are not here: each peer's file instantiates them from workload.h
 * around its own get and append, so an operation costs what it costs a user
 * calling that library, with no indirect call per operation. The harness only
 * calls through this table once per batch.
 *
 * Keys are 0..n-1 and are appended in that order.
 */
#ifndef BENCH_PEER_H
#define BENCH_PEER_H

#include <stdint.h>

#include "values.h"

#ifdef __cplusplus
extern "C" {
#endif

enum peer_flags {
	PEER_FILE = 1,  /* keeps its data in files under the directory given to create */
	PEER_LARGE = 2, /* also runs at N = 1e7 in the default (short) run */
};

struct peer {
	const char *name;  /* as printed, and as matched by --only */
	unsigned flags;    /* enum peer_flags */
	uint64_t max_n;    /* largest N it is run at (0: no limit) */
	uint64_t max_ops;  /* gets per workload, at most (0: the harness's choice) */

	/* An empty store; file peers put their files under dir. NULL on failure. */
	void *(*create)(const char *dir);
	/* Append entries 0..n-1 of v in key order and make them readable
	 * (commit, finish); no peer syncs to disk. 0, or -1 on failure. */
	int (*append_all)(void *store, const struct values *v, uint64_t n);
	/* Get each of count keys; returns a checksum of the values (workload.h). */
	uint64_t (*gets)(void *store, const uint32_t *keys, uint64_t count);
	/* steps gets, each key derived from the previous value's bytes. */
	uint64_t (*chase)(void *store, uint64_t n, uint64_t steps);
	/* Visit all n values in the peer's natural order. */
	uint64_t (*scan)(void *store, uint64_t n);
	void (*destroy)(void *store);
	/* File peers: open, read-only, what create + append_all + destroy left. */
	void *(*open)(const char *dir);
};

/* Every contender built into this program, in table order, NULL-terminated. */
extern const struct peer *const peers[];
/* Contenders left out because a library was not found, NULL-terminated. */
extern const char *const missing_peers[];

/* Each peer file defines one or two of these. */
extern const struct peer peer_vmap_memory, peer_vmap_inline, peer_vmap_file, peer_flat_inline,
	peer_flat_call, peer_charpp, peer_cpp_vector, peer_cpp_unordered_map,
	peer_glib, peer_judy, peer_lmdb, peer_sqlite, peer_cdb, peer_pages;

#ifdef __cplusplus
}
#endif

#endif
