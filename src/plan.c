/* SPDX-License-Identifier: MIT */
/*
 * plan.c - where a write will put its bytes, decided before anything is
 * written.
 *
 * Every write happens in two phases. The plan (this file) works on a copy of
 * the state: it picks positions for new table chunks and for the value and
 * reserves file space for them, which is where a write fails (no space, a
 * limit reached). Only then does write.c write, so a failed call changes
 * nothing; the one failure after it, a flush that a replace of a synced key
 * needs before its commit, is undone there (vmi_rollback_to, recover.c).
 *
 * Allocation is a bump pointer with one remembered gap. Tables take whole,
 * aligned blocks; when the bump is not aligned, the rest of its block becomes
 * the gap, and small values fill it first:
 *
 *        data ... |<- gap ->| table block(s)      | data ...
 *   ------------------------+---------------------+-----------
 *                 ^gap_pos  ^gap_end (aligned)    ^     ^bump
 *
 * A block full of data is "sealed": its CRC32C goes into the crc table. The
 * plan lists the blocks that this write will seal; write.c seals them once
 * the bytes are in place.
 */
#include "plan.h"

#include <assert.h>
#include <errno.h>

static void plan_seal(struct plan *p, uint64_t from_block, uint64_t to_block)
{
	if (from_block >= to_block)
		return;
	if (p->nseals && p->seals[p->nseals - 1].to == from_block) {
		p->seals[p->nseals - 1].to = to_block;
		return;
	}
	/* Out of room only on a pathological write: the block stays unsealed,
	 * which check treats as "no checksum", never as damage. */
	if (p->nseals == PLAN_SEALS)
		return;
	p->seals[p->nseals].from = from_block;
	p->seals[p->nseals].to = to_block;
	p->nseals++;
}

/* Blocks that [pos, pos + len) completes, given that the bytes before pos in
 * its block are data too. */
static void plan_seal_written(struct plan *p, uint64_t pos, uint64_t len)
{
	plan_seal(p, pos >> BLOCK_SHIFT, (pos + len) >> BLOCK_SHIFT);
}

/* The old gap is given up: the data before it in its block is final. */
static void abandon_gap(struct plan *p)
{
	struct vmap_state *s = &p->st;
	if (s->gap_pos < s->gap_end && s->gap_pos % BLOCK_BYTES)
		plan_seal(p, s->gap_pos >> BLOCK_SHIFT, (s->gap_pos >> BLOCK_SHIFT) + 1);
	s->gap_pos = s->gap_end = 0;
}

/* The first position at or after pos where size bytes fit in one extent. */
static uint64_t fit_in_extent(uint64_t pos, uint64_t size)
{
	unsigned k = extent_of(pos);
	while (k < EXTENTS && size > extent_end(k) - pos) {
		pos = extent_end(k);
		k = extent_of(pos);
	}
	return pos;
}

/* Does [pos, pos + size) lie in one extent? */
static int in_one_extent(uint64_t pos, uint64_t size)
{
	return fit_in_extent(pos, size) == pos;
}

/*
 * Where data of size bytes may start at or after pos: anywhere since format
 * version 2 (a value crossing an extent boundary is read through a span),
 * else where it fits in one extent. Tables always fit in one extent.
 */
static uint64_t data_start(const struct plan *p, uint64_t pos, uint64_t size)
{
	return p->values_may_span ? pos : fit_in_extent(pos, size);
}

/*
 * Take size bytes at the bump, at a multiple of align (1 for data, a block
 * or more for tables); what is skipped becomes the gap.
 */
static int take_at_bump(struct plan *p, uint64_t size, uint64_t align, uint64_t *pos)
{
	struct vmap_state *s = &p->st;
	uint64_t at;

	if (align > 1)
		at = fit_in_extent(align_up(s->bump, align), size);
	else
		at = data_start(p, s->bump, size);
	if (at > VMAP_BYTES_MAX || size > VMAP_BYTES_MAX - at)
		return -EOVERFLOW;
	if (at > s->bump) {
		abandon_gap(p);
		s->gap_pos = s->bump;
		s->gap_end = at;
	}
	*pos = at;
	s->bump = at + size;
	if (s->bump > p->reserve_end)
		p->reserve_end = s->bump;
	return 0;
}

