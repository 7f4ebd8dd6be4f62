/* SPDX-License-Identifier: MIT */
/*
 * read.c - vmap_get and the other readers. No locks: a reader loads count
 * with acquire (pairing with the writer's release of count, write.c step 6)
 * and a slot with acquire (pairing with the release of every slot, step 5),
 * so what either names was written before.
 *
 * The fast path is vmap_get_inline() in vmap.h, which finds the slot of a
 * map in memory in the slot window (window.c). This file is the checked
 * path every other get takes, and every get of a file: every stored
 * position goes through vmi_at(), so damaged bytes give NULL (and
 * vmap_lookup says which).
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

const struct vmap_dir_entry *vmi_dir_entry(const vmap *m, uint64_t g)
{
	return vmi_table_elem(m, TABLE_DIR, g);
}

int vmi_slot_find(const vmap *m, uint64_t index, const struct vmap_dir_entry **d, uint32_t **slot)
{
	const struct vmap_dir_entry *e = vmi_dir_entry(m, index >> GROUP_SHIFT);
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

	/* pairs with the release of far_count in vmi_state_store */
	if (f >= LOAD_ACQ(&m->view->far_count))
		return VMAP_ECORRUPT;
	rec = vmi_table_elem(m, TABLE_FAR, f);
	if (!rec)
		return VMAP_ECORRUPT;
	return value_bytes_at(m, LOAD(&rec->pos), LOAD(&rec->len), v);
}

/*
 * Inline values: the slot gives the length of short ones; long ones (from
 * slot_long_min() to INLINE_MAX bytes) end at the first NUL. Either way the
 * NUL must be there and inside the extent of the group base.
 */
static int inline_value(const vmap *m, uint64_t base, uint32_t slot, struct value_ref *v)
{
	uint64_t pos = base + slot_off(slot), room;
	uint32_t bias = m->fast.len_bias, code = slot_code(slot), min = slot_long_min(bias);
	const char *p, *nul;

	if (base > VMAP_BYTES_MAX || pos < BLOCK_BYTES || code < bias)
		return VMAP_ECORRUPT; /* since format 2 a zero length code is no value */
	if (code < SLOT_LEN_LONG)
		return value_bytes_at(m, pos, code - bias, v);
	/* Ask for all the value may span, so that a reader looks at the file's
	 * size again if need be; near the end of the file settle for less. */
	room = extent_end(extent_of(pos)) - pos;
	if (room > INLINE_MAX + 1)
		room = INLINE_MAX + 1;
	p = vmi_at(m, pos, room);
	if (!p && !(p = vmi_at(m, pos, min + 1)))
		return VMAP_ECORRUPT;
	if (room > MLOAD_ACQ(&m->limit) - pos) /* pairs with space.c's release */
		room = MLOAD_ACQ(&m->limit) - pos;
	nul = memchr(p + min, 0, (size_t)room - min);
	if (!nul)
		return VMAP_ECORRUPT;
	v->p = p;
	v->pos = pos;
	v->len = (size_t)(nul - p);
	return 0;
}

int vmi_value_find(const vmap *m, const struct vmap_dir_entry *d, uint32_t slot,
	       struct value_ref *v)
{
	if (slot == SLOT_REMOVED)
		return -ENOENT;
	if (slot & SLOT_FAR)
		return far_value(m, slot & ~SLOT_FAR, v);
	return inline_value(m, LOAD(&d->base), slot, v);
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
	err = vmi_slot_find(m, index, &d, &slot);
	if (err)
		return err;
	/* pairs with the release of a replace or remove */
	return vmi_value_find(m, d, LOAD_ACQ(slot), v);
}

