/* SPDX-License-Identifier: MIT */
/*
 * journal.c - the write in progress, named in the header, so that a writer
 * killed at any instant is finished or undone when the file is opened again
 * (docs/FORMAT.md, "Writing, committing and crashes"):
 *
 *   320  active   key_index   kind   slot_new   value_bytes_after   before
 *        1 while  the key's   what   the slot   value_bytes once    the state
 *        writing  index              that       it has committed    before it
 *                                    commits
 *
 * A planned write records the state before it and the slot that commits it;
 * the common append (write.c) only what it could leave wrong, the byte
 * count (kind 4, "short append": before.count and before.value_bytes).
 */
#include "internal.h"

#include <errno.h>

void vmi_journal_begin(vmap *m, uint32_t kind, uint64_t index, uint32_t slot_new,
		   uint64_t value_bytes_after)
{
	struct vmap_journal *j = &m->hdr->journal;
	struct vmap_state before;

	vmi_state_load(&before, &m->hdr->live);
	vmi_state_store(&j->before, &before);
	STORE(&j->kind, kind);
	STORE(&j->key_index, index);
	STORE(&j->slot_new, slot_new);
	STORE(&j->value_bytes_after, value_bytes_after);
	STORE_REL(&j->active, 1); /* after what it describes */
}

void vmi_journal_fast(vmap *m, uint64_t count, uint64_t bytes, size_t len)
{
	struct vmap_journal *j = &m->hdr->journal;
	STORE(&j->kind, JOURNAL_APPEND_FAST);
	STORE(&j->before.count, count);
	STORE(&j->before.value_bytes, bytes);
	STORE(&j->value_bytes_after, bytes + len);
	STORE_REL(&j->active, 1); /* after what it describes */
}

void vmi_journal_end(vmap *m)
{
	STORE_REL(&m->hdr->journal.active, 0); /* after the counters it completed */
}

/* A journal left active must describe an operation on a sane state. */
int vmi_journal_validate(const struct vmap_journal *j, uint64_t limit)
{
	uint32_t kind = LOAD(&j->kind);
	struct vmap_state before;

	if (!LOAD(&j->active))
		return 0;
	if (kind < JOURNAL_APPEND || kind > JOURNAL_APPEND_FAST)
		return VMAP_ECORRUPT;
	if (kind == JOURNAL_APPEND_FAST)
		return LOAD(&j->before.count) <= VMAP_SLOTS_MAX ? 0 : VMAP_ECORRUPT;
	vmi_state_load(&before, &j->before);
	return vmi_state_validate(&before, limit);
}

/* Did the journalled operation reach its commit point? */
static int committed(vmap *m, const struct vmap_journal *j)
{
	const struct vmap_dir_entry *d;
	uint32_t *slot;

	if (LOAD(&j->kind) == JOURNAL_APPEND)
		return LOAD(&m->hdr->live.count) == LOAD(&j->before.count) + 1;
	if (vmi_slot_find(m, LOAD(&j->key_index), &d, &slot))
		return 0;
	return LOAD(slot) == LOAD(&j->slot_new);
}

/* A short append stores bump and byte count one by one; after a crash
 * between them the byte count is the one that goes with count. */
static void finish_fast_append(vmap *m, const struct vmap_journal *j)
{
	struct vmap_state *live = &m->hdr->live;
	int done = LOAD(&live->count) > LOAD(&j->before.count);

	STORE(&live->value_bytes, done ? LOAD(&j->value_bytes_after) : LOAD(&j->before.value_bytes));
	STORE(&live->crcs_valid, 0);
}

/*
 * vmi_journal_finish - run by a writer as it opens: an operation a crash cut
 * short is undone if it had not committed, and its counters completed if
 * it had.
 */
void vmi_journal_finish(vmap *m)
{
	struct vmap_journal *j = &m->hdr->journal;
	uint32_t kind = LOAD(&j->kind);
	struct vmap_state before;

	if (!LOAD(&j->active))
		return;
	if (kind == JOURNAL_APPEND_FAST) {
		finish_fast_append(m, j);
	} else if (!committed(m, j)) {
		vmi_state_load(&before, &j->before);
		vmi_rollback_to(m, &before);
	} else if (kind != JOURNAL_APPEND) {
		/* The slot moved but the counters may not have followed. */
		STORE(&m->hdr->live.value_bytes, LOAD(&j->value_bytes_after));
		if (kind == JOURNAL_REMOVE)
			STORE(&m->hdr->live.removed, LOAD(&j->before.removed) + 1);
	}
	vmi_journal_end(m);
}