/*
 * Slot runs. Slot blocks are taken in runs, a quarter as many blocks as the
 * groups so far, so that neighbouring groups' slots lie side by side. A
 * reader on a machine with pages of up to 64 KiB can place a page of its
 * slot window only over the blocks of consecutive groups that start at a
 * page-aligned position (window.c); so from group 64 on, runs are whole
 * multiples of 16 blocks starting at a 64 KiB boundary, and a file serves
 * the fast path whatever the page size of the machine that reads it.
 * Before group 64 runs stay small (a small map should not pay 64 KiB of
 * alignment) and end at group 64; a run that does not start at a multiple
 * of 16 (a file from 1.0) is cut short to get back in step.
 */
#define RUN_ALIGN_GROUPS 16u
#define RUN_ALIGN_FROM 64u

static uint64_t run_blocks(uint64_t g)
{
	uint64_t want = g / 4;

	if (g < RUN_ALIGN_FROM) {
		want = want < 1 ? 1 : want;
		return want < RUN_ALIGN_FROM - g ? want : RUN_ALIGN_FROM - g;
	}
	if (g % RUN_ALIGN_GROUPS)
		return RUN_ALIGN_GROUPS - g % RUN_ALIGN_GROUPS;
	want -= want % RUN_ALIGN_GROUPS;
	return want < RUN_ALIGN_GROUPS ? RUN_ALIGN_GROUPS : want < RUN_MAX_BLOCKS ? want : RUN_MAX_BLOCKS;
}

static uint64_t run_align(uint64_t g)
{
	return g >= RUN_ALIGN_FROM && g % RUN_ALIGN_GROUPS == 0 ? RUN_ALIGN_GROUPS * BLOCK_BYTES
								: BLOCK_BYTES;
}

/* A slot block for group g: the next one of the current run, or a new run,
 * which the write zeroes (a reader takes a zero slot for "nothing here"). */
int vmi_plan_slot_block(struct plan *p, uint64_t g, uint64_t *pos)
{
	struct vmap_state *s = &p->st;
	int err;

	if (!s->run_left) {
		uint64_t blocks = run_blocks(g);
		err = take_at_bump(p, blocks * BLOCK_BYTES, run_align(g), &s->run_pos);
		if (err)
			return err;
		s->run_left = blocks;
		p->new_run_pos = s->run_pos;
		p->new_run_blocks = blocks;
	}
	*pos = s->run_pos;
	s->run_pos += BLOCK_BYTES;
	s->run_left--;
	return 0;
}

int vmi_plan_table_chunk(struct plan *p, int table, unsigned c)
{
	uint64_t pos;
	int err;

	if (p->nchunks == PLAN_CHUNKS || c >= TABLE_CHUNKS)
		return -EOVERFLOW;
	err = take_at_bump(p, (uint64_t)BLOCK_BYTES << c, BLOCK_BYTES, &pos);
	if (err)
		return err;
	p->chunks[p->nchunks].table = table;
	p->chunks[p->nchunks].c = c;
	p->chunks[p->nchunks].pos = pos;
	p->nchunks++;
	return 0;
}

/* Is chunk c of a table there already, or planned? */
static int chunk_exists(const vmap *m, const struct plan *p, int table, unsigned c)
{
	if (LOAD(chunk_position(m->hdr, table, c)))
		return 1;
	for (int n = 0; n < p->nchunks; n++)
		if (p->chunks[n].table == table && p->chunks[n].c == c)
			return 1;
	return 0;
}

