/* SPDX-License-Identifier: MIT */
/*
 * write.c - append, replace and remove: the second phase of a write.
 *
 * plan.c has chosen every position and reserved the space; here the bytes go
 * in, in an order that lets readers run beside us without a lock and lets a
 * writer that was killed at any instant be undone on reopen:
 *
 *   0. the count of writes made odd             (for checkers, check.c)
 *   1. journal: the state before, "operation in progress"   (crash undo)
 *   2. state: bump and gap, then the new table chunks       (space claimed)
 *   3. value bytes and NUL, far record, dir entry           (invisible yet)
 *   4. seal completed blocks: their CRC32C, with release    (check)
 *      (the partly filled blocks' CRCs wait for sync or close)
 *   5. slot, with release          <- commit of replace and remove
 *   6. counters, then count with release <- commit of append
 *   7. journal: done; the count of writes even again
 *
 * A reader loads count with acquire (pairs with 6) and the slot with acquire
 * (pairs with 5), so whatever it finds there was written before it; the
 * inline get of a map in memory, which reads no count, relies on 5 alone
 * (a slot not yet written is zero). The common append (appended_fast) keeps
 * the same order with fewer steps: no plan, no table, and no journal in
 * memory.
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

/*
 * Readers of whole maps (vmap_check) tell a quiet writer from a busy one by
 * the header's count of writes, a sequence count in the manner of a seqlock:
 * odd while a write is under way. It turns odd before any byte of the write
 * changes, which the fence orders: a checker that sees one of those bytes
 * then sees an odd or a larger count (pairs with the acquire fence in
 * check.c, quiet_marks). The journal's active flag is for crash recovery
 * only; a sync changes no entry and leaves it alone.
 */
void vmi_write_begin(vmap *m)
{
	STORE(&m->hdr->writes, m->writes + 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

void vmi_write_end(vmap *m)
{
	m->writes += 2;
	/* pairs with the acquire load of the count in check.c's load_marks */
	STORE_REL(&m->hdr->writes, m->writes);
}

/* A planned write: counted (for checkers) and journalled (for a crash). */
static void planned_begin(vmap *m, uint32_t kind, uint64_t index, uint32_t slot_new,
			  uint64_t value_bytes_after)
{
	vmi_write_begin(m);
	vmi_journal_begin(m, kind, index, slot_new, value_bytes_after);
}

static void planned_end(vmap *m)
{
	vmi_journal_end(m);
	vmi_write_end(m);
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
		memset(vmi_ptr(m, p->chunks[n].pos), 0, (size_t)BLOCK_BYTES << p->chunks[n].c);
		/* after its zeros; pairs with the acquire in table.c and check.c */
		STORE_REL(chunk_position(m->hdr, p->chunks[n].table, p->chunks[n].c),
			  p->chunks[n].pos);
	}
	/* space given back by a failed write may be taken again: a new run's
	 * slots must read as zero, "nothing here" (vmap_get_inline) */
	if (p->new_run_blocks)
		memset(vmi_ptr(m, p->new_run_pos), 0, (size_t)(p->new_run_blocks * BLOCK_BYTES));
}

/* A checker that finds the checksum (acquire) sees the block's bytes. */
void vmi_seal_block(vmap *m, uint64_t block)
{
	uint32_t *crc = vmi_table_elem(m, TABLE_CRC, block);
	if (crc)
		STORE_REL(crc, vmi_crc32c(0, vmi_ptr(m, block << BLOCK_SHIFT), BLOCK_BYTES));
}

static void seal_planned(vmap *m, const struct plan *p)
{
	for (int n = 0; n < p->nseals; n++)
		for (uint64_t b = p->seals[n].from; b < p->seals[n].to; b++)
			vmi_seal_block(m, b);
}

/* Copy len bytes to pos, an extent at a time: a far value may cross them. */
static void copy_in(vmap *m, uint64_t pos, const char *src, uint64_t len)
{
	while (len) {
		uint64_t room = extent_end(extent_of(pos)) - pos;
		uint64_t n = len < room ? len : room;
		memcpy(vmi_ptr(m, pos), src, (size_t)n);
		pos += n;
		src += n;
		len -= n;
	}
}

/* Copy the value and its NUL to where the plan put it, and seal. */
static void write_value(vmap *m, struct plan *p, const void *val, size_t len)
{
	copy_in(m, p->data_pos, val, len);
	vmi_ptr(m, p->data_pos + len)[0] = '\0';
	seal_planned(m, p);
}

static void write_far(vmap *m, uint64_t f, uint64_t pos, uint64_t len)
{
	struct vmap_far *rec = vmi_table_elem(m, TABLE_FAR, f);
	STORE(&rec->pos, pos);
	STORE(&rec->len, len);
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
		uint32_t *slot;
		err = vmi_slot_find(m, index, &d, &slot);
		if (err)
			return err;
		g->slots_pos = LOAD(&d->slots_pos);
		g->base = LOAD(&d->base);
		return g->base < BLOCK_BYTES || g->base > p->st.bump ? VMAP_ECORRUPT : 0;
	}
	err = vmi_plan_table_elem(m, p, TABLE_DIR, index >> GROUP_SHIFT);
	if (!err)
		err = vmi_plan_slot_block(p, index >> GROUP_SHIFT, &g->slots_pos);
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
	pos = vmi_plan_predict(p, len + 1);
	return pos - g->base < SLOT_WINDOW && extent_of(pos) == extent_of(g->base) &&
	       extent_of(pos + len) == extent_of(g->base);
}

