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
 * mapped, and how far past it the reader may look (bases[], rooms[], read
 * by the inline get in vmap.h), and what the slow path knows (known[]).
 *
 * Pages. The window is mapped a machine page at a time. With 4 KiB pages
 * any group can be placed; with 16 or 64 KiB pages one page of the window
 * shows 4 or 16 consecutive groups, so it can be mapped only where the file
 * holds their slot blocks side by side, from a position aligned to the page
 * (the writer places runs so, plan.c). A group that cannot be placed (a file
 * from elsewhere, the first groups of a map, an mmap that fails) is
 * "direct": its slots are read where the extent maps them, by the slow
 * path, without a lock or a system call.
 *
 * Both grow by doubling. Old windows and arrays stay until close, since a
 * reader may still hold them, but only the newest takes new pages: a new
 * window maps every page the old one showed before it is published, and a
 * group placed later is mapped into the newest window alone. The writer
 * maps each slot run it takes at once (vmi_groups_premap): one mmap a run,
 * not a group; the run's slots read as zero until written.
 *
 * Publication: a new array is filled, then published by one pointer,
 * m->fast.cache, with release; the inline get loads it with acquire, so
 * everything in it is visible. A group becomes visible to the fast path by
 * its bases[] entry in the array whose window shows it, stored with release
 * after its page is mapped and its room stored; the get loads it with
 * acquire, and reads that array's window. A reader holding an old array
 * finds bases[] NULL for groups placed since, and goes the slow way, which
 * reads the newest array.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <sys/mman.h>

#define FIRST_GROUPS 64

/* What the slow path knows of a group. */
struct known {
	const uint32_t *slots; /* atomic (release when set): its slot block, mapped */
	const char *base;      /* where its inline values are counted from */
	uint64_t room;         /* atomic: bytes past base that may be read */
	uint64_t slots_pos;
	int windowed;          /* slots is in the window, base in bases[] */
};

struct cache_array {
	struct vmap_cache pub; /* what the inline get reads */
	const char **bases;
	uint64_t *rooms;
	char *window;          /* pub.groups groups' slot blocks */
	uint64_t *pages;       /* per window page: the file position it shows + 1; 0: none */
	struct known *known;
	struct cache_array *older;
};

static size_t window_bytes(uint64_t groups)
{
	return (size_t)groups * BLOCK_BYTES;
}

/* Groups one machine page of the window shows. */
static uint64_t page_groups(const vmap *m)
{
	return m->page > BLOCK_BYTES ? m->page / BLOCK_BYTES : 1;
}

static void array_free(struct cache_array *a)
{
	if (a->window)
		vmi_sys_munmap(a->window, window_bytes(a->pub.groups));
	vmi_sys_free(a->bases);
	vmi_sys_free(a->rooms);
	vmi_sys_free(a->pages);
	vmi_sys_free(a->known);
	vmi_sys_free(a);
}

/*
 * Map window pages [p, p + n) of a (groups p * pg onward) to the file from
 * pos, and remember what each shows. Only the newest window takes new
 * pages: a reader holding an older one finds bases[] NULL there for every
 * group placed since, and takes the slow path, which reads the newest.
 */
static int map_pages(vmap *m, struct cache_array *a, uint64_t p, uint64_t n, uint64_t pos)
{
	uint64_t pg = page_groups(m);
	int err = vmi_sys_mmap_at(a->window + window_bytes(p * pg), window_bytes(n * pg), PROT_READ,
				  m->fd, pos);
	for (uint64_t i = 0; !err && i < n; i++)
		a->pages[p + i] = pos + window_bytes(i * pg) + 1;
	return err;
}

/* Group g's slot block and base, checked as any position from the file. */
static int group_ok(const vmap *m, uint64_t g, uint64_t *slots_pos, uint64_t *base)
{
	const struct vmap_dir_entry *d;
	uint32_t *slot;

	if (vmi_slot_find(m, g << GROUP_SHIFT, &d, &slot))
		return 0;
	*slots_pos = LOAD(&d->slots_pos);
	*base = LOAD(&d->base);
	return *base >= BLOCK_BYTES && *base <= VMAP_BYTES_MAX && vmi_at(m, *base, 1);
}

static uint64_t room_after(const vmap *m, uint64_t base)
{
	uint64_t end = extent_end(extent_of(base));
	uint64_t limit = MLOAD_ACQ(&m->limit); /* pairs with space.c's release */
	return (end < limit ? end : limit) - base;
}

