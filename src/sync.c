/* SPDX-License-Identifier: MIT */
/*
 * sync.c - durability and recovery.
 *
 * A killed writer loses nothing: its bytes are in the page cache, shared with
 * everyone who maps the file. What a crash can leave is an operation half
 * written; the journal in the header says which, and a writer that reopens
 * undoes it (recover_writer) or, if it had committed, finishes its counters.
 *
 * A power loss is different: the kernel writes dirty pages back in any order,
 * so anything after the last vmap_sync may be torn. vmap_sync therefore
 * writes in two steps, each ended by msync + fdatasync:
 *
 *   1. every byte in [0, bump): values, tables, live state
 *   2. the header's synced state := live state, and this boot's id
 *
 * On open, a writer id that differs from this boot's id means the machine
 * restarted since the file was written: the map goes back to the synced
 * state, which step 1 made sure is entirely on disk.
 */
#include "internal.h"
#include "sys.h"

#include <errno.h>

static int flush_range(vmap *m, uint64_t end)
{
	for (unsigned k = 0; k < EXTENTS && extent_start(k) < end; k++) {
		uint64_t stop = extent_end(k) < end ? extent_end(k) : end;
		int err;
		if (!m->ext_base[k])
			continue;
		err = vmap_sys_msync((void *)m->ext_base[k], (size_t)(stop - extent_start(k)));
		if (err)
			return err;
	}
	return vmap_sys_fdatasync(m->fd);
}

/* The CRC of a partly written block, from its bytes. */
static uint32_t prefix_crc(vmap *m, uint64_t end)
{
	uint64_t start = end & ~(uint64_t)(BLOCK_BYTES - 1);
	const char *p = start < end ? vmap_at(m, start, end - start) : NULL;
	return p ? crc32c(0, p, (size_t)(end - start)) : 0;
}

/* The CRCs of the two partly filled blocks, which appends leave stale. */
void refresh_prefix_crcs(vmap *m)
{
	struct vmap_state *live = &m->hdr->live;
	if (LOAD(&live->crcs_valid))
		return;
	STORE(&live->tail_crc, prefix_crc(m, LOAD(&live->bump)));
	STORE(&live->gap_crc, LOAD(&live->gap_pos) < LOAD(&live->gap_end) ?
				      prefix_crc(m, LOAD(&live->gap_pos)) : 0);
	STORE_REL(&live->crcs_valid, 1);
}

/* What step 2 of a sync changes, so that a failed sync can put it back. */
struct synced_part {
	struct vmap_state synced;
	unsigned char writer_boot[16], synced_boot[16];
};

static void synced_save(const vmap *m, struct synced_part *sp)
{
	state_load(&sp->synced, &m->hdr->synced);
	memcpy(sp->writer_boot, m->hdr->writer_boot, 16);
	memcpy(sp->synced_boot, m->hdr->synced_boot, 16);
}

static void synced_restore(vmap *m, const struct synced_part *sp)
{
	state_store(&m->hdr->synced, &sp->synced);
	memcpy(m->hdr->writer_boot, sp->writer_boot, 16);
	memcpy(m->hdr->synced_boot, sp->synced_boot, 16);
}

/*
 * The two steps (see the top of this file). If the header's flush fails,
 * the synced state goes back to what it was, so a failed call changes
 * nothing; the disk may hold either header then (which both describe data
 * already on the disk), as after any failed fdatasync.
 */
int sync_flush(vmap *m)
{
	struct vmap_state now;
	struct synced_part was;
	int err;

	if (m->anon)
		return 0;
	refresh_prefix_crcs(m);
	state_load(&now, &m->hdr->live);
	err = flush_range(m, now.bump);
	if (err)
		return err;
	synced_save(m, &was);
	state_store(&m->hdr->synced, &now);
	if (m->have_boot) {
		memcpy(m->hdr->synced_boot, m->boot, 16);
		memcpy(m->hdr->writer_boot, m->boot, 16);
	}
	err = flush_range(m, BLOCK_BYTES);
	if (err) {
		synced_restore(m, &was);
		flush_range(m, BLOCK_BYTES); /* best effort: the error is already known */
	}
	return err;
}

/* A sync is a write to checkers (check.c): it changes the synced state. */
int sync_as_write(vmap *m)
{
	int err;
	write_begin(m);
	err = sync_flush(m);
	write_end(m);
	return err;
}

int vmap_sync(vmap *m)
{
	if (!m)
		return -EINVAL;
	if (m->read_only)
		return -EROFS;
	return sync_as_write(m);
}

static void forget_crcs(vmap *m, uint64_t from, uint64_t to)
{
	for (uint64_t b = from >> BLOCK_SHIFT; b < (to + BLOCK_BYTES - 1) >> BLOCK_SHIFT; b++) {
		uint32_t *crc = table_elem(m, TABLE_CRC, b);
		if (crc)
			STORE(crc, 0);
	}
}

