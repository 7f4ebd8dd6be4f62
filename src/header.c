/* SPDX-License-Identifier: MIT */
/*
 * header.c - block 0 of every map: what it says and how it is checked.
 *
 *   0  89 56 4d 41 50 0d 0a 1a   magic: a high byte, "VMAP", CR LF, ^Z
 *   8  02 00 00 00               version 2 (version 1 files are read too)
 *  12  00 10 00 00  00 10 00 00  header bytes 4096, block bytes 4096
 *  20  00 04 00 00  00 04 00 00  keys per group 1024, inline max 1024
 *  28  00 00 00 00  (28 zero)    flags, reserved
 *  60  xx xx xx xx               CRC32C of bytes 0..59
 *  64  live state   176 synced state   288 boot ids   320 journal
 * 512  dir chunks   768 far chunks    1024 crc chunks   1280.. zero
 *
 * Bytes 0..63 never change after creation, so they carry a checksum; the
 * rest changes on every write and is checked by its meaning instead.
 */
#include "internal.h"

#include <errno.h>

static const unsigned char magic[8] = {0x89, 'V', 'M', 'A', 'P', '\r', '\n', 0x1a};

static uint32_t fixed_crc(const struct vmap_header *h)
{
	return crc32c(0, h, offsetof(struct vmap_header, header_crc));
}

void header_init(struct vmap_header *h)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, magic, sizeof magic);
	h->version = FORMAT_VERSION;
	h->header_bytes = BLOCK_BYTES;
	h->block_bytes = BLOCK_BYTES;
	h->group_keys = GROUP_KEYS;
	h->inline_max = INLINE_MAX;
	h->live.bump = BLOCK_BYTES;
	h->synced = h->live;
	h->header_crc = fixed_crc(h);
}

/* Is this the header of a map this build can read? */
int header_validate(const struct vmap_header *h, uint64_t file_bytes)
{
	if (file_bytes < sizeof *h || memcmp(h->magic, magic, sizeof magic))
		return VMAP_ECORRUPT;
	if (h->header_crc != fixed_crc(h))
		return VMAP_ECORRUPT;
	if (h->version < FORMAT_VERSION_MIN || h->version > FORMAT_VERSION)
		return VMAP_EVERSION;
	if (h->header_bytes != BLOCK_BYTES || h->block_bytes != BLOCK_BYTES ||
	    h->group_keys != GROUP_KEYS || h->inline_max != INLINE_MAX || h->flags)
		return VMAP_ECORRUPT;
	return 0;
}

/* Do the state's counters make sense on their own and within the file? */
int state_validate(const struct vmap_state *s, uint64_t limit)
{
	uint64_t count = LOAD(&s->count), bump = LOAD(&s->bump);
	uint64_t gap_pos = LOAD(&s->gap_pos), gap_end = LOAD(&s->gap_end);

	if (count > VMAP_SLOTS_MAX || LOAD(&s->removed) > count)
		return VMAP_ECORRUPT;
	/* every 1024 keys own a 4 KiB slot block below bump */
	if ((count + GROUP_KEYS - 1) / GROUP_KEYS > bump / BLOCK_BYTES)
		return VMAP_ECORRUPT;
	if (count && count - 1 > UINT64_MAX - LOAD(&s->first_key))
		return VMAP_ECORRUPT;
	if (bump < BLOCK_BYTES || bump > limit || bump > VMAP_BYTES_MAX)
		return VMAP_ECORRUPT;
	/* a gap ends where a table block or an extent starts: a block boundary */
	if (gap_pos > gap_end || gap_end > bump ||
	    (gap_pos < gap_end && (gap_pos < BLOCK_BYTES || gap_end % BLOCK_BYTES)))
		return VMAP_ECORRUPT;
	if (LOAD(&s->far_count) > VMAP_FAR_MAX)
		return VMAP_ECORRUPT;
	if (LOAD(&s->run_left) > RUN_MAX_BLOCKS || LOAD(&s->run_pos) % BLOCK_BYTES ||
	    LOAD(&s->run_pos) > bump || (LOAD(&s->run_left) && LOAD(&s->run_pos) < BLOCK_BYTES) ||
	    LOAD(&s->run_left) > (bump - LOAD(&s->run_pos)) / BLOCK_BYTES)
		return VMAP_ECORRUPT;
	return 0;
}

