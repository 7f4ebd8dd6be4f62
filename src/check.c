/* SPDX-License-Identifier: MIT */
/*
 * check.c - vmap_check: verify everything a map's bytes claim, beside a
 * writer that may be at work in this or another process.
 *
 *   header     magic, version, checksum of the fixed part, sane state
 *   tables     chunks aligned, inside the used space, not overlapping each
 *              other or any group's slot block
 *   groups     every dir entry and every slot: a removed mark, a far record
 *              that exists, or an inline offset past the previous value
 *   values     inside the used space, NUL-terminated, clear of the tables
 *   checksums  CRC32C of every sealed block
 *   the tail   counters, the gap and the slot run, the checksums of the two
 *              blocks still being filled
 *
 * A writer only ever adds: bytes past bump, records past far_count, chunks,
 * checksums of blocks it fills, and new slot values that it publishes after
 * what they point to. So the check loads count first, and every bound after
 * what it bounds; then everything but "the tail" holds at any instant of a
 * healthy map, and a finding there is damage ("sure"). The tail is a few
 * words a writer rewrites on every append: a finding there is damage only if
 * no write overlapped the check ("unsure" otherwise). The header's count of
 * writes, odd while a write is under way (write.c), tells which; an unsure
 * finding beside a busy writer is looked at again a few times, and if the
 * writer never pauses, the check passes on what it could verify.
 *
 * It reads through the same bounds-checked paths as vmap_get, so a hostile
 * file gives VMAP_ECORRUPT, never a crash.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#define CHECK_ATTEMPTS 4
#define UNSURE 1 /* a finding that a write under way could explain */

struct range {
	uint64_t start, end;
};

struct checker {
	const vmap *m;
	struct vmap_state s;   /* count loaded first, bump after the chunks */
	uint64_t chunks[TABLES][TABLE_CHUNKS]; /* chunk positions, as loaded */
	uint64_t capacity[TABLES];
	struct range *ranges;  /* table chunks and slot blocks */
	size_t nranges, cap;
	uint64_t removed, value_bytes;
	int restart_view;      /* reading the synced state after a restart */
	int unsure;
};

/* ---- the snapshot ------------------------------------------------------------ */

/*
 * The words that change with every write. Loaded before the check with
 * acquire, and after it behind an acquire fence, which pairs with the
 * writer's release fence in vmi_write_begin: a check that saw any byte of a
 * write sees the count of writes odd or grown.
 */
struct marks {
	uint64_t writes, active, count, bump, far_count, removed;
};

static void load_marks(const vmap *m, struct marks *k)
{
	k->writes = LOAD_ACQ(&m->hdr->writes);
	k->active = LOAD_ACQ(&m->hdr->journal.active);
	k->count = LOAD_ACQ(&m->view->count);
	k->bump = LOAD_ACQ(&m->view->bump);
	k->far_count = LOAD_ACQ(&m->view->far_count);
	k->removed = LOAD_ACQ(&m->view->removed);
}

/* Did no write overlap [before, after]? (The counters catch writers of
 * format 1.0, which do not keep the count of writes.) */
static int writer_quiet(const struct marks *a, const struct marks *b)
{
	return !(a->writes & 1) && !a->active && a->writes == b->writes &&
	       a->active == b->active && a->count == b->count && a->bump == b->bump &&
	       a->far_count == b->far_count && a->removed == b->removed;
}

/*
 * count first (acquire: what it covers is visible), far_count next, the
 * chunks from the last down (each published after the one before it), then
 * bump, which every chunk position was stored after.
 */
static void take_snapshot(struct checker *ck)
{
	const struct vmap_state *v = ck->m->view;
	struct vmap_state *s = &ck->s;

	memset(s, 0, sizeof *s);
	s->count = LOAD_ACQ(&v->count);
	s->first_key = LOAD(&v->first_key);
	s->far_count = LOAD_ACQ(&v->far_count);
	for (int t = 0; t < TABLES; t++)
		for (unsigned c = TABLE_CHUNKS; c-- > 0;)
			ck->chunks[t][c] = LOAD_ACQ(chunk_position(ck->m->hdr, t, c));
	s->bump = LOAD_ACQ(&v->bump);
	s->gap_pos = LOAD(&v->gap_pos);
	s->gap_end = LOAD(&v->gap_end);
	s->run_pos = LOAD(&v->run_pos);
	s->run_left = LOAD(&v->run_left);
	s->removed = LOAD(&v->removed);
	s->value_bytes = LOAD(&v->value_bytes);
	s->crcs_valid = LOAD_ACQ(&v->crcs_valid); /* pairs with vmi_refresh_prefix_crcs */
	s->tail_crc = LOAD(&v->tail_crc);
	s->gap_crc = LOAD(&v->gap_crc);
}

