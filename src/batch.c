/* SPDX-License-Identifier: MIT */
/*
 * batch.c - vmap_get_many: many gets with their cache misses overlapped.
 *
 * A random get waits twice for memory, for its slot and then for its value,
 * and a loop of gets overlaps only as many as the processor's reorder window
 * holds. Here every key passes three stages, DEPTH keys apart, so that the
 * misses of 2 * DEPTH keys are in flight at once:
 *
 *   key i + 2D   prefetch its slot (the window address comes from the key)
 *   key i + D    read its slot and base, prefetch the value
 *   key i        hand out the value (or take the slow path for it)
 *
 * It reads exactly what vmap_get_inline reads, with the same checks, so the
 * results are those of n calls of vmap_get. A map the inline get does not
 * serve (a file: every offset checked) is answered a key at a time.
 */
#include "internal.h"

#define DEPTH 16
#define RING (2 * DEPTH)

struct pending {
	const char *p; /* the value, or NULL: ask the slow path */
	uint32_t len;
};

/* The window address of key's slot, if the fast path knows its group. */
static const uint32_t *slot_address(const struct vmap_cache *c, uint64_t key, const char **base)
{
	uint64_t index = key - c->first_key, g = index >> GROUP_SHIFT;

	if (g >= c->groups)
		return NULL;
	*base = MLOAD_ACQ(&c->bases[g]); /* pairs with window.c's fill */
	return *base ? &c->window[index] : NULL;
}

static void stage_prefetch(const struct vmap_cache *c, uint64_t key)
{
	uint64_t index = key - c->first_key;
	if (index >> GROUP_SHIFT < c->groups)
		__builtin_prefetch(&c->window[index]);
}

/* The checks of vmap_get_inline (vmap.h), on the slot it would read. */
static void stage_resolve(const vmap *m, const struct vmap_cache *c, uint64_t key,
			  struct pending *r)
{
	const char *base;
	const uint32_t *at = slot_address(c, key, &base);
	uint32_t slot;

	r->p = NULL;
	if (!at)
		return;
#ifdef VMAP_UNDER_TSAN
	/* as in vmap_get_inline: the count shows ThreadSanitizer the order */
	if (key - c->first_key >= LOAD_ACQ(&m->view->count))
		return;
#else
	(void)m;
#endif
	slot = LOAD_ACQ(at); /* pairs with the writer's release of the slot */
	if (slot - (1u << SLOT_OFF_BITS) >= (254u << SLOT_OFF_BITS))
		return;
	r->p = base + slot_off(slot);
	r->len = slot_code(slot) - 1;
	__builtin_prefetch(r->p);
}

static size_t finish(const vmap *m, uint64_t key, const struct pending *r, const char **val,
		     size_t *len)
{
	size_t n = r->len;
	*val = r->p ? r->p : vmap_get_slow(m, key, &n);
	if (*val)
		*len = n;
	return *val != NULL;
}

/* The three stages over keys[0..n), filling the ring from empty and
 * draining it at the end: the middle loop, where most keys pass, tests
 * nothing but the keys themselves. */
static size_t pipeline(const vmap *m, const struct vmap_cache *published, const uint64_t *keys,
		       size_t n, const char **vals, size_t *lens)
{
	/* a copy that the stores to lens (size_t may be uint64_t) cannot
	 * alias, so its fields stay in registers; a published cache never
	 * changes but for the bases, which are still read through it */
	const struct vmap_cache fixed = *published, *c = &fixed;
	struct pending ring[RING];
	size_t found = 0, dummy, i = 0;

	for (; i < n && i < 2 * DEPTH; i++) {
		stage_prefetch(c, keys[i]);
		if (i >= DEPTH)
			stage_resolve(m, c, keys[i - DEPTH], &ring[(i - DEPTH) % RING]);
	}
	for (; i < n; i++) {
		size_t j = i - 2 * DEPTH;
		stage_prefetch(c, keys[i]);
		stage_resolve(m, c, keys[i - DEPTH], &ring[(i - DEPTH) % RING]);
		found += finish(m, keys[j], &ring[j % RING], &vals[j], lens ? &lens[j] : &dummy);
	}
	for (; i < n + 2 * DEPTH; i++) {
		size_t j = i - 2 * DEPTH;
		if (i >= DEPTH && i - DEPTH < n)
			stage_resolve(m, c, keys[i - DEPTH], &ring[(i - DEPTH) % RING]);
		if (i >= 2 * DEPTH)
			found += finish(m, keys[j], &ring[j % RING], &vals[j],
					lens ? &lens[j] : &dummy);
	}
	return found;
}

size_t vmap_get_many(const vmap *m, const uint64_t *keys, size_t n, const char **vals,
		     size_t *lens)
{
	const struct vmap_cache *c;
	size_t found = 0;

	if (!m || !keys || !vals)
		return 0;
	c = MLOAD_ACQ(&m->fast.cache); /* pairs with window.c's grow */
	if (c)
		return pipeline(m, c, keys, n, vals, lens);
	for (size_t i = 0; i < n; i++)
		found += (vals[i] = vmap_get(m, keys[i], lens ? &lens[i] : NULL)) != NULL;
	return found;
}