/*
 * Copy a state into the header field by field, so that a reader in another
 * thread or process never sees a torn word; count goes last, with release:
 * it is what makes an append visible.
 */
void state_store(struct vmap_state *dst, const struct vmap_state *src)
{
	STORE(&dst->first_key, src->first_key);
	STORE(&dst->bump, src->bump);
	STORE(&dst->gap_pos, src->gap_pos);
	STORE(&dst->gap_end, src->gap_end);
	STORE(&dst->far_count, src->far_count);
	STORE(&dst->removed, src->removed);
	STORE(&dst->value_bytes, src->value_bytes);
	STORE(&dst->tail_crc, src->tail_crc);
	STORE(&dst->gap_crc, src->gap_crc);
	STORE(&dst->run_pos, src->run_pos);
	STORE(&dst->run_left, src->run_left);
	STORE(&dst->crcs_valid, src->crcs_valid);
	STORE_REL(&dst->count, src->count);
}

void state_load(struct vmap_state *dst, const struct vmap_state *src)
{
	memset(dst, 0, sizeof *dst);
	dst->count = LOAD_ACQ(&src->count);
	dst->first_key = LOAD(&src->first_key);
	dst->bump = LOAD(&src->bump);
	dst->gap_pos = LOAD(&src->gap_pos);
	dst->gap_end = LOAD(&src->gap_end);
	dst->far_count = LOAD(&src->far_count);
	dst->removed = LOAD(&src->removed);
	dst->value_bytes = LOAD(&src->value_bytes);
	dst->tail_crc = LOAD(&src->tail_crc);
	dst->gap_crc = LOAD(&src->gap_crc);
	dst->run_pos = LOAD(&src->run_pos);
	dst->run_left = LOAD(&src->run_left);
	dst->crcs_valid = LOAD(&src->crcs_valid);
}

/* A journal left active must describe an operation on a sane state. */
int journal_validate(const struct vmap_journal *j, uint64_t limit)
{
	if (!LOAD(&j->active))
		return 0;
	if (j->kind < JOURNAL_APPEND || j->kind > JOURNAL_APPEND_FAST)
		return VMAP_ECORRUPT;
	if (j->kind == JOURNAL_APPEND_FAST)
		return j->before.count <= VMAP_SLOTS_MAX ? 0 : VMAP_ECORRUPT;
	return state_validate(&j->before, limit);
}

/*
 * Table chunks: present in order, block-aligned, inside [4096, bump) and in
 * one extent, so that a writer can follow them without checking each time.
 */
int chunks_validate(const vmap *m)
{
	uint64_t bump = LOAD(&m->hdr->live.bump);
	for (int t = 0; t < TABLES; t++) {
		const uint64_t *pos =
			(const uint64_t *)((const char *)m->hdr + table_shapes[t].chunks_offset);
		int gone = 0;
		for (unsigned c = 0; c < TABLE_CHUNKS; c++) {
			uint64_t p = LOAD(&pos[c]), bytes = (uint64_t)BLOCK_BYTES << c;
			if (!p) {
				gone = 1;
				continue;
			}
			if (gone || p % BLOCK_BYTES || p < BLOCK_BYTES || p > bump ||
			    bytes > bump - p || extent_of(p) != extent_of(p + bytes - 1))
				return VMAP_ECORRUPT;
		}
	}
	/* the records and groups in use must have their chunks already */
	if (LOAD(&m->hdr->live.far_count) > table_capacity(m, TABLE_FAR) ||
	    (LOAD(&m->hdr->live.count) + GROUP_KEYS - 1) / GROUP_KEYS > table_capacity(m, TABLE_DIR))
		return VMAP_ECORRUPT;
	return 0;
}