/* bump again, for something published after the snapshot (acquire). */
static uint64_t bump_now(const struct checker *ck, uint64_t need)
{
	/* after the acquire of what it bounds (a slot, a record, a checksum),
	 * whose writer stored bump before releasing it */
	return need <= ck->s.bump ? ck->s.bump : LOAD(&ck->m->view->bump);
}

/* ---- the state and the tables ------------------------------------------------- */

static int check_state(const struct checker *ck)
{
	const struct vmap_state *s = &ck->s;

	if (s->count > VMAP_SLOTS_MAX || (s->count && s->count - 1 > UINT64_MAX - s->first_key))
		return VMAP_ECORRUPT;
	/* the limit pairs with space.c's release of it */
	if (s->bump < BLOCK_BYTES || s->bump > VMAP_BYTES_MAX || s->bump > MLOAD_ACQ(&ck->m->limit))
		return VMAP_ECORRUPT;
	/* every 1024 keys own a 4 KiB slot block below bump */
	if ((s->count + GROUP_KEYS - 1) / GROUP_KEYS > s->bump / BLOCK_BYTES)
		return VMAP_ECORRUPT;
	return s->far_count > VMAP_FAR_MAX ? VMAP_ECORRUPT : 0;
}

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

/*
 * Chunks present in order, each a range of whole blocks in one extent. In
 * the view after a restart, chunks past the synced bump were made after the
 * sync: the writer will forget them, and so does the check.
 */
static int check_chunks(struct checker *ck)
{
	for (int t = 0; t < TABLES; t++) {
		uint64_t first = (uint64_t)1 << vmi_table_shapes[t].first_shift;
		int gone = 0;
		for (unsigned c = 0; c < TABLE_CHUNKS; c++) {
			uint64_t p = ck->chunks[t][c], bytes = (uint64_t)BLOCK_BYTES << c;
			if (!p || (ck->restart_view && p >= ck->s.bump)) {
				gone = 1;
				continue;
			}
			if (gone || extent_of(p) != extent_of(p + bytes - 1) || add_range(ck, p, bytes))
				return VMAP_ECORRUPT;
			ck->capacity[t] += first << c;
		}
	}
	if ((ck->s.count + GROUP_KEYS - 1) >> GROUP_SHIFT > ck->capacity[TABLE_DIR] ||
	    ck->s.far_count > ck->capacity[TABLE_FAR])
		return VMAP_ECORRUPT;
	return 0;
}

