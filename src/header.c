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
	return vmi_crc32c(0, h, offsetof(struct vmap_header, header_crc));
}

/* A new header, as it is stored (little-endian), for write_fresh_header. */
void vmi_header_init(struct vmap_header *h)
{
	memset(h, 0, sizeof *h);
	memcpy(h->magic, magic, sizeof magic);
	STORE(&h->version, FORMAT_VERSION);
	STORE(&h->header_bytes, BLOCK_BYTES);
	STORE(&h->block_bytes, BLOCK_BYTES);
	STORE(&h->group_keys, GROUP_KEYS);
	STORE(&h->inline_max, INLINE_MAX);
	STORE(&h->live.bump, BLOCK_BYTES);
	h->synced = h->live; /* stored to stored: as it is */
	STORE(&h->header_crc, fixed_crc(h));
}

/* Is this the header of a map this build can read? */
int vmi_header_validate(const struct vmap_header *h, uint64_t file_bytes)
{
	uint32_t version = LOAD(&h->version);

	if (file_bytes < sizeof *h || memcmp(h->magic, magic, sizeof magic))
		return VMAP_ECORRUPT;
	if (LOAD(&h->header_crc) != fixed_crc(h))
		return VMAP_ECORRUPT;
	if (version < FORMAT_VERSION_MIN || version > FORMAT_VERSION)
		return VMAP_EVERSION;
	if (LOAD(&h->header_bytes) != BLOCK_BYTES || LOAD(&h->block_bytes) != BLOCK_BYTES ||
	    LOAD(&h->group_keys) != GROUP_KEYS || LOAD(&h->inline_max) != INLINE_MAX ||
	    LOAD(&h->flags))
		return VMAP_ECORRUPT;
	return 0;
}

/* Do the state's counters make sense on their own and within the file?
 * s is a copy (vmi_state_load), in the host's byte order. */
int vmi_state_validate(const struct vmap_state *s, uint64_t limit)
{
	if (s->count > VMAP_SLOTS_MAX || s->removed > s->count)
		return VMAP_ECORRUPT;
	/* every 1024 keys own a 4 KiB slot block below bump */
	if ((s->count + GROUP_KEYS - 1) / GROUP_KEYS > s->bump / BLOCK_BYTES)
		return VMAP_ECORRUPT;
	if (s->count && s->count - 1 > UINT64_MAX - s->first_key)
		return VMAP_ECORRUPT;
	if (s->bump < BLOCK_BYTES || s->bump > limit || s->bump > VMAP_BYTES_MAX)
		return VMAP_ECORRUPT;
	/* a gap ends where a table block or an extent starts: a block boundary */
	if (s->gap_pos > s->gap_end || s->gap_end > s->bump ||
	    (s->gap_pos < s->gap_end && (s->gap_pos < BLOCK_BYTES || s->gap_end % BLOCK_BYTES)))
		return VMAP_ECORRUPT;
	if (s->far_count > VMAP_FAR_MAX)
		return VMAP_ECORRUPT;
	if (s->run_left > RUN_MAX_BLOCKS || s->run_pos % BLOCK_BYTES || s->run_pos > s->bump ||
	    (s->run_left && s->run_pos < BLOCK_BYTES) ||
	    s->run_left > (s->bump - s->run_pos) / BLOCK_BYTES)
		return VMAP_ECORRUPT;
	return 0;
}

/* The same for a state as it is stored in the header. */
int vmi_stored_state_validate(const struct vmap_state *stored, uint64_t limit)
{
	struct vmap_state s;
	vmi_state_load(&s, stored);
	return vmi_state_validate(&s, limit);
}

/*
 * Copy a state into the header field by field, so that a reader in another
 * thread or process never sees a torn word; count goes last, with release:
 * it is what makes an append visible.
 */
void vmi_state_store(struct vmap_state *dst, const struct vmap_state *src)
{
	STORE(&dst->first_key, src->first_key);
	STORE(&dst->bump, src->bump);
	STORE(&dst->gap_pos, src->gap_pos);
	STORE(&dst->gap_end, src->gap_end);
	/* after the far table's chunks: a checker that loads far_count with
	 * acquire finds them (check.c, take_snapshot) */
	STORE_REL(&dst->far_count, src->far_count);
	STORE(&dst->removed, src->removed);
	STORE(&dst->value_bytes, src->value_bytes);
	STORE(&dst->tail_crc, src->tail_crc);
	STORE(&dst->gap_crc, src->gap_crc);
	STORE(&dst->run_pos, src->run_pos);
	STORE(&dst->run_left, src->run_left);
	STORE(&dst->crcs_valid, src->crcs_valid);
	STORE_REL(&dst->count, src->count);
}

void vmi_state_load(struct vmap_state *dst, const struct vmap_state *src)
{
	memset(dst, 0, sizeof *dst);
	dst->count = LOAD_ACQ(&src->count); /* pairs with the release above */
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
