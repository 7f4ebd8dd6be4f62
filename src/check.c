/* SPDX-License-Identifier: MIT */
/*
 * check.c - vmap_check: verify everything a map's bytes claim.
 *
 *   header     magic, version, checksum of the fixed part, sane state
 *   tables     chunks aligned, inside the used space, not overlapping each
 *              other or any group's slot block
 *   groups     every dir entry and every slot: a removed mark, a far record
 *              that exists, or an inline offset past the previous value
 *   values     inside the used space, NUL-terminated, in one extent
 *   counters   removed keys and value bytes add up
 *   checksums  CRC32C of every sealed block, and of the unsealed prefixes
 *              of the tail and gap blocks
 *
 * It reads through the same bounds-checked paths as vmap_get, so a hostile
 * file gives VMAP_ECORRUPT, never a crash.
 */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <stdlib.h>

struct range {
	uint64_t start, end;
};

struct checker {
	const vmap *m;
	struct vmap_state s;
	struct range *ranges;
	size_t nranges, cap;
	uint64_t removed, value_bytes;
	int restart_view; /* reading the synced state after a restart */
};

static int add_range(struct checker *ck, uint64_t start, uint64_t bytes)
{
	if (start % BLOCK_BYTES || start < BLOCK_BYTES || start > ck->s.bump ||
	    bytes > ck->s.bump - start || ck->nranges == ck->cap)
		return VMAP_ECORRUPT;
	ck->ranges[ck->nranges].start = start;
	ck->ranges[ck->nranges].end = start + bytes;
	ck->nranges++;
	return 0;
}

/* The gap need not start on a block boundary, unlike the tables. */
static int add_gap_range(struct checker *ck)
{
	if (ck->nranges == ck->cap)
		return VMAP_ECORRUPT;
	ck->ranges[ck->nranges].start = ck->s.gap_pos;
	ck->ranges[ck->nranges].end = ck->s.gap_end;
	ck->nranges++;
	return 0;
}