static int sequence_error(const struct vmap_state *live, uint64_t key)
{
	uint64_t count = LOAD(&live->count), last;
	if (!count)
		return 0;
	last = LOAD(&live->first_key) + (count - 1);
	if (last == UINT64_MAX || count >= VMAP_SLOTS_MAX)
		return -EOVERFLOW;
	return key == last + 1 ? 0 : VMAP_ESEQUENCE;
}

/* Put a group just opened in the reader's cache and slot window (window.c):
 * one mmap per 1024 appends, instead of a first get paying for it. */
static void learn_new_group(vmap *m, uint64_t g, uint64_t first_key)
{
	vmi_groups_learn(m, g, g + 1, first_key);
}

/*
 * Open the fast append for the group of index: the counts that still go to
 * it, and how far its values may end: inside the slot's 8 MiB window from
 * the base, in the base's extent, in reserved space, and in blocks whose
 * checksums the crc table has room for.
 */
static void note_group(vmap *m, uint64_t index, uint64_t slots_pos, uint64_t base)
{
	uint64_t limit = base + SLOT_WINDOW;
	uint64_t crc_end = vmi_table_capacity(m, TABLE_CRC) << BLOCK_SHIFT;

	if (limit > extent_end(extent_of(base)))
		limit = extent_end(extent_of(base));
	if (limit > m->reserved)
		limit = m->reserved;
	if (limit > crc_end)
		limit = crc_end;
	m->fast_lo = (index & ~(uint64_t)(GROUP_KEYS - 1)) + 1;
	m->fast_span = GROUP_KEYS - 1;
	m->fast_limit = limit;
	m->group_slots = (uint32_t *)vmi_ptr(m, slots_pos);
	m->group_base = base;
}

/* Seal the blocks that [pos, end) completes. */
static void seal_completed(vmap *m, uint64_t pos, uint64_t end)
{
	for (uint64_t b = pos >> BLOCK_SHIFT; b < end >> BLOCK_SHIFT; b++)
		vmi_seal_block(m, b);
}

/*
 * The common append: the next key, a short inline value without NULs, into
 * the current group, at the bump or in the gap, in space already reserved.
 * No plan, no table. The CRCs of the two partly filled blocks are taken at
 * sync and close, not here. Returns 1 if it appended; 0 leaves the append
 * (and every error) to append_planned. A map in memory dies with its
 * process and keeps no journal.
 */
/* Where the common append would put len bytes and their NUL, or 0 if it
 * cannot: its end must stay within the group's window and any gap. */