/* The slow path: every position checked through vmi_at(). */
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
	uint64_t bump = LOAD(&m->view->bump); /* ordered by the slot's acquire before */
	for (uint64_t b = pos >> BLOCK_SHIFT; b <= (end - 1) >> BLOCK_SHIFT; b++) {
		const uint32_t *crc = vmi_table_elem(m, TABLE_CRC, b);
		uint32_t want = crc ? LOAD_ACQ(crc) : 0; /* pairs with vmi_seal_block */
		const char *p;
		if (!want || (b + 1) << BLOCK_SHIFT > bump)
			continue; /* no checksum yet */
		p = vmi_at(m, b << BLOCK_SHIFT, BLOCK_BYTES);
		if (!p || vmi_crc32c(0, p, BLOCK_BYTES) != want)
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
 * A short inline value of a group a reader has learned, with the checks of
 * the inline get for files; NULL when the checked path must answer (far,
 * removed, long, outside the room, damaged). *short_room: the value would
 * lie past the room this reader knew, which may have grown since.
 */
static const char *known_short(const vmap *m, const char *base, uint64_t room, uint32_t slot,
			       size_t *len, int *short_room)
{
	uint32_t bias = m->fast.len_bias, n = slot_code(slot) - bias;

	*short_room = 0;
	if ((slot & SLOT_FAR) || n >= SLOT_LEN_LONG - bias)
		return NULL;
	if (slot_off(slot) + n >= room) {
		*short_room = 1;
		return NULL;
	}
	if (base[slot_off(slot) + n])
		return NULL;
	*len = n;
	return base + slot_off(slot);
}

/*
 * vmap_get_slow - the slow path of vmap_get (see vmap.h): a group the fast
 * path does not know is learned (once: window.c); a group the window could
 * not place is read where its slots are, without a lock; anything else takes
 * the checked path. Out of line, so the fast path needs no saved registers.
 */
const char *vmap_get_slow(const vmap *m, uint64_t key, size_t *len)
{
	uint64_t count, first, index, g, groups, room;
	const uint32_t *slots;
	const char *base, *p;
	int short_room;
	size_t n;

	if (!m)
		return NULL;
	count = LOAD_ACQ(&m->view->count); /* pairs with the writer's commit */
	first = LOAD(&m->view->first_key);
	index = key - first;
	g = index >> GROUP_SHIFT;
	groups = (count + GROUP_KEYS - 1) >> GROUP_SHIFT;
	if (index >= count)
		return NULL;
	slots = vmi_groups_known_slots(m, g, &base, &room);
	if (!slots) {
		vmi_groups_learn(m, g, groups, first);
		slots = vmi_groups_known_slots(m, g, &base, &room);
	}
	if (slots) {
		/* pairs with the release of the slot by the writer */
		p = known_short(m, base, room, LOAD_ACQ(&slots[index & (GROUP_KEYS - 1)]), &n,
				&short_room);
		if (p) {
			if (len)
				*len = n;
			return p;
		}
		if (short_room) /* the file grew: let the cache know */
			vmi_groups_learn(m, g, groups, first);
	}
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



/* The keys appended (acquire: pairs with the writer's commit); 0 for NULL. */
static uint64_t appended(const vmap *m)
{
	return m ? LOAD_ACQ(&m->view->count) : 0;
}

uint64_t vmap_first_key(const vmap *m)
{
	return appended(m) ? LOAD(&m->view->first_key) : 0;
}

uint64_t vmap_next_key(const vmap *m)
{
	uint64_t count = appended(m);
	/* After UINT64_MAX the sum wraps to 0: exactly "no next key". */
	return count ? LOAD(&m->view->first_key) + count : 0;
}

uint64_t vmap_count(const vmap *m)
{
	uint64_t count = appended(m), removed = count ? LOAD(&m->view->removed) : 0;
	return removed <= count ? count - removed : 0;
}

int vmap_stat(const vmap *m, struct vmap_stat *st)
{
	uint64_t total;
	int err;

	if (!m || !st)
		return -EINVAL;
	err = vmi_space_total_bytes(m, &total);
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
	st->format_version = LOAD(&m->hdr->version);
	st->file_backed = !m->anon;
	st->read_only = m->read_only;
	return 0;
}