/* A group's directory entry: its slot block is a table range. */
static int check_dir_entry(struct checker *ck, uint64_t g)
{
	const struct vmap_dir_entry *d = vmi_dir_entry(ck->m, g);
	if (!d || LOAD(&d->base) > ck->s.bump || LOAD(&d->base) < BLOCK_BYTES)
		return VMAP_ECORRUPT;
	return add_range(ck, LOAD(&d->slots_pos), BLOCK_BYTES);
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

/* Does [pos, end) overlap a table range? */
static int hits_table(const struct checker *ck, uint64_t pos, uint64_t end)
{
	size_t lo = 0, hi = ck->nranges;
	while (lo < hi) { /* the first range that ends after pos */
		size_t mid = lo + (hi - lo) / 2;
		if (ck->ranges[mid].end <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ck->nranges && ck->ranges[lo].start < end;
}

/* ---- values -------------------------------------------------------------------- */

/*
 * A value inside the used space and clear of the tables; clear of the gap
 * too, though a gap read beside a writer may be newer than the value.
 */
static int check_value_at(struct checker *ck, const struct value_ref *v)
{
	uint64_t end = v->pos + v->len + 1;
	if (end > bump_now(ck, end) || hits_table(ck, v->pos, end))
		return VMAP_ECORRUPT;
	if (v->pos < ck->s.gap_end && end > ck->s.gap_pos)
		ck->unsure = 1;
	return 0;
}

/* Every slot of one group; inline offsets must grow, as appends made them. */
static int check_group(struct checker *ck, uint64_t g, uint64_t keys)
{
	const struct vmap_dir_entry *d;
	uint32_t *slots;
	uint64_t next_min = 0;

	if (vmi_slot_find(ck->m, g << GROUP_SHIFT, &d, &slots))
		return VMAP_ECORRUPT;
	for (uint64_t j = 0; j < keys; j++) {
		uint32_t slot = LOAD_ACQ(&slots[j]); /* pairs with a replace or remove */
		struct value_ref v;
		int err = vmi_value_find(ck->m, d, slot, &v);
		if (err == -ENOENT) {
			ck->removed++;
			continue;
		}
		if (err || check_value_at(ck, &v))
			return err && err != VMAP_ECORRUPT ? err : VMAP_ECORRUPT;
		if (!(slot & SLOT_FAR)) {
			if (slot_off(slot) < next_min)
				return VMAP_ECORRUPT;
			next_min = slot_off(slot) + v.len + 1;
		}
		ck->value_bytes += v.len;
	}
	return 0;
}

static int check_far_records(struct checker *ck)
{
	for (uint64_t f = 0; f < ck->s.far_count; f++) {
		const struct vmap_far *rec = vmi_table_elem(ck->m, TABLE_FAR, f);
		struct value_ref v;
		const char *p;
		int err;
		if (!rec)
			return VMAP_ECORRUPT;
		v.pos = LOAD(&rec->pos);
		v.len = LOAD(&rec->len) > VMAP_VALUE_MAX ? 0 : (size_t)LOAD(&rec->len);
		if (LOAD(&rec->len) > VMAP_VALUE_MAX || v.pos < BLOCK_BYTES)
			return VMAP_ECORRUPT;
		err = value_at(ck->m, v.pos, v.len + 1, &p);
		if (err)
			return err;
		if (p[v.len] || check_value_at(ck, &v))
			return VMAP_ECORRUPT;
	}
	return 0;
}

/* ---- checksums ------------------------------------------------------------------ */

/* Is block b one the snapshot says is still being filled? */
static int unsealed(const struct checker *ck, uint64_t b)
{
	const struct vmap_state *s = &ck->s;
	if ((b + 1) << BLOCK_SHIFT > bump_now(ck, (b + 1) << BLOCK_SHIFT))
		return 1;
	return s->gap_pos < s->gap_end && s->gap_pos % BLOCK_BYTES && b == s->gap_pos >> BLOCK_SHIFT;
}

/* A sealed block never changes: a checksum that does not match is damage. */
static int check_checksums(struct checker *ck)
{
	for (uint64_t b = 1; b < ck->capacity[TABLE_CRC]; b++) {
		const uint32_t *crc = vmi_table_elem(ck->m, TABLE_CRC, b);
		uint32_t want;
		const char *p;
		if (!crc)
			return VMAP_ECORRUPT;
		want = LOAD_ACQ(crc); /* pairs with vmi_seal_block: the bytes are there */
		if (!want)
			continue;
		if (unsealed(ck, b)) {
			/* after a restart: written after the sync, the writer clears it;
			 * else a block sealed since the snapshot, or damage */
			if (!ck->restart_view)
				ck->unsure = 1;
			continue;
		}
		p = vmi_at(ck->m, b << BLOCK_SHIFT, BLOCK_BYTES);
		if (!p || vmi_crc32c(0, p, BLOCK_BYTES) != want)
			return VMAP_ECORRUPT;
	}
	return 0;
}

static int prefix_matches(const vmap *m, uint64_t end, uint32_t want)
{
	uint64_t start = align_down(end, BLOCK_BYTES);
	const char *p;
	if (start == end)
		return 1;
	p = vmi_at(m, start, end - start);
	return p && vmi_crc32c(0, p, (size_t)(end - start)) == want;
}

/* ---- the tail: what a writer rewrites on every append --------------------------- */

static void check_tail(struct checker *ck)
{
	const struct vmap_state *s = &ck->s;
	int gap = s->gap_pos < s->gap_end;

	if (s->removed > s->count || s->gap_pos > s->gap_end || s->gap_end > s->bump ||
	    (gap && (s->gap_pos < BLOCK_BYTES || s->gap_end % BLOCK_BYTES || s->gap_pos >
		     s->gap_end || hits_table(ck, s->gap_pos, s->gap_end))) ||
	    s->run_left > RUN_MAX_BLOCKS || s->run_pos % BLOCK_BYTES || s->run_pos > s->bump ||
	    s->run_left > (s->bump - s->run_pos) / BLOCK_BYTES ||
	    (s->run_left && (s->run_pos < BLOCK_BYTES ||
			     hits_table(ck, s->run_pos, s->run_pos + s->run_left * BLOCK_BYTES))))
		ck->unsure = 1;
	/* after a restart the synced counters may lag removes that reached the
	 * slots; the writer will recount */
	if (!ck->restart_view && (ck->removed != s->removed || ck->value_bytes != s->value_bytes))
		ck->unsure = 1;
	if (s->crcs_valid && (!prefix_matches(ck->m, s->bump, s->tail_crc) ||
			      (gap && !prefix_matches(ck->m, s->gap_pos, s->gap_crc))))
		ck->unsure = 1;
}

/* ---- one pass ------------------------------------------------------------------- */

/* Pass 1: every table block, none overlapping; pass 2: every slot and record
 * against them; then the checksums and the tail. */
static int check_all(struct checker *ck)
{
	uint64_t groups = (ck->s.count + GROUP_KEYS - 1) >> GROUP_SHIFT;
	int err = check_state(ck);

	if (!err)
		err = check_chunks(ck);
	for (uint64_t g = 0; !err && g < groups; g++)
		err = check_dir_entry(ck, g);
	if (!err)
		err = check_no_overlap(ck);
	for (uint64_t g = 0; !err && g < groups; g++) {
		uint64_t keys = ck->s.count - (g << GROUP_SHIFT);
		err = check_group(ck, g, keys < GROUP_KEYS ? keys : GROUP_KEYS);
	}
	if (!err)
		err = check_far_records(ck);
	if (!err)
		err = check_checksums(ck);
	if (!err)
		check_tail(ck);
	return err ? err : ck->unsure ? UNSURE : 0;
}

/* 0, VMAP_ECORRUPT (sure), UNSURE, or an error that kept it from looking. */
static int check_once(const vmap *m)
{
	struct checker ck = {.m = m, .restart_view = m->view == &m->hdr->synced};
	int err;

	if (vmi_header_validate(m->hdr, MLOAD_ACQ(&m->limit))) /* pairs with space.c */
		return VMAP_ECORRUPT;
	take_snapshot(&ck);
	if (ck.s.bump < BLOCK_BYTES || ck.s.bump > VMAP_BYTES_MAX ||
	    ck.s.count > VMAP_SLOTS_MAX)
		return VMAP_ECORRUPT;
	/* Map it all first, so that a failing mmap is told apart from damage. */
	err = vmi_space_map_upto(m, ck.s.bump);
	if (err)
		return err;
	ck.cap = (size_t)((ck.s.count + GROUP_KEYS - 1) >> GROUP_SHIFT) + TABLES * TABLE_CHUNKS;
	ck.ranges = vmi_sys_calloc(ck.cap, sizeof *ck.ranges);
	if (!ck.ranges)
		return -ENOMEM;
	err = check_all(&ck);
	vmi_sys_free(ck.ranges);
	return err;
}

static void pause_before(int attempt)
{
	struct timespec t = {0, 1000000L << attempt}; /* 2, 4, 8 ms */
	nanosleep(&t, NULL);
}

int vmap_check(const vmap *m)
{
	if (!m)
		return -EINVAL;
	for (int attempt = 1;; attempt++) {
		struct marks before, after;
		int err;

		load_marks(m, &before);
		err = check_once(m);
		if (err != VMAP_ECORRUPT && err != UNSURE)
			return err;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		load_marks(m, &after);
		if (writer_quiet(&before, &after))
			return VMAP_ECORRUPT;
		/* a write overlapped: look again; a sure finding that persists
		 * is damage, an unsure one beside a writer that never pauses is
		 * what cannot be verified while it writes */
		if (attempt == CHECK_ATTEMPTS)
			return err == UNSURE ? 0 : VMAP_ECORRUPT;
		pause_before(attempt);
	}
}
