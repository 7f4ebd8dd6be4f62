/*
 * read.c - vmap_get and the other readers. No locks: a reader loads count
 * with acquire (pairing with the writer's release of count, write.c step 6)
 * and a slot with acquire (pairing with replace and remove, step 5). Every
 * stored position goes through vmap_at(), so damaged bytes give NULL.
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

/* Inline values end at their NUL, which must come within INLINE_MAX + 1. */
static const char *inline_value(const vmap *m, uint64_t base, uint32_t off, size_t *len)
{
	uint64_t pos = base + off, room, limit;
	const char *p, *nul;

	if (base > VMAP_BYTES_MAX || pos < BLOCK_BYTES)
		return NULL;
	p = vmap_at(m, pos, 1);
	if (!p)
		return NULL;
	limit = LOAD_ACQ(&m->limit);
	room = extent_end(extent_of(pos));
	room = (room < limit ? room : limit) - pos;
	nul = memchr(p, 0, room < INLINE_MAX + 1 ? (size_t)room : INLINE_MAX + 1);
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

const char *vmap_get(const vmap *m, uint64_t key, size_t *len)
{
	const struct vmap_dir_entry *d;
	const uint32_t *slots;
	uint64_t count, index, slots_pos;
	const char *v;
	size_t n;

	if (!m)
		return NULL;
	/* count first: its acquire makes first_key (set by the first append) visible */
	count = LOAD_ACQ(&m->view->count);
	index = key - LOAD(&m->view->first_key);
	if (index >= count)
		return NULL;
	d = dir_entry(m, index >> GROUP_SHIFT);
	if (!d)
		return NULL;
	slots_pos = LOAD(&d->slots_pos);
	if (slots_pos % BLOCK_BYTES)
		return NULL;
	slots = (const uint32_t *)vmap_at(m, slots_pos, BLOCK_BYTES);
	if (!slots)
		return NULL;
	v = value_of(m, d, LOAD_ACQ(&slots[index & (GROUP_KEYS - 1)]), &n);
	if (v && len)
		*len = n;
	return v;
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
	st->file_backed = m->fd >= 0;
	st->read_only = m->read_only;
	return 0;
}
