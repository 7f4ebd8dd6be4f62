/* SPDX-License-Identifier: MIT */
/*
 * window.c - what a reader keeps to make a get cheap: the group cache and
 * the slot window.
 *
 * The slot blocks lie in the file in runs, among the values. A reader maps
 * them a second time, side by side, into one reserved stretch of address
 * space, the slot window, so that the slot of index i is at window + 4*i:
 * computed, not loaded.
 *
 *   file     | hdr | run A: g0 g1 g2 g3 | values ... | run B: g4 .. g11 | values
 *                     \  \  \  \                      \ ...
 *   window   | g0 | g1 | g2 | g3 | g4 | ... | g11 | (zero pages) ...
 *                 one mmap(MAP_FIXED) per run, read-only
 *
 * Next to it, the group cache holds per group what a value needs: its base,
 * mapped, and how far past it the reader may look. Window pages of groups
 * not yet learned read as zero, and their cache entry says "unknown", so the
 * fast path goes the slow way for them.
 *
 * Both grow by doubling. Old windows and arrays stay until close, since a
 * reader may still hold them; every group learned is mapped into every
 * window that covers it, so any window a reader holds is right for any
 * array entry it finds marked.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <sys/mman.h>

#define FIRST_GROUPS 64

static size_t window_bytes(uint64_t groups)
{
	return (size_t)groups * BLOCK_BYTES;
}

/* Map groups [g, g + n), whose slot blocks start at slots_pos, into every
 * window that covers them. */
static int map_into_windows(vmap *m, uint64_t g, uint64_t n, uint64_t slots_pos)
{
	for (struct cache_array *a = m->cache; a; a = a->older) {
		uint64_t end = g + n < a->size ? g + n : a->size;
		int err;
		if (g >= end)
			continue;
		err = vmap_sys_mmap_at(a->window + window_bytes(g), window_bytes(end - g), PROT_READ,
				       m->fd, slots_pos);
		if (err)
			return err;
	}
	return 0;
}

/* Map into a new window every group the old array knows, a run at a time. */
static int remap_known(vmap *m, struct cache_array *a, const struct cache_array *old)
{
	uint64_t g = 0;
	while (old && g < old->size) {
		uint64_t pos = old->groups[g].slots_pos, n = 1;
		int err;
		if (!LOAD_ACQ(&old->groups[g].slots)) {
			g++;
			continue;
		}
		while (g + n < old->size && LOAD_ACQ(&old->groups[g + n].slots) &&
		       old->groups[g + n].slots_pos == pos + window_bytes(n))
			n++;
		err = vmap_sys_mmap_at(a->window + window_bytes(g), window_bytes(n), PROT_READ, m->fd,
				       pos);
		if (err)
			return err;
		for (uint64_t i = g; i < g + n; i++) {
			a->groups[i] = old->groups[i];
			a->groups[i].slots = (const uint32_t *)(a->window + window_bytes(i));
		}
		g += n;
	}
	return 0;
}

static void array_free(struct cache_array *a)
{
	if (a->window)
		vmap_sys_munmap(a->window, window_bytes(a->size));
	vmap_sys_free(a->groups);
	vmap_sys_free(a);
}

/* Room for group g: a new array and window twice the size (under map_lock). */
static struct cache_array *grow(vmap *m, uint64_t g)
{
	struct cache_array *old = m->cache, *a;
	uint64_t size = old ? old->size : FIRST_GROUPS;
	int err = 0;

	while (size <= g)
		size *= 2;
	if (size > SIZE_MAX / BLOCK_BYTES) /* 32 bits: more window than address space */
		return NULL;
	a = vmap_sys_calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->size = size;
	a->groups = vmap_sys_calloc((size_t)size, sizeof *a->groups);
	a->window = vmap_sys_mmap(window_bytes(size), PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0, &err);
	if (!a->groups || !a->window || remap_known(m, a, old)) {
		array_free(a);
		return NULL;
	}
	a->older = old;
	m->cache = a;
	/* window and array before the size: whoever sees the size sees them */
	STORE_REL(&m->fast.window, (const uint32_t *)a->window);
	STORE_REL(&m->fast.groups, a->groups);
	STORE_REL(&m->fast.groups_size, size);
	return a;
}