static uint64_t fast_place(const vmap *m, size_t len, int *in_gap)
{
	const struct vmap_state *live = &m->hdr->live;
	uint64_t gap_pos = LOAD(&live->gap_pos), gap_end = LOAD(&live->gap_end), pos, limit;

	*in_gap = gap_pos < gap_end;
	pos = *in_gap ? gap_pos : LOAD(&live->bump);
	limit = *in_gap && gap_end < m->fast_limit ? gap_end : m->fast_limit;
	return pos + len + 1 <= limit ? pos : 0;
}

static int appended_fast(vmap *m, uint64_t key, const void *val, size_t len)
{
	struct vmap_state *live = &m->hdr->live;
	uint64_t count = LOAD(&live->count), first = LOAD(&live->first_key), bytes, pos, end;
	char *dst;
	int in_gap;

	/* (key > first: the key space has not wrapped past UINT64_MAX) */
	if (count - m->fast_lo >= m->fast_span || key != first + count || key <= first ||
	    len + m->fast.len_bias >= SLOT_LEN_LONG || (len && memchr(val, 0, len)) ||
	    !(pos = fast_place(m, len, &in_gap)))
		return 0;
	end = pos + len + 1;
	bytes = LOAD(&live->value_bytes);
	vmi_write_begin(m);
	if (!m->anon)
		vmi_journal_fast(m, count, bytes, len);
	if (end > m->populated)
		vmi_space_populate(m, end);
	dst = vmi_ptr(m, pos);
	if (len) /* val may be NULL when len is 0 */
		memcpy(dst, val, len);
	dst[len] = '\0';
	if (LOAD(&live->crcs_valid))
		STORE(&live->crcs_valid, 0);
	STORE(in_gap ? &live->gap_pos : &live->bump, end);
	/* after the bump: a checker that finds a checksum finds its block used */
	if (end >> BLOCK_SHIFT != pos >> BLOCK_SHIFT)
		seal_completed(m, pos, end);
	/* after the value: pairs with the acquire of the slot by gets */
	STORE_REL(&m->group_slots[count & (GROUP_KEYS - 1)],
		  slot_inline(pos - m->group_base, len, m->fast.len_bias));
	STORE(&live->value_bytes, bytes + len);
	STORE_REL(&live->count, count + 1); /* the commit: pairs with readers' count */
	if (!m->anon)
		vmi_journal_end(m);
	vmi_write_end(m);
	return 1;
}

/* An append, planned: the group (new or not), the value, where it goes. */
struct planned_append {
	struct plan p;
	struct group_ref g;
	uint64_t index, pos, f;
	uint32_t slot;
	int far;
};

static int plan_append(vmap *m, struct planned_append *a, const void *val, size_t len)
{
	int err;

	vmi_plan_start(m, &a->p);
	a->index = a->p.st.count;
	a->f = 0;
	err = find_or_plan_group(m, &a->p, a->index, &a->g);
	if (!err) /* first, so that vmi_plan_data below allocates no table */
		err = vmi_plan_crc_cover(m, &a->p, len + 1);
	if (err)
		return err;
	a->far = !goes_inline(&a->p, &a->g, val, len);
	err = vmi_plan_value(m, &a->p, a->far, len, &a->f, &a->pos);
	a->slot = a->far ? SLOT_FAR | (uint32_t)a->f
			 : slot_inline(a->pos - a->g.base, len, m->fast.len_bias);
	return err;
}

/* Everything but the commit: the space, the directory entry, the value. */
static void write_append(vmap *m, struct planned_append *a, const void *val, size_t len)
{
	claim_space(m, &a->p);
	if (a->g.fresh) {
		struct vmap_dir_entry *d = vmi_table_elem(m, TABLE_DIR, a->index >> GROUP_SHIFT);
		STORE(&d->slots_pos, a->g.slots_pos);
		STORE(&d->base, a->g.base);
	}
	write_value(m, &a->p, val, len);
	if (a->far)
		write_far(m, a->f, a->pos, len);
}

/* Every append that is not the common one, and every error. Out of line:
 * the common one stays a short function with few registers to save. */