/* Table chunks placed at or after bump belong to what is being undone. */
static void forget_chunks(vmap *m, uint64_t bump)
{
	for (int t = 0; t < TABLES; t++) {
		uint64_t *pos = (uint64_t *)((char *)m->hdr + table_shapes[t].chunks_offset);
		for (unsigned c = 0; c < TABLE_CHUNKS; c++)
			if (LOAD(&pos[c]) >= bump)
				STORE(&pos[c], 0);
	}
	table_forget(m);
}

/*
 * rollback_to - make the live state `to` again. Blocks written since may be
 * rewritten, so their checksums go (a missing checksum is never damage).
 */
void rollback_to(vmap *m, const struct vmap_state *to)
{
	struct vmap_state target = *to;
	uint64_t from = target.bump;

	if (target.gap_pos < target.gap_end && target.gap_pos < from)
		from = target.gap_pos;
	forget_chunks(m, target.bump);
	/* After a power loss the live state may be older than the checksums
	 * that reached the disk: clear every entry past the frontier. */
	forget_crcs(m, from, table_capacity(m, TABLE_CRC) << BLOCK_SHIFT);
	state_store(&m->hdr->live, &target);
	m->group_plus1 = 0;
}

/* Did the journalled operation reach its commit point? */
static int journal_committed(vmap *m, const struct vmap_journal *j)
{
	const struct vmap_dir_entry *d;
	const uint32_t *slots;

	if (j->kind == JOURNAL_APPEND)
		return LOAD(&m->hdr->live.count) == j->before.count + 1;
	d = dir_entry(m, j->key_index >> GROUP_SHIFT);
	if (!d)
		return 0;
	slots = (const uint32_t *)vmap_at(m, LOAD(&d->slots_pos), BLOCK_BYTES);
	return slots && LOAD(&slots[j->key_index & (GROUP_KEYS - 1)]) == j->slot_new;
}

/*
 * A fast append stores bump and byte count one by one; after a crash between
 * them the byte count is the one that goes with count.
 */
static void finish_fast_append(vmap *m, const struct vmap_journal *j)
{
	struct vmap_state *live = &m->hdr->live;
	int committed = LOAD(&live->count) > j->before.count;

	STORE(&live->value_bytes, committed ? j->value_bytes_after : j->before.value_bytes);
	STORE(&live->crcs_valid, 0);
}

static void finish_journal(vmap *m)
{
	struct vmap_journal *j = &m->hdr->journal;

	if (!LOAD(&j->active))
		return;
	if (j->kind == JOURNAL_APPEND_FAST) {
		finish_fast_append(m, j);
	} else if (!journal_committed(m, j)) {
		rollback_to(m, &j->before);
	} else if (j->kind != JOURNAL_APPEND) {
		/* The slot moved but the counters may not have followed. */
		STORE(&m->hdr->live.value_bytes, j->value_bytes_after);
		if (j->kind == JOURNAL_REMOVE)
			STORE(&m->hdr->live.removed, j->before.removed + 1);
	}
	STORE_REL(&j->active, 0);
}

static int all_zero(const unsigned char *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* Has the machine restarted since the last writer of this file? */
int restarted_since_write(const vmap *m)
{
	return m->have_boot && !all_zero(m->hdr->writer_boot, 16) &&
	       memcmp(m->hdr->writer_boot, m->boot, 16) != 0;
}

/*
 * After a restart the slots of removes made since the last sync may or may
 * not have reached the disk: count again. O(keys), but only on this path.
 */
static void recount(vmap *m)
{
	struct vmap_state *live = &m->hdr->live;
	uint64_t count = LOAD(&live->count), removed = 0, bytes = 0;

	for (uint64_t i = 0; i < count; i++) {
		const struct vmap_dir_entry *d = dir_entry(m, i >> GROUP_SHIFT);
		const uint32_t *slots = d ? (const uint32_t *)vmap_at(m, LOAD(&d->slots_pos),
								      BLOCK_BYTES) : NULL;
		uint32_t slot;
		size_t len;
		if (!slots)
			return;
		slot = LOAD(&slots[i & (GROUP_KEYS - 1)]);
		if (slot == SLOT_REMOVED)
			removed++;
		else if (value_of(m, d, slot, &len))
			bytes += len;
	}
	STORE(&live->removed, removed);
	STORE(&live->value_bytes, bytes);
}

/*
 * recover_writer - run by a writer as it opens: undo what a crash left half
 * done, and after a restart go back to the last sync.
 */
int recover_writer(vmap *m)
{
	struct vmap_state synced;
	int restarted = restarted_since_write(m);

	state_load(&synced, &m->hdr->synced);
	if (restarted && state_validate(&synced, m->file_bytes))
		return VMAP_ECORRUPT;
	write_begin(m); /* also makes even a count a killed writer left odd */
	if (restarted) {
		rollback_to(m, &synced);
		STORE(&m->hdr->journal.active, 0);
		recount(m);
	} else {
		finish_journal(m);
	}
	if (m->have_boot)
		memcpy(m->hdr->writer_boot, m->boot, 16);
	refresh_prefix_crcs(m);
	write_end(m);
	return 0;
}
