/* SPDX-License-Identifier: MIT */
/*
 * write.c - append, replace and remove: the second phase of a write.
 *
 * plan.c has chosen every position and reserved the space; here the bytes go
 * in, in an order that lets readers run beside us without a lock and lets a
 * writer that was killed at any instant be undone on reopen:
 *
 *   1. journal: the state before, "operation in progress"   (crash undo)
 *   2. state: bump and gap, then the new table chunks       (space claimed)
 *   3. value bytes and NUL, far record, dir entry           (invisible yet)
 *   4. seal completed blocks: their CRC32C                  (check)
 *      (the partly filled blocks' CRCs wait for sync or close)
 *   5. slot, with release          <- commit of replace and remove
 *   6. counters, then count with release <- commit of append
 *   7. journal: done
 *
 * A reader loads count with acquire (pairs with 6) and the slot with acquire
 * (pairs with 5), so whatever it finds there was written before it.
 */
#include "plan.h"
#include "sys.h"

#include <errno.h>

static int writable(const vmap *m)
{
	if (!m)
		return -EINVAL;
	return m->read_only ? -EROFS : 0;
}

static int check_value(const void *val, size_t len)
{
	if (!val && len)
		return -EINVAL;
	return len > VMAP_VALUE_MAX ? -EMSGSIZE : 0;
}

static void journal_begin(vmap *m, uint32_t kind, uint64_t index, uint32_t slot_new,
			  uint64_t value_bytes_after)
{
	struct vmap_journal *j = &m->hdr->journal;
	state_load(&j->before, &m->hdr->live);
	j->kind = kind;
	j->key_index = index;
	j->slot_new = slot_new;
	j->value_bytes_after = value_bytes_after;
	STORE_REL(&j->active, 1);
	write_begin(m);
}

static void journal_end(vmap *m)
{
	STORE_REL(&m->hdr->journal.active, 0);
	write_end(m);
}

/*
 * Readers of whole maps (vmap_check) tell a quiet writer from a busy one by
 * the header's count of writes, a sequence count in the manner of a seqlock:
 * odd while a write is under way. It turns odd before any byte of the write
 * changes, which the fence orders: a checker that sees one of those bytes
 * then sees an odd or a larger count (pairs with the acquire fence in
 * check.c, quiet_marks). The journal's active flag is for crash recovery
 * only; a sync changes no entry and leaves it alone.
 */
