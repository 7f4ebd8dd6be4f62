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

int slot_find(const vmap *m, uint64_t index, const struct vmap_dir_entry **d, uint32_t **slot)
{
	const struct vmap_dir_entry *e = dir_entry(m, index >> GROUP_SHIFT);
	uint64_t pos;
	char *slots;
	int err;

	if (!e)
		return VMAP_ECORRUPT;
	pos = LOAD(&e->slots_pos);
	if (pos % BLOCK_BYTES || pos < BLOCK_BYTES) /* never the header */
		return VMAP_ECORRUPT;
	err = position_at(m, pos, BLOCK_BYTES, &slots);
	if (err)
		return err;
	*d = e;
	*slot = (uint32_t *)(void *)slots + (index & (GROUP_KEYS - 1));
	return 0;
}

/* The n value bytes at pos and the NUL after them. */
static int value_bytes_at(const vmap *m, uint64_t pos, uint64_t n, struct value_ref *v)
{
	const char *p;
	int err;

	if (n > VMAP_VALUE_MAX || pos < BLOCK_BYTES)
		return VMAP_ECORRUPT;
	err = value_at(m, pos, n + 1, &p);
	if (err)
		return err;
	if (p[n])
		return VMAP_ECORRUPT;
	v->p = p;
	v->pos = pos;
	v->len = (size_t)n;
	return 0;
}

static int far_value(const vmap *m, uint32_t f, struct value_ref *v)
{
	const struct vmap_far *rec;

	/* pairs with the release of far_count in state_store */
	if (f >= LOAD_ACQ(&m->view->far_count))
		return VMAP_ECORRUPT;
	rec = table_elem(m, TABLE_FAR, f);
	if (!rec)
		return VMAP_ECORRUPT;
	return value_bytes_at(m, LOAD(&rec->pos), LOAD(&rec->len), v);
}

/*
 * Inline values: the slot gives the length of short ones; long ones (255 to
 * INLINE_MAX bytes) end at the first NUL. Either way the NUL must be there
 * and inside the extent of the group base.
 */
static int inline_value(const vmap *m, uint64_t base, uint32_t slot, struct value_ref *v)
{
	uint64_t pos = base + slot_off(slot), room;
	const char *p, *nul;

	if (base > VMAP_BYTES_MAX || pos < BLOCK_BYTES)
		return VMAP_ECORRUPT;
	if (slot_len(slot) < SLOT_LEN_LONG)
		return value_bytes_at(m, pos, slot_len(slot), v);
	/* Ask for all the value may span, so that a reader looks at the file's
	 * size again if need be; near the end of the file settle for less. */
	room = extent_end(extent_of(pos)) - pos;
	if (room > INLINE_MAX + 1)
		room = INLINE_MAX + 1;
	p = vmap_at(m, pos, room);
	if (!p && !(p = vmap_at(m, pos, SLOT_LEN_LONG + 1)))
		return VMAP_ECORRUPT;
	if (room > LOAD_ACQ(&m->limit) - pos)
		room = LOAD_ACQ(&m->limit) - pos;
	nul = memchr(p + SLOT_LEN_LONG, 0, (size_t)room - SLOT_LEN_LONG);
	if (!nul)
		return VMAP_ECORRUPT;
	v->p = p;
	v->pos = pos;
	v->len = (size_t)(nul - p);
	return 0;
}

int value_find(const vmap *m, const struct vmap_dir_entry *d, uint32_t slot,
	       struct value_ref *v)
{
	if (slot == SLOT_REMOVED)
		return -ENOENT;
	if (slot & SLOT_FAR)
		return far_value(m, slot & ~SLOT_FAR, v);
	return inline_value(m, LOAD(&d->base), slot, v);
}

const char *value_of(const vmap *m, const struct vmap_dir_entry *d, uint32_t slot, size_t *len)
{
	struct value_ref v;
	if (value_find(m, d, slot, &v))
		return NULL;
	*len = v.len;
	return v.p;
}

/* The value of a key, every position checked: 0, -ENOENT or an error. */
static int lookup_key(const vmap *m, uint64_t key, struct value_ref *v)
{
	const struct vmap_dir_entry *d;
	uint32_t *slot;
	uint64_t count = LOAD_ACQ(&m->view->count); /* pairs with the writer's commit */
	uint64_t index = key - LOAD(&m->view->first_key);
	int err;

	if (index >= count)
		return -ENOENT;
	err = slot_find(m, index, &d, &slot);
	if (err)
		return err;
	/* pairs with the release of a replace or remove */
	return value_find(m, d, LOAD_ACQ(slot), v);
}

/* The slow path: every position checked through vmap_at(). */
static const char *get_checked(const vmap *m, uint64_t key, size_t *len)
{
	struct value_ref v;
	if (lookup_key(m, key, &v))
		return NULL;
	if (len)
		*len = v.len;
	return v.p;
}

int vmap_lookup(const vmap *m, uint64_t key, const char **val, size_t *len)
{
	struct value_ref v;
	int err;

	if (!m || !val)
		return -EINVAL;
	err = lookup_key(m, key, &v);
	if (err)
		return err;
	*val = v.p;
	if (len)
		*len = v.len;
	return 0;
}

/* Every sealed block under [pos, end) must still match its checksum. */
static int blocks_match(const vmap *m, uint64_t pos, uint64_t end)
{
	uint64_t bump = LOAD_ACQ(&m->view->bump);
	for (uint64_t b = pos >> BLOCK_SHIFT; b <= (end - 1) >> BLOCK_SHIFT; b++) {
		const uint32_t *crc = table_elem(m, TABLE_CRC, b);
		uint32_t want = crc ? LOAD_ACQ(crc) : 0; /* pairs with seal_block */
		const char *p;
		if (!want || (b + 1) << BLOCK_SHIFT > bump)
			continue; /* no checksum yet */
		p = vmap_at(m, b << BLOCK_SHIFT, BLOCK_BYTES);
		if (!p || crc32c(0, p, BLOCK_BYTES) != want)
			return VMAP_ECORRUPT;
	}
	return 0;
}

int vmap_check_key(const vmap *m, uint64_t key)
{
	struct value_ref v;
	int err;

	if (!m)
		return -EINVAL;
	err = lookup_key(m, key, &v);
	return err ? err : blocks_match(m, v.pos, v.pos + v.len + 1);
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
	return get_checked(m, key, len);
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
	uint64_t total;
	int err;

	if (!m || !st)
		return -EINVAL;
	err = arena_total_bytes(m, &total);
	if (err)
		return err; /* *st untouched */
	memset(st, 0, sizeof *st);
	st->total_bytes = total;
	st->first_key = vmap_first_key(m);
	st->next_key = vmap_next_key(m);
	st->live = vmap_count(m);
	st->removed = LOAD(&m->view->removed);
	st->value_bytes = LOAD(&m->view->value_bytes);
	st->used_bytes = LOAD(&m->view->bump);
	st->far_values = LOAD(&m->view->far_count);
	st->page_size = (uint32_t)m->page;
	st->format_version = m->hdr->version;
	st->file_backed = !m->anon;
	st->read_only = m->read_only;
	return 0;
}
