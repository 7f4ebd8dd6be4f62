/* SPDX-License-Identifier: MIT */
/*
 * recover.c - what a writer does as it opens a file that a crash or a power
 * loss interrupted, and how a failed write is taken back.
 *
 * A killed writer loses nothing: its bytes are in the page cache, shared
 * with everyone who maps the file; what it may leave is one operation half
 * done, which journal.c finishes or undoes. A power loss is different: the
 * kernel writes dirty pages back in any order, so anything after the last
 * vmap_sync may be torn. A writer whose boot id differs from the one in the
 * header knows the machine restarted, and goes back to the synced state,
 * which sync.c made sure is entirely on disk.
 */
#include "internal.h"

#include <errno.h>

/* Has the machine restarted since the last writer of this file? */
int vmi_restarted_since_write(const vmap *m)
{
	return m->have_boot && !all_zero(m->hdr->writer_boot, 16) &&
	       memcmp(m->hdr->writer_boot, m->boot, 16) != 0;
}

static void forget_crcs(vmap *m, uint64_t from, uint64_t to)
{
	for (uint64_t b = from >> BLOCK_SHIFT; b < align_up(to, BLOCK_BYTES) >> BLOCK_SHIFT; b++) {
		uint32_t *crc = vmi_table_elem(m, TABLE_CRC, b);
		if (crc)
			STORE(crc, 0);
	}
}

/* Table chunks placed at or after bump belong to what is being undone. */
static void forget_chunks(vmap *m, uint64_t bump)
{
	for (int t = 0; t < TABLES; t++)
		for (unsigned c = 0; c < TABLE_CHUNKS; c++)
			if (LOAD(chunk_position(m->hdr, t, c)) >= bump)
				STORE(chunk_position(m->hdr, t, c), 0);
	vmi_table_forget(m);
}

/*
 * vmi_rollback_to - make the live state `to` again. Blocks written since may be
 * rewritten, so their checksums go (a missing checksum is never damage).
 */
void vmi_rollback_to(vmap *m, const struct vmap_state *to)
{
	uint64_t from = to->bump;

	if (to->gap_pos < to->gap_end && to->gap_pos < from)
		from = to->gap_pos;
	forget_chunks(m, to->bump);
	/* After a power loss the live state may be older than the checksums
	 * that reached the disk: clear every entry past the frontier. */
	forget_crcs(m, from, vmi_table_capacity(m, TABLE_CRC) << BLOCK_SHIFT);
	vmi_state_store(&m->hdr->live, to);
	m->fast_span = 0; /* the fast append waits for the next planned one */
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
		const struct vmap_dir_entry *d;
		struct value_ref v;
		uint32_t *slot;
		if (vmi_slot_find(m, i, &d, &slot))
			return;
		if (LOAD(slot) == SLOT_REMOVED)
			removed++;
		else if (!vmi_value_find(m, d, LOAD(slot), &v))
			bytes += v.len;
	}
	STORE(&live->removed, removed);
	STORE(&live->value_bytes, bytes);
}

/*
 * vmi_recover_writer - run by a writer as it opens: undo what a crash left half
 * done, and after a restart go back to the last sync.
 */
int vmi_recover_writer(vmap *m)
{
	struct vmap_state synced;
	int restarted = vmi_restarted_since_write(m);

	vmi_state_load(&synced, &m->hdr->synced);
	if (restarted && vmi_state_validate(&synced, m->file_bytes))
		return VMAP_ECORRUPT;
	vmi_write_begin(m); /* also makes even a count a killed writer left odd */
	if (restarted) {
		vmi_rollback_to(m, &synced);
		vmi_journal_end(m);
		recount(m);
	} else {
		vmi_journal_finish(m);
	}
	if (m->have_boot)
		memcpy(m->hdr->writer_boot, m->boot, 16);
	vmi_refresh_prefix_crcs(m);
	vmi_write_end(m);
	return 0;
}