void write_begin(vmap *m)
{
	STORE(&m->hdr->writes, LOAD(&m->hdr->writes) | 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void write_end(vmap *m)
{
	/* pairs with the acquire load of the count in check.c's quiet_marks */
	STORE_REL(&m->hdr->writes, (LOAD(&m->hdr->writes) | 1) + 1);
}

/* Claim the space the plan took: new chunks zeroed, then published. */
static void claim_space(vmap *m, const struct plan *p)
{
	struct vmap_state *live = &m->hdr->live;
	STORE(&live->bump, p->st.bump);
	STORE(&live->crcs_valid, 0);
	STORE(&live->gap_pos, p->st.gap_pos);
	STORE(&live->gap_end, p->st.gap_end);
	for (int n = 0; n < p->nchunks; n++) {
		uint64_t *slot = (uint64_t *)((char *)m->hdr +
					      table_shapes[p->chunks[n].table].chunks_offset);
		memset(vmap_ptr(m, p->chunks[n].pos), 0, (size_t)BLOCK_BYTES << p->chunks[n].c);
		STORE_REL(&slot[p->chunks[n].c], p->chunks[n].pos);
	}
}

/* A checker that finds the checksum (acquire) sees the block's bytes. */
void seal_block(vmap *m, uint64_t block)
{
	uint32_t *crc = table_elem(m, TABLE_CRC, block);
	if (crc)
		STORE_REL(crc, crc32c(0, vmap_ptr(m, block << BLOCK_SHIFT), BLOCK_BYTES));
}

static void seal_planned(vmap *m, const struct plan *p)
{
	for (int n = 0; n < p->nseals; n++)
		for (uint64_t b = p->seals[n].from; b < p->seals[n].to; b++)
			seal_block(m, b);
}

/* Copy len bytes to pos, an extent at a time: a far value may cross them. */
static void copy_in(vmap *m, uint64_t pos, const char *src, uint64_t len)
{
	while (len) {
		uint64_t room = extent_end(extent_of(pos)) - pos;
		uint64_t n = len < room ? len : room;
		memcpy(vmap_ptr(m, pos), src, (size_t)n);
		pos += n;
		src += n;
		len -= n;
	}
}

/* Copy the value and its NUL to where the plan put it, and seal. */
static void write_value(vmap *m, struct plan *p, const void *val, size_t len)
{
	copy_in(m, p->data_pos, val, len);
	vmap_ptr(m, p->data_pos + len)[0] = '\0';
	seal_planned(m, p);
}

static void write_far(vmap *m, uint64_t f, uint64_t pos, uint64_t len)
{
	struct vmap_far *rec = table_elem(m, TABLE_FAR, f);
	STORE(&rec->pos, pos);
	STORE(&rec->len, len);
}

/* The slot of index in the block at slots_pos, which came from the file:
 * checked like any position a reader follows. */
static uint32_t *slot_ptr(vmap *m, uint64_t slots_pos, uint64_t index)
{
	uint32_t *slots;
	if (slots_pos % BLOCK_BYTES || slots_pos < BLOCK_BYTES || /* never the header */
	    slots_pos >= LOAD(&m->hdr->live.bump))
		return NULL;
	slots = (uint32_t *)vmap_at(m, slots_pos, BLOCK_BYTES);
	return slots ? slots + (index & (GROUP_KEYS - 1)) : NULL;
}

/* Plan a far record for the value about to be written. */
static int plan_far(vmap *m, struct plan *p, uint64_t *f)
{
	*f = p->st.far_count;
	if (*f >= VMAP_FAR_MAX)
		return -EOVERFLOW;
	p->st.far_count++;
	return plan_table_elem(m, p, TABLE_FAR, *f);
}

/* The rest of a plan: the far record if any, the value's bytes, the space. */
static int plan_value(vmap *m, struct plan *p, int far, size_t len, uint64_t *f, uint64_t *pos)
{
	int err = far ? plan_far(m, p, f) : 0;
	if (!err)
		err = plan_data(m, p, len + 1, pos);
	if (!err)
		err = plan_reserve(m, p);
	return err;
}

/* ---- append ------------------------------------------------------------- */

struct group_ref {
	uint64_t slots_pos, base;
	int fresh;
};

static int find_or_plan_group(vmap *m, struct plan *p, uint64_t index, struct group_ref *g)
{
	const struct vmap_dir_entry *d;
	int err;

	g->fresh = (index & (GROUP_KEYS - 1)) == 0;
	if (!g->fresh) {
		d = dir_entry(m, index >> GROUP_SHIFT);
		if (!d)
			return VMAP_ECORRUPT;
		g->slots_pos = LOAD(&d->slots_pos);
		g->base = LOAD(&d->base);
		if (!slot_ptr(m, g->slots_pos, index) || g->base < BLOCK_BYTES ||
		    g->base > p->st.bump)
			return VMAP_ECORRUPT;
		return 0;
	}
	err = plan_table_elem(m, p, TABLE_DIR, index >> GROUP_SHIFT);
	if (!err)
		err = plan_slot_block(p, index >> GROUP_SHIFT, &g->slots_pos);
	if (err)
		return err;
	g->base = p->st.gap_pos < p->st.gap_end ? p->st.gap_pos : p->st.bump;
	return 0;
}

/*
 * Inline values: short, no NUL inside, and where the value will land is
 * within the slot's 8 MiB window of the group base and in the same extent, so
 * a reader can find it from the base alone.
 */
static int goes_inline(const struct plan *p, const struct group_ref *g, const void *val,
		       size_t len)
{
	uint64_t pos;
	if (len > INLINE_MAX || (len && memchr(val, 0, len)))
		return 0;
	pos = plan_predict(p, len + 1);
	return pos - g->base < SLOT_WINDOW && extent_of(pos) == extent_of(g->base) &&
	       extent_of(pos + len) == extent_of(g->base);
}

static int sequence_error(const struct vmap_state *s, uint64_t key)
{
	uint64_t last;
	if (!s->count)
		return 0;
	last = s->first_key + (s->count - 1);
	if (last == UINT64_MAX || s->count >= VMAP_SLOTS_MAX)
		return -EOVERFLOW;
	return key == last + 1 ? 0 : VMAP_ESEQUENCE;
}

/* Put a group just opened in the reader's cache and slot window (window.c):
 * one mmap per 1024 appends, instead of a first get paying for it. */
static void learn_new_group(vmap *m, uint64_t g, uint64_t first_key)
{
	STORE(&m->fast.first_key, first_key); /* before the cache is published */
	groups_learn(m, g, g + 1);
}

/* Remember the group appends go to, and how far the crc table reaches. */
static void note_group(vmap *m, uint64_t index, uint64_t slots_pos, uint64_t base)
{
	m->group_plus1 = (index >> GROUP_SHIFT) + 1;
	m->group_slots = (uint32_t *)vmap_ptr(m, slots_pos);
	m->group_base = base;
	m->crc_blocks = table_capacity(m, TABLE_CRC);
}

/* Seal the blocks that [pos, end) completes. */
static void seal_completed(vmap *m, uint64_t pos, uint64_t end)
{
	for (uint64_t b = pos >> BLOCK_SHIFT; b < end >> BLOCK_SHIFT; b++)
		seal_block(m, b);
}

/*
 * The common append: a short inline value into the current group, at the
 * bump or in the gap, in space already reserved. No plan, no table; the
 * journal holds just what a crash could leave wrong (the byte count). The
 * CRCs of the two partly filled blocks are taken at sync and close, not here.
 * Returns 1 when the general path must do it instead.
 */
static int append_fast(vmap *m, const void *val, size_t len)
{
	struct vmap_state *live = &m->hdr->live;
	struct vmap_journal *j = &m->hdr->journal;
	uint64_t count = live->count, bytes = live->value_bytes;
	uint64_t gap = live->gap_pos, pos, end;
	int in_gap = gap < live->gap_end;

	if ((count & (GROUP_KEYS - 1)) == 0 || (count >> GROUP_SHIFT) + 1 != m->group_plus1 ||
	    len >= SLOT_LEN_LONG || (len && memchr(val, 0, len)))
		return 1;
	pos = in_gap ? gap : live->bump;
	end = pos + len + 1;
	if ((in_gap && end > live->gap_end) || end > m->reserved ||
	    pos - m->group_base >= SLOT_WINDOW || extent_of(end - 1) != extent_of(m->group_base) ||
	    (end >> BLOCK_SHIFT > pos >> BLOCK_SHIFT && end >> BLOCK_SHIFT >= m->crc_blocks))
		return 1;

	j->kind = JOURNAL_APPEND_FAST;
	j->before.count = count;
	j->before.value_bytes = bytes;
	j->value_bytes_after = bytes + len;
	STORE_REL(&j->active, 1);
	write_begin(m);
	if (end > m->populated)
		arena_populate(m, end);
	if (len) /* val may be NULL when len is 0 */
		memcpy(vmap_ptr(m, pos), val, len);
	vmap_ptr(m, pos)[len] = '\0';
	if (live->crcs_valid)
		STORE(&live->crcs_valid, 0);
	STORE(in_gap ? &live->gap_pos : &live->bump, end);
	/* after the bump: a checker that finds a checksum finds its block used */
	seal_completed(m, pos, end);
	STORE_REL(&m->group_slots[count & (GROUP_KEYS - 1)], slot_inline(pos - m->group_base, len));
	STORE(&live->value_bytes, bytes + len);
	STORE_REL(&live->count, count + 1);
	journal_end(m);
	return 0;
}

int vmap_append(vmap *m, uint64_t key, const void *val, size_t len)
{
	struct plan p;
	struct group_ref g;
	uint64_t index, pos, f = 0;
	uint32_t slot;
	int far, err;

	err = writable(m);
	if (!err)
		err = check_value(val, len);
	if (err)
		return err;
	err = sequence_error(&m->hdr->live, key);
	if (err || !append_fast(m, val, len))
		return err;
	plan_start(m, &p);
	index = p.st.count;
	err = find_or_plan_group(m, &p, index, &g);
	if (!err) /* first, so that plan_data below allocates no table */
		err = plan_crc_cover(m, &p, len + 1);
	if (err)
		return err;
	far = !goes_inline(&p, &g, val, len);
	err = plan_value(m, &p, far, len, &f, &pos);
	if (err)
		return err;

	slot = far ? SLOT_FAR | (uint32_t)f : slot_inline(pos - g.base, len);
	journal_begin(m, JOURNAL_APPEND, index, slot, 0);
	claim_space(m, &p);
	if (g.fresh) {
		struct vmap_dir_entry *d = table_elem(m, TABLE_DIR, index >> GROUP_SHIFT);
		STORE(&d->slots_pos, g.slots_pos);
		STORE(&d->base, g.base);
	}
	write_value(m, &p, val, len);
	if (far)
		write_far(m, f, pos, len);
	STORE_REL(slot_ptr(m, g.slots_pos, index), slot);
	if (!index)
		p.st.first_key = key;
	p.st.value_bytes += len;
	p.st.count = index + 1;
	state_store(&m->hdr->live, &p.st);
	journal_end(m);
	note_group(m, index, g.slots_pos, g.base);
	if (g.fresh) /* readers of this handle need not learn it themselves */
		learn_new_group(m, index >> GROUP_SHIFT, p.st.first_key);
	return 0;
}

/* ---- replace and remove ------------------------------------------------- */

/* The slot of a live key, and its value's length. */
static int live_slot(vmap *m, uint64_t key, uint32_t **slot, size_t *len)
{
	const struct vmap_state *s = &m->hdr->live;
	uint64_t count = LOAD(&s->count), index = key - LOAD(&s->first_key);
	const struct vmap_dir_entry *d;

	if (!count || key < LOAD(&s->first_key) || index >= count)
		return -ENOENT;
	d = dir_entry(m, index >> GROUP_SHIFT);
	if (!d)
		return VMAP_ECORRUPT;
	*slot = slot_ptr(m, LOAD(&d->slots_pos), index);
	if (!*slot)
		return VMAP_ECORRUPT;
	if (!value_of(m, d, LOAD(*slot), len))
		return LOAD(*slot) == SLOT_REMOVED ? -ENOENT : VMAP_ECORRUPT;
	return 0;
}

/* A replaced key of a file that was synced must not point at bytes a power
 * loss could take away: flush the new value before the slot moves to it. */
static int durable_before_commit(vmap *m, uint64_t key)
{
	uint64_t index = key - LOAD(&m->hdr->live.first_key);
	if (m->anon || index >= LOAD(&m->hdr->synced.count))
		return 0;
	return sync_flush(m);
}

int vmap_replace(vmap *m, uint64_t key, const void *val, size_t len)
{
	struct plan p;
	uint64_t pos, f;
	uint32_t *slot;
	size_t old_len;
	int err;

	err = writable(m);
	if (!err)
		err = check_value(val, len);
	if (!err)
		err = live_slot(m, key, &slot, &old_len);
	if (err)
		return err;
	plan_start(m, &p);
	err = plan_value(m, &p, 1, len, &f, &pos);
	if (err)
		return err;

	journal_begin(m, JOURNAL_REPLACE, key - p.st.first_key, SLOT_FAR | (uint32_t)f,
		      p.st.value_bytes + len - old_len);
	claim_space(m, &p);
	write_value(m, &p, val, len);
	write_far(m, f, pos, len);
	state_store(&m->hdr->live, &p.st);
	err = durable_before_commit(m, key);
	if (err) {
		rollback_to(m, &m->hdr->journal.before);
		journal_end(m);
		return err;
	}
	STORE_REL(slot, SLOT_FAR | (uint32_t)f);
	/* in 64 bits: a shorter value must not wrap a 32-bit size_t */
	p.st.value_bytes = p.st.value_bytes + len - old_len;
	state_store(&m->hdr->live, &p.st);
	journal_end(m);
	return 0;
}

int vmap_remove(vmap *m, uint64_t key)
{
	struct vmap_state s;
	uint32_t *slot;
	size_t old_len;
	int err;

	err = writable(m);
	if (!err)
		err = live_slot(m, key, &slot, &old_len);
	if (err)
		return err;
	state_load(&s, &m->hdr->live);
	journal_begin(m, JOURNAL_REMOVE, key - s.first_key, SLOT_REMOVED, s.value_bytes - old_len);
	STORE_REL(slot, SLOT_REMOVED);
	s.removed++;
	s.value_bytes -= old_len;
	state_store(&m->hdr->live, &s);
	journal_end(m);
	return 0;
}
