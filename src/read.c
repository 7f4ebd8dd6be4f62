/* SPDX-License-Identifier: MIT */
/*
 * read.c - vmap_get and the other readers. No locks: a reader loads count
 * with acquire (pairing with the writer's release of count, write.c step 6)
 * and a slot with acquire (pairing with replace and remove, step 5).
 *
 * The fast path is vmap_get_inline() in vmap.h, which finds the slot in the
 * slot window (window.c). This file is the checked path every other get
 * takes: every stored position goes through vmap_at(), so damaged bytes
 * give NULL.
 *
 *   key --(- first_key)--> index --(/1024)--> dir[g] = {slots_pos, base}
 *                            |                  |
 *                            +--(%1024)--> slot = u32 at slots_pos + 4*j
 *                                               |
 *            inline: base + slot  <-------------+-------------> far[f] = {pos, len}
 */
#include "internal.h"
#include "sys.h"

#include <errno.h>

const struct vmap_dir_entry *dir_entry(const vmap *m, uint64_t g)
{
	return table_elem(m, TABLE_DIR, g);
}

static const char *far_value(const vmap *m, uint32_t f, size_t *len)
{
	const struct vmap_far *rec;
	uint64_t pos, n;
	const char *p;

	if (f >= LOAD_ACQ(&m->view->far_count))
		return NULL;
	rec = table_elem(m, TABLE_FAR, f);
	if (!rec)
		return NULL;
	pos = LOAD(&rec->pos);
	n = LOAD(&rec->len);
	if (n > VMAP_VALUE_MAX || pos < BLOCK_BYTES)
		return NULL;
	p = vmap_at(m, pos, n + 1);
	if (!p || p[n])
		return NULL;
	*len = (size_t)n;
	return p;
}

/*
 * Inline values: the slot gives the length of short ones; long ones (255 to
 * INLINE_MAX bytes) end at the first NUL. Either way the NUL must be there
 * and inside the extent of the group base.
 */
static const char *inline_value(const vmap *m, uint64_t base, uint32_t slot, size_t *len)
{
	uint64_t pos = base + slot_off(slot), room;
	size_t n = slot_len(slot);
	const char *p, *nul;

	if (base > VMAP_BYTES_MAX || pos < BLOCK_BYTES)
		return NULL;
	if (n < SLOT_LEN_LONG) {
		p = vmap_at(m, pos, n + 1);
		if (!p || p[n])
			return NULL;
		*len = n;
		return p;
	}
	/* Ask for all the value may span, so that a reader looks at the file's
	 * size again if need be; near the end of the file settle for less. */
	room = extent_end(extent_of(pos)) - pos;
	if (room > INLINE_MAX + 1)
		room = INLINE_MAX + 1;
	p = vmap_at(m, pos, room);
	if (!p && !(p = vmap_at(m, pos, SLOT_LEN_LONG + 1)))
		return NULL;
	if (room > LOAD_ACQ(&m->limit) - pos)
		room = LOAD_ACQ(&m->limit) - pos;
	nul = memchr(p + SLOT_LEN_LONG, 0, (size_t)room - SLOT_LEN_LONG);
	if (!nul)
		return NULL;
	*len = (size_t)(nul - p);
	return p;
}

const char *value_of(const vmap *m, const struct vmap_dir_entry *d, uint32_t slot, size_t *len)
{
	if (slot == SLOT_REMOVED)
		return NULL;
	if (slot & SLOT_FAR)
		return far_value(m, slot & ~SLOT_FAR, len);
	return inline_value(m, LOAD(&d->base), slot, len);
}

/* The slow path: every position checked through vmap_at(). */
static const char *get_checked(const vmap *m, uint64_t index, size_t *len)
{
	const struct vmap_dir_entry *d = dir_entry(m, index >> GROUP_SHIFT);
	const uint32_t *slots;
	uint64_t slots_pos;
	const char *v;
	size_t n;

	if (!d)
		return NULL;
	slots_pos = LOAD(&d->slots_pos);
	if (slots_pos % BLOCK_BYTES || slots_pos < BLOCK_BYTES)
		return NULL;
	slots = (const uint32_t *)vmap_at(m, slots_pos, BLOCK_BYTES);
	if (!slots)
		return NULL;
	v = value_of(m, d, LOAD_ACQ(&slots[index & (GROUP_KEYS - 1)]), &n);
	if (v && len)
		*len = n;
	return v;
}

/*
 * vmap_get_slow - the slow path of vmap_get (see vmap.h): fill the group
 * cache if it can, then take the checked path. Out of line, so the fast path
 * needs no saved registers.
 */
const char *vmap_get_slow(const vmap *cm, uint64_t key, size_t *len)
{
	vmap *m = (vmap *)cm; /* the cache is mutable state of a const handle */
	uint64_t count, first, index, g;

	if (!m)
		return NULL;
	count = LOAD_ACQ(&m->view->count);
	first = LOAD(&m->view->first_key);
	index = key - first;
	g = index >> GROUP_SHIFT;
	if (index >= count)
		return NULL;
	/* first_key never changes once count > 0: keep a copy for the fast
	 * path, which trusts it once the group cache is published (window.c) */
	STORE(&m->fast.first_key, first);
	groups_learn(m, g, (count + GROUP_KEYS - 1) >> GROUP_SHIFT);
	return get_checked(m, index, len);
}

/*
 * vmap_get - the fast path is vmap_get_inline() in vmap.h: count, the
 * group's cached addresses, the slot, and for a short inline value its
 * bytes; besides the slot and the value it reads only the handle's first
 * cache line and the group's cache entry. Anything else: vmap_get_slow().
 */
const char *vmap_get(const vmap *m, uint64_t key, size_t *len)
{
	return vmap_get_inline(m, key, len);
}

uint64_t vmap_first_key(const vmap *m)
{
	if (!m || !LOAD_ACQ(&m->view->count))
		return 0;
	return LOAD(&m->view->first_key);
}


uint64_t vmap_next_key(const vmap *m)
{
	uint64_t count, first;
	if (!m)
		return 0;
	count = LOAD_ACQ(&m->view->count);
	first = LOAD(&m->view->first_key);
	/* After UINT64_MAX the sum wraps to 0: exactly "no next key". */
	return count ? first + count : 0;
}

uint64_t vmap_count(const vmap *m)
{
	uint64_t count, removed;
	if (!m)
		return 0;
	count = LOAD_ACQ(&m->view->count);
	removed = LOAD(&m->view->removed);
	return removed <= count ? count - removed : 0;
}

int vmap_stat(const vmap *m, struct vmap_stat *st)
{
	if (!m || !st)
		return -EINVAL;
	memset(st, 0, sizeof *st);
	st->first_key = vmap_first_key(m);
	st->next_key = vmap_next_key(m);
	st->live = vmap_count(m);
	st->removed = LOAD(&m->view->removed);
	st->value_bytes = LOAD(&m->view->value_bytes);
	st->used_bytes = LOAD(&m->view->bump);
	st->total_bytes = arena_total_bytes(m);
	st->far_values = LOAD(&m->view->far_count);
	st->page_size = (uint32_t)m->page;
	st->format_version = FORMAT_VERSION;
	st->file_backed = !m->anon;
	st->read_only = m->read_only;
	return 0;
}