int vmi_plan_table_elem(const vmap *m, struct plan *p, int table, uint64_t i)
{
	uint64_t in_chunk;
	unsigned c = table_chunk_of(i, vmi_table_shapes[table].first_shift, &in_chunk);

	if (c >= TABLE_CHUNKS)
		return -EOVERFLOW;
	if (chunk_exists(m, p, table, c)) /* chunks are made in order */
		return 0;
	for (unsigned k = 0; k <= c; k++) {
		if (!chunk_exists(m, p, table, k)) {
			int err = vmi_plan_table_chunk(p, table, k);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * Enough crc table for every block a value of size bytes may complete, so
 * that sealing never has to allocate. Worst case: the value skips to the next
 * extent.
 */
int vmi_plan_crc_cover(const vmap *m, struct plan *p, uint64_t size)
{
	uint64_t end = data_start(p, p->st.bump, size) + size + 2 * BLOCK_BYTES;
	return vmi_plan_table_elem(m, p, TABLE_CRC, end >> BLOCK_SHIFT);
}

/* Can the gap take size bytes? Only where the format lets them lie. */
static int fits_gap(const struct plan *p, uint64_t size)
{
	const struct vmap_state *s = &p->st;
	return s->gap_end - s->gap_pos >= size &&
	       (p->values_may_span || in_one_extent(s->gap_pos, size));
}

/* Where vmi_plan_data would put size bytes now (if it needs no new table). */
uint64_t vmi_plan_predict(const struct plan *p, uint64_t size)
{
	if (fits_gap(p, size))
		return p->st.gap_pos;
	return data_start(p, p->st.bump, size);
}

int vmi_plan_data(const vmap *m, struct plan *p, uint64_t size, uint64_t *pos)
{
	struct vmap_state *s = &p->st;
	int err;

	err = vmi_plan_crc_cover(m, p, size);
	if (err)
		return err;
	if (fits_gap(p, size)) {
		*pos = s->gap_pos;
		s->gap_pos += size;
	} else {
		/* Values are placed in key order, so a gap too small for this one
		 * is given up: a later, smaller value must not land before it. */
		abandon_gap(p);
		err = take_at_bump(p, size, 1, pos);
		if (err)
			return err;
	}
	p->data_pos = *pos;
	p->data_len = size;
	plan_seal_written(p, *pos, size);
	vmi_plan_assert_sound(p);
	return 0;
}

/* Plan a far record for the value about to be written. */
static int plan_far(const vmap *m, struct plan *p, uint64_t *f)
{
	*f = p->st.far_count;
	if (*f >= VMAP_FAR_MAX)
		return -EOVERFLOW;
	p->st.far_count++;
	return vmi_plan_table_elem(m, p, TABLE_FAR, *f);
}

/* The rest of a plan: the far record if any, the value's bytes, the space. */
int vmi_plan_value(vmap *m, struct plan *p, int far, size_t len, uint64_t *f, uint64_t *pos)
{
	int err = far ? plan_far(m, p, f) : 0;
	if (!err)
		err = vmi_plan_data(m, p, len + 1, pos);
	if (!err)
		err = vmi_plan_reserve(m, p);
	return err;
}

int vmi_plan_reserve(vmap *m, struct plan *p)
{
	return p->reserve_end ? vmi_space_reserve(m, p->reserve_end) : 0;
}

/*
 * What a plan must never do, whatever the calls that led to it: put a table
 * across an extent boundary, or data where the format does not allow it, or
 * anything past the space it reserves. Checked in debug builds.
 */
void vmi_plan_assert_sound(const struct plan *p)
{
#ifndef NDEBUG
	for (int n = 0; n < p->nchunks; n++) {
		uint64_t bytes = (uint64_t)BLOCK_BYTES << p->chunks[n].c;
		assert(p->chunks[n].pos % BLOCK_BYTES == 0);
		assert(in_one_extent(p->chunks[n].pos, bytes));
		assert(p->chunks[n].pos + bytes <= p->st.bump);
	}
	assert(!p->st.run_left || in_one_extent(p->st.run_pos, p->st.run_left * BLOCK_BYTES));
	if (p->data_len) {
		assert(p->values_may_span || in_one_extent(p->data_pos, p->data_len));
		assert(p->data_pos + p->data_len <= p->st.bump);
	}
	assert(p->st.bump <= p->reserve_end || !p->reserve_end);
#else
	(void)p;
#endif
}

void vmi_plan_start(const vmap *m, struct plan *p)
{
	p->values_may_span = m->values_may_span;
	p->nchunks = p->nseals = 0;
	p->data_pos = p->data_len = 0;
	p->new_run_pos = p->new_run_blocks = 0;
	p->reserve_end = 0;
	vmi_state_load(&p->st, &m->hdr->live);
	p->st.crcs_valid = 0; /* vmap_sync and close take them again */
}