/* Record what is known of group g; a windowed group last, for the fast path. */
static void fill(vmap *m, struct cache_array *a, uint64_t g, uint64_t pos, uint64_t base,
		 int windowed)
{
	struct known *k = &a->known[g];
	const char *b = vmi_at(m, base, 1);
	uint64_t room = room_after(m, base);

	k->base = b;
	k->slots_pos = pos;
	k->windowed = windowed;
	MSTORE(&k->room, room);
	/* last of the entry: pairs with vmi_groups_known_slots's acquire */
	MSTORE_REL(&k->slots, windowed ? (const uint32_t *)(void *)(a->window + window_bytes(g))
				      : (const uint32_t *)(void *)vmi_at(m, pos, BLOCK_BYTES));
	if (windowed) {
		MSTORE(&a->rooms[g], room);
		MSTORE_REL(&a->bases[g], b); /* pairs with the inline get's acquire */
	}
}

/*
 * Where the window page of group g must map the file from, if g can be
 * placed: the page's first group's slot block must be at a page-aligned
 * position, and the page must not already show something else.
 */
static int page_position(const vmap *m, const struct cache_array *a, uint64_t g, uint64_t pos,
			 uint64_t *page_pos, int *mapped)
{
	uint64_t pg = page_groups(m), shows = a->pages[g / pg];

	*mapped = shows != 0;
	if (pos < BLOCK_BYTES * (g % pg))
		return 0;
	*page_pos = pos - BLOCK_BYTES * (g % pg);
	if (*page_pos % m->page)
		return 0;
	return !shows || shows - 1 == *page_pos;
}

/* With 4 KiB pages: the run of groups around g whose slot blocks lie side
 * by side in the file, to map at once. */
static void find_run(const vmap *m, const struct cache_array *a, uint64_t g, uint64_t groups,
		     uint64_t pos, uint64_t *lo, uint64_t *hi)
{
	uint64_t p, b;

	*lo = g;
	*hi = g + 1;
	while (*lo > 0 && g - *lo < RUN_MAX_BLOCKS && !a->pages[*lo - 1] &&
	       group_ok(m, *lo - 1, &p, &b) && p + window_bytes(g - *lo + 1) == pos)
		(*lo)--;
	while (*hi < groups && *hi < a->pub.groups && *hi - g < RUN_MAX_BLOCKS &&
	       !a->pages[*hi] && group_ok(m, *hi, &p, &b) && p == pos + window_bytes(*hi - g))
		(*hi)++;
}

/* Place group g (and the groups mapped along with it); 0 if it cannot be. */
static int place(vmap *m, struct cache_array *a, uint64_t g, uint64_t groups, uint64_t pos)
{
	uint64_t pg = page_groups(m), page_pos, lo, hi, p, b;
	int mapped;

	if (!page_position(m, a, g, pos, &page_pos, &mapped))
		return 0;
	if (pg == 1) {
		find_run(m, a, g, groups, pos, &lo, &hi);
		page_pos = pos - window_bytes(g - lo);
	} else {
		lo = g - g % pg;
		hi = lo + pg;
	}
	if (!mapped && map_pages(m, a, lo / pg, (hi - lo) / pg, page_pos))
		return 0;
	for (uint64_t i = lo; i < hi && i < groups && i < a->pub.groups; i++)
		if (!a->known[i].slots && group_ok(m, i, &p, &b) &&
		    p == page_pos + window_bytes(i - lo))
			fill(m, a, i, p, b, 1);
	return 1;
}

/* Map into new window a every page the old one shows, a run at a time,
 * and take over what the old array knows. */
static int remap_known(vmap *m, struct cache_array *a, const struct cache_array *old)
{
	uint64_t pages = old ? old->pub.groups / page_groups(m) : 0;

	for (uint64_t p = 0, n; p < pages; p += n) {
		for (n = 1; p + n < pages && old->pages[p + n] &&
			    old->pages[p + n] == old->pages[p] + window_bytes(n * page_groups(m));
		     n++)
			;
		if (old->pages[p] && map_pages(m, a, p, n, old->pages[p] - 1))
			return -ENOMEM;
	}
	for (uint64_t i = 0; old && i < old->pub.groups; i++) {
		const struct known *k = &old->known[i];
		a->known[i] = *k;
		if (k->windowed) {
			a->known[i].slots = (const uint32_t *)(void *)(a->window + window_bytes(i));
			a->rooms[i] = MLOAD(&k->room);
			a->bases[i] = k->base;
		}
	}
	return 0;
}

/* Room for group g: a new array and window twice the size (under map_lock). */
static struct cache_array *grow(vmap *m, uint64_t g, uint64_t first_key)
{
	struct cache_array *old = m->cache, *a;
	uint64_t size = old ? old->pub.groups : FIRST_GROUPS;
	int err = 0;

	while (size < page_groups(m)) /* whole pages (pages of 256 KiB and more) */
		size *= 2;