static int by_start(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static int check_no_overlap(struct checker *ck)
{
	qsort(ck->ranges, ck->nranges, sizeof *ck->ranges, by_start);
	for (size_t i = 1; i < ck->nranges; i++)
		if (ck->ranges[i].start < ck->ranges[i - 1].end)
			return VMAP_ECORRUPT;
	return 0;
}

static int check_chunks(struct checker *ck)
{
	for (int t = 0; t < TABLES; t++) {
		const uint64_t *pos =
			(const uint64_t *)((const char *)ck->m->hdr + table_shapes[t].chunks_offset);
		int gone = 0;
		for (unsigned c = 0; c < TABLE_CHUNKS; c++) {
			uint64_t p = LOAD(&pos[c]);
			if (!p) {
				gone = 1;
				continue;
			}
			if (gone || add_range(ck, p, (uint64_t)BLOCK_BYTES << c))
				return VMAP_ECORRUPT;
		}
	}
	if (ck->s.far_count > table_capacity(ck->m, TABLE_FAR))
		return VMAP_ECORRUPT;
	return 0;
}

/* Is [pos, end) clear of the gap and of every table block? */
static int value_clear(const struct checker *ck, uint64_t pos, uint64_t end)
{
	size_t lo = 0, hi = ck->nranges;

	if (pos < ck->s.gap_end && end > ck->s.gap_pos)
		return 0;
	while (lo < hi) { /* the first range that ends after pos */
		size_t mid = lo + (hi - lo) / 2;
		if (ck->ranges[mid].end <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo == ck->nranges || ck->ranges[lo].start >= end;
}

/* Where a slot's value starts (value_of has checked it is readable). */
static uint64_t value_pos(const struct checker *ck, const struct vmap_dir_entry *d, uint32_t slot)
{
	const struct vmap_far *rec;
	if (!(slot & SLOT_FAR))
		return LOAD(&d->base) + slot_off(slot);
	rec = table_elem(ck->m, TABLE_FAR, slot & ~SLOT_FAR);
	return LOAD(&rec->pos);
}

/* A value inside the used space, clear of tables and of the gap. */
static int check_value_at(const struct checker *ck, uint64_t pos, size_t len)
{
	if (pos > ck->s.bump || len + 1 > ck->s.bump - pos)
		return VMAP_ECORRUPT;
	return value_clear(ck, pos, pos + len + 1) ? 0 : VMAP_ECORRUPT;
}

/* A group's directory entry, and its slot block as a table range. */
static int check_dir_entry(struct checker *ck, uint64_t g)
{
	const struct vmap_dir_entry *d = dir_entry(ck->m, g);
	if (!d || LOAD(&d->base) > ck->s.bump || LOAD(&d->base) < BLOCK_BYTES)
		return VMAP_ECORRUPT;
	return add_range(ck, LOAD(&d->slots_pos), BLOCK_BYTES);
}

/* Every slot of one group; inline offsets must grow, as appends made them. */
static int check_group(struct checker *ck, uint64_t g, uint64_t keys)
{
	const struct vmap_dir_entry *d = dir_entry(ck->m, g);
	const uint32_t *slots = (const uint32_t *)vmap_at(ck->m, LOAD(&d->slots_pos), BLOCK_BYTES);
	uint64_t next_min = 0;

	if (!slots)
		return VMAP_ECORRUPT;
	for (uint64_t j = 0; j < keys; j++) {
		uint32_t slot = LOAD(&slots[j]);
		size_t len;
		const char *v;
		if (slot == SLOT_REMOVED) {
			ck->removed++;
			continue;
		}
		v = value_of(ck->m, d, slot, &len);
		if (!v || check_value_at(ck, value_pos(ck, d, slot), len))
			return VMAP_ECORRUPT;
		if (!(slot & SLOT_FAR)) {
			uint64_t off = slot_off(slot);
			if (off < next_min)
				return VMAP_ECORRUPT;
			next_min = off + len + 1;
		}
		ck->value_bytes += len;
	}
	return 0;
}

static int check_far_records(struct checker *ck)
{
	for (uint64_t f = 0; f < ck->s.far_count; f++) {
		const struct vmap_far *rec = table_elem(ck->m, TABLE_FAR, f);
		uint64_t pos, len;
		const char *v;
		if (!rec)
			return VMAP_ECORRUPT;
		pos = LOAD(&rec->pos);
		len = LOAD(&rec->len);
		if (len > VMAP_VALUE_MAX)
			return VMAP_ECORRUPT;
		v = vmap_at(ck->m, pos, len + 1);
		if (!v || v[len] || check_value_at(ck, pos, len))
			return VMAP_ECORRUPT;
	}
	return 0;
}

static int check_prefix(const vmap *m, uint64_t end, uint32_t want)
{
	uint64_t start = end & ~(uint64_t)(BLOCK_BYTES - 1);
	const char *p;
	if (start == end)
		return 0;
	p = vmap_at(m, start, end - start);
	return p && crc32c(0, p, (size_t)(end - start)) == want ? 0 : VMAP_ECORRUPT;
}

/* A block still being filled, or past the end, has no checksum yet. */
static int unsealed(const struct vmap_state *s, uint64_t b)
{
	if ((b + 1) << BLOCK_SHIFT > s->bump)
		return 1;
	return s->gap_pos < s->gap_end && s->gap_pos % BLOCK_BYTES && b == s->gap_pos >> BLOCK_SHIFT;
}

static int check_checksums(struct checker *ck)
{
	uint64_t blocks = table_capacity(ck->m, TABLE_CRC);
	for (uint64_t b = 1; b < blocks; b++) {
		const uint32_t *crc = table_elem(ck->m, TABLE_CRC, b);
		const char *p;
		if (!crc)
			return VMAP_ECORRUPT;
		if (!LOAD(crc))
			continue;
		if (unsealed(&ck->s, b)) {
			if (ck->restart_view) /* written after the sync: the writer clears it */
				continue;
			return VMAP_ECORRUPT;
		}
		p = vmap_at(ck->m, b << BLOCK_SHIFT, BLOCK_BYTES);
		if (!p || crc32c(0, p, BLOCK_BYTES) != LOAD(crc))
			return VMAP_ECORRUPT;
	}
	if (!ck->s.crcs_valid) /* a writer is at work: its tail is still moving */
		return 0;
	if (check_prefix(ck->m, ck->s.bump, ck->s.tail_crc))
		return VMAP_ECORRUPT;
	if (ck->s.gap_pos < ck->s.gap_end)
		return check_prefix(ck->m, ck->s.gap_pos, ck->s.gap_crc);
	return 0;
}

/* Pass 1: every table block (chunks, slot blocks, the rest of the slot
 * run), none overlapping; pass 2: every slot and record against them. */
static int check_all(struct checker *ck)
{
	uint64_t groups = (ck->s.count + GROUP_KEYS - 1) >> GROUP_SHIFT;
	int err = check_chunks(ck);

	for (uint64_t g = 0; !err && g < groups; g++)
		err = check_dir_entry(ck, g);
	if (!err && ck->s.run_left)
		err = add_range(ck, ck->s.run_pos, ck->s.run_left * BLOCK_BYTES);
	if (!err && ck->s.gap_pos < ck->s.gap_end) /* free, so no table in it either */
		err = add_gap_range(ck);
	if (!err)
		err = check_no_overlap(ck);
	for (uint64_t g = 0; !err && g < groups; g++) {
		uint64_t keys = ck->s.count - (g << GROUP_SHIFT);
		err = check_group(ck, g, keys < GROUP_KEYS ? keys : GROUP_KEYS);
	}
	if (!err)
		err = check_far_records(ck);
	/* a reader's view after a restart is the synced state; removes made
	 * since may have reached the slots, and the writer will recount */
	if (!err && !ck->restart_view &&
	    (ck->removed != ck->s.removed || ck->value_bytes != ck->s.value_bytes))
		err = VMAP_ECORRUPT;
	if (!err)
		err = check_checksums(ck);
	return err;
}

int vmap_check(const vmap *m)
{
	struct checker ck = {.m = m, .restart_view = m && m->view == &m->hdr->synced};
	int err;

	if (!m)
		return -EINVAL;
	if (header_validate(m->hdr, LOAD_ACQ(&m->limit)))
		return VMAP_ECORRUPT;
	state_load(&ck.s, m->view);
	if (ck.s.bump < BLOCK_BYTES || ck.s.bump > VMAP_BYTES_MAX)
		return VMAP_ECORRUPT;
	/* Map it all first, so that a failing mmap is told apart from damage. */
	err = arena_map_upto(m, ck.s.bump);
	if (err)
		return err;
	if (state_validate(&ck.s, LOAD_ACQ(&m->limit)))
		return VMAP_ECORRUPT;
	ck.cap = (size_t)((ck.s.count + GROUP_KEYS - 1) >> GROUP_SHIFT) + TABLES * TABLE_CHUNKS + 2;
	ck.ranges = vmap_sys_calloc(ck.cap, sizeof *ck.ranges);
	if (!ck.ranges)
		return -ENOMEM;
	err = check_all(&ck);
	vmap_sys_free(ck.ranges);
	return err;
}