__attribute__((noinline)) static int append_planned(vmap *m, uint64_t key, const void *val,
						      size_t len)
{
	struct planned_append a;
	uint64_t index;
	int err;

	err = writable(m);
	if (!err)
		err = check_value(val, len);
	if (!err)
		err = sequence_error(&m->hdr->live, key);
	if (!err)
		err = plan_append(m, &a, val, len);
	if (err)
		return err;
	index = a.index;
	planned_begin(m, JOURNAL_APPEND, index, a.slot, 0);
	write_append(m, &a, val, len);
	/* the commit: value, record and directory entry are in place */
	STORE_REL((uint32_t *)(void *)vmi_ptr(m, a.g.slots_pos) + (index & (GROUP_KEYS - 1)), a.slot);
	if (!index)
		a.p.st.first_key = key;
	a.p.st.value_bytes += len;
	a.p.st.count = index + 1;
	vmi_state_store(&m->hdr->live, &a.p.st);
	planned_end(m);
	note_group(m, index, a.g.slots_pos, a.g.base);
	if (a.p.new_run_blocks) /* the window shows the whole run at once */
		vmi_groups_premap(m, index >> GROUP_SHIFT, a.p.new_run_blocks, a.p.new_run_pos,
				  a.p.st.first_key);
	if (a.g.fresh) /* readers of this handle need not learn it themselves */
		learn_new_group(m, index >> GROUP_SHIFT, a.p.st.first_key);
	return 0;
}

int vmap_append(vmap *m, uint64_t key, const void *val, size_t len)
{
	if (m && (val || !len) && appended_fast(m, key, val, len))
		return 0;
	return append_planned(m, key, val, len);
}

/* ---- replace and remove ------------------------------------------------- */

/* The slot of a live key, and its value's length. */
static int live_slot(vmap *m, uint64_t key, uint32_t **slot, size_t *len)
{
	const struct vmap_state *s = &m->hdr->live;
	uint64_t index = key - LOAD(&s->first_key);
	const struct vmap_dir_entry *d;
	struct value_ref v;
	int err;

	if (index >= LOAD(&s->count))
		return -ENOENT;
	err = vmi_slot_find(m, index, &d, slot);
	if (!err)
		err = vmi_value_find(m, d, LOAD(*slot), &v);
	if (!err)
		*len = v.len;
	return err;
}

/* A replaced key of a file that was synced must not point at bytes a power
 * loss could take away: flush the new value before the slot moves to it. */
static int durable_before_commit(vmap *m, uint64_t key)
{
	uint64_t index = key - LOAD(&m->hdr->live.first_key);
	if (m->anon || index >= LOAD(&m->hdr->synced.count))
		return 0;
	return vmi_sync_flush(m);
}

int vmap_replace(vmap *m, uint64_t key, const void *val, size_t len)
{
	struct vmap_state before;
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
	vmi_plan_start(m, &p);
	before = p.st;
	err = vmi_plan_value(m, &p, 1, len, &f, &pos);
	if (err)
		return err;

	planned_begin(m, JOURNAL_REPLACE, key - p.st.first_key, SLOT_FAR | (uint32_t)f,
		      p.st.value_bytes + len - old_len);
	claim_space(m, &p);
	write_value(m, &p, val, len);
	write_far(m, f, pos, len);
	vmi_state_store(&m->hdr->live, &p.st);
	err = durable_before_commit(m, key);
	if (err) {
		vmi_rollback_to(m, &before);
		planned_end(m);
		return err;
	}
	STORE_REL(slot, SLOT_FAR | (uint32_t)f); /* the commit */
	/* in 64 bits: a shorter value must not wrap a 32-bit size_t */
	p.st.value_bytes = p.st.value_bytes + len - old_len;
	vmi_state_store(&m->hdr->live, &p.st);
	planned_end(m);
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
	vmi_state_load(&s, &m->hdr->live);
	planned_begin(m, JOURNAL_REMOVE, key - s.first_key, SLOT_REMOVED, s.value_bytes - old_len);
	STORE_REL(slot, SLOT_REMOVED); /* the commit */
	s.removed++;
	s.value_bytes -= old_len;
	vmi_state_store(&m->hdr->live, &s);
	planned_end(m);
	return 0;
}