	while (size <= g)
		size *= 2;
	if (size > SIZE_MAX / BLOCK_BYTES) /* 32 bits: more window than address space */
		return NULL;
	a = vmi_sys_calloc(1, sizeof *a);
	if (!a)
		return NULL;
	a->pub.groups = size;
	a->pub.first_key = first_key;
	a->bases = vmi_sys_calloc((size_t)size, sizeof *a->bases);
	a->rooms = vmi_sys_calloc((size_t)size, sizeof *a->rooms);
	a->known = vmi_sys_calloc((size_t)size, sizeof *a->known);
	a->pages = vmi_sys_calloc((size_t)(size / page_groups(m)), sizeof *a->pages);
	a->window = vmi_sys_mmap(window_bytes(size), PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0, &err);
	if (!a->bases || !a->rooms || !a->known || !a->pages || !a->window ||
	    remap_known(m, a, old)) {
		array_free(a);
		return NULL;
	}
	a->pub.window = (const uint32_t *)(void *)a->window;
	a->pub.bases = a->bases;
	a->pub.rooms = a->rooms;
	a->older = old;
	MSTORE_REL(&m->cache, a); /* pairs with vmi_groups_known_slots */
	/* the inline get reads in-memory maps only: a file's offsets may be
	 * hostile, and its gets take the slow path, which checks them */
	if (m->fast.trusted)
		MSTORE_REL(&m->fast.cache, &a->pub); /* pairs with the inline get's acquire */
	return a;
}

/*
 * vmi_groups_learn - make group g known: the cache grown to hold it, g placed in
 * the window if it can be (with the groups mapped along with it), else known
 * as direct. Quietly does nothing it cannot do safely (no memory, a damaged
 * directory): the checked path still answers. first_key: the map's, which
 * never changes once a key is there.
 */
void vmi_groups_learn(const vmap *cm, uint64_t g, uint64_t groups, uint64_t first_key)
{
	vmap *m = (vmap *)cm; /* the cache is mutable state of a const handle */
	struct cache_array *a;
	uint64_t pos, base;

	if (g >= groups || !group_ok(m, g, &pos, &base))
		return;
	pthread_mutex_lock(&m->map_lock);
	a = m->cache;
	if (!a || g >= a->pub.groups)
		a = grow(m, g, first_key);
	if (a && !a->known[g].slots) {
		if (!place(m, a, g, groups, pos))
			fill(m, a, g, pos, base, 0);
	} else if (a) {
		/* known: the file may have grown past what the entry allows */
		uint64_t room = room_after(m, base);
		MSTORE(&a->known[g].room, room);
		if (a->known[g].windowed)
			MSTORE(&a->rooms[g], room);
	}
	pthread_mutex_unlock(&m->map_lock);
}

/*
 * vmi_groups_premap - the writer has taken a run of n slot blocks at pos for
 * groups g onward: map the run into the window at once, so that opening
 * each of its groups maps nothing (one mmap a run, not a group). Its slots
 * read as zero until written ("nothing here"), and no group is known until
 * learned. Quietly does nothing where the pages do not line up.
 */
void vmi_groups_premap(const vmap *cm, uint64_t g, uint64_t n, uint64_t pos, uint64_t first_key)
{
	vmap *m = (vmap *)cm;
	uint64_t pg = page_groups(m);
	struct cache_array *a;

	if (g % pg || n % pg || pos % m->page)
		return;
	pthread_mutex_lock(&m->map_lock);
	a = m->cache;
	if (!a || g + n > a->pub.groups)
		a = grow(m, g + n - 1, first_key);
	if (a) {
		uint64_t p = g / pg, unmapped = 1;
		for (uint64_t i = 0; i < n / pg; i++)
			unmapped &= !a->pages[p + i];
		if (unmapped)
			map_pages(m, a, p, n / pg, pos);
	}
	pthread_mutex_unlock(&m->map_lock);
}

/*
 * vmi_groups_known_slots - the slots of group g if a reader has learned it, in
 * the window or (direct) in an extent, with its base and room; NULL if not.
 * Lock-free: the slot pointer is loaded with acquire, pairing with fill().
 */
const uint32_t *vmi_groups_known_slots(const vmap *m, uint64_t g, const char **base,
				   uint64_t *room)
{
	const struct cache_array *a = MLOAD_ACQ(&m->cache); /* pairs with grow's release */
	const struct known *k;
	const uint32_t *slots;

	if (!a || g >= a->pub.groups)
		return NULL;
	k = &a->known[g];
	slots = MLOAD_ACQ(&k->slots); /* pairs with fill's release */
	if (slots) {
		*base = k->base;
		*room = MLOAD(&k->room);
	}
	return slots;
}

void vmi_groups_free(vmap *m)
{
	for (struct cache_array *a = m->cache, *older; a; a = older) {
		older = a->older;
		array_free(a);
	}
	m->cache = NULL;
	m->fast.cache = NULL;
}