/* Group g's slot block and base, checked as any position from the file. */
static int group_ok(const vmap *m, uint64_t g, uint64_t *slots_pos, uint64_t *base)
{
	const struct vmap_dir_entry *d = dir_entry(m, g);
	if (!d)
		return 0;
	*slots_pos = LOAD(&d->slots_pos);
	*base = LOAD(&d->base);
	return *slots_pos % BLOCK_BYTES == 0 && *slots_pos >= BLOCK_BYTES && *base >= BLOCK_BYTES &&
	       *base <= VMAP_BYTES_MAX && vmap_at(m, *slots_pos, BLOCK_BYTES) &&
	       vmap_at(m, *base, 1);
}

/* The run of groups around g whose slot blocks lie side by side in the file. */
static void find_run(const vmap *m, const struct cache_array *a, uint64_t g, uint64_t groups,
		     uint64_t *lo, uint64_t *hi)
{
	uint64_t pos, base, p, b;

	group_ok(m, g, &pos, &base);
	*lo = g;
	*hi = g + 1;
	while (*lo > 0 && g - *lo < RUN_MAX_BLOCKS && !LOAD(&a->groups[*lo - 1].slots) &&
	       group_ok(m, *lo - 1, &p, &b) && p + window_bytes(g - *lo + 1) == pos)
		(*lo)--;
	while (*hi < groups && *hi < a->size && *hi - g < RUN_MAX_BLOCKS &&
	       !LOAD(&a->groups[*hi].slots) && group_ok(m, *hi, &p, &b) &&
	       p == pos + window_bytes(*hi - g))
		(*hi)++;
}

static uint64_t room_after(const vmap *m, uint64_t base)
{
	uint64_t end = extent_end(extent_of(base));
	uint64_t limit = LOAD_ACQ(&m->limit);
	return (end < limit ? end : limit) - base;
}

/* Fill the cache entries of [lo, hi), mapped: slots goes last, with release. */
static void fill(vmap *m, struct cache_array *a, uint64_t lo, uint64_t hi)
{
	for (uint64_t i = lo; i < hi; i++) {
		struct vmap_group_fast *e = &a->groups[i];
		uint64_t pos, base;
		group_ok(m, i, &pos, &base);
		e->slots_pos = pos;
		STORE(&e->base, (const char *)vmap_at(m, base, 1));
		STORE(&e->room, room_after(m, base));
		STORE_REL(&e->slots, (const uint32_t *)(a->window + window_bytes(i)));
	}
}

/*
 * groups_learn - make group g known to the fast path: the cache grown to
 * hold it, its run of slot blocks mapped into the windows, its entries
 * filled. Quietly does nothing it cannot do safely (no memory, a damaged
 * directory): the checked path still answers.
 */
void groups_learn(const vmap *cm, uint64_t g, uint64_t groups)
{
	vmap *m = (vmap *)cm; /* the cache is mutable state of a const handle */
	struct cache_array *a;
	uint64_t lo, hi, pos, base;

	if (g >= groups || !group_ok(m, g, &pos, &base))
		return;
	pthread_mutex_lock(&m->map_lock);
	a = m->cache;
	if (!a || g >= a->size)
		a = grow(m, g);
	if (a && !LOAD(&a->groups[g].slots)) {
		find_run(m, a, g, groups, &lo, &hi);
		if (!map_into_windows(m, lo, hi - lo, pos - window_bytes(g - lo)))
			fill(m, a, lo, hi);
	} else if (a) {
		/* known: the file may have grown past what the entry allows */
		STORE(&a->groups[g].room, room_after(m, base));
	}
	pthread_mutex_unlock(&m->map_lock);
}

void groups_free(vmap *m)
{
	for (struct cache_array *a = m->cache, *older; a; a = older) {
		older = a->older;
		array_free(a);
	}
	m->cache = NULL;
}
