/* SPDX-License-Identifier: MIT */
/*
 * flat_many.c - the flat limit's batch get (flat.h), built like vector_map's
 * vmap_get_many (src/batch.c) so the two batch gets are compared like with
 * like. A random get waits for memory twice, for its offset and then for its
 * value; every key passes three stages DEPTH keys apart, so the misses of
 * 2 * DEPTH keys are in flight at once:
 *
 *   key i + 2D   prefetch its offsets
 *   key i + D    read them, prefetch the value
 *   key i        hand the value out
 *
 * Behind a call in its own file, as a library's batch get would be.
 */
#include "flat.h"

#define DEPTH 16
#define RING (2 * DEPTH)

struct pending {
	const char *p; /* NULL: the key is out of range */
	size_t len;
};

static void stage_prefetch(const struct flat *f, uint64_t key)
{
	if (key < f->count)
		__builtin_prefetch(&f->offsets[key]);
}

static void stage_resolve(const struct flat *f, uint64_t key, struct pending *r)
{
	r->p = flat_get_inline(f, key, &r->len);
	if (r->p)
		__builtin_prefetch(r->p);
}

__attribute__((noinline)) size_t flat_get_many(const struct flat *f, const uint64_t *keys,
					       size_t n, const char **vals, size_t *lens)
{
	struct pending ring[RING];
	size_t found = 0;

	for (size_t i = 0; i < n + 2 * DEPTH; i++) {
		if (i < n)
			stage_prefetch(f, keys[i]);
		if (i >= DEPTH && i - DEPTH < n)
			stage_resolve(f, keys[i - DEPTH], &ring[(i - DEPTH) % RING]);
		if (i >= 2 * DEPTH) {
			const struct pending *r = &ring[(i - 2 * DEPTH) % RING];

			vals[i - 2 * DEPTH] = r->p;
			if (r->p) {
				lens[i - 2 * DEPTH] = r->len;
				found++;
			}
		}
	}
	return found;
}
