/* SPDX-License-Identifier: MIT */
/*
 * table.c - the three segmented tables: the group directory, the far
 * records and the block checksums.
 *
 * A table is a list of chunks that double in size; chunk c is 4 KiB << c and
 * its position is the header's X_chunks[c]. Element i is found without a
 * search: with F elements in chunk 0,
 *
 *   c = floor(log2(i / F + 1))        chunk 0: [0, F)   chunk 1: [F, 3F)
 *   offset in chunk = i - F * (2^c - 1)  chunk 2: [3F, 7F) ...
 *
 * so the tables grow without ever moving, and cost O(1) to index. A chunk
 * position read from the header is checked once (aligned, inside one extent
 * and inside the file) and its address cached in the handle.
 */
#include "internal.h"

const struct table_shape vmi_table_shapes[TABLES] = {
	[TABLE_DIR] = {sizeof(struct vmap_dir_entry), 8, offsetof(struct vmap_header, dir_chunks)},
	[TABLE_FAR] = {sizeof(struct vmap_far), 8, offsetof(struct vmap_header, far_chunks)},
	[TABLE_CRC] = {sizeof(uint32_t), 10, offsetof(struct vmap_header, crc_chunks)},
};

/* The checked address of chunk c, or NULL if it is missing or lies. */
static char *chunk_addr(const vmap *m, int table, unsigned c)
{
	uintptr_t *cache = (uintptr_t *)&m->table_addr[table][c];
	uintptr_t a = MLOAD_ACQ(cache); /* pairs with the release below */
	uint64_t pos, bytes = (uint64_t)BLOCK_BYTES << c;
	char *p;

	if (a)
		return (char *)a;
	pos = LOAD_ACQ(chunk_position(m->hdr, table, c)); /* pairs with write.c's claim_space */
	if (!pos || pos % BLOCK_BYTES)
		return NULL;
	p = vmi_at(m, pos, bytes);
	if (p)
		MSTORE_REL(cache, (uintptr_t)p); /* once checked: pairs with the acquire above */
	return p;
}

void *vmi_table_elem(const vmap *m, int table, uint64_t i)
{
	const struct table_shape *t = &vmi_table_shapes[table];
	uint64_t in_chunk;
	unsigned c = table_chunk_of(i, t->first_shift, &in_chunk);
	char *p;

	if (c >= TABLE_CHUNKS)
		return NULL;
	p = chunk_addr(m, table, c);
	return p ? p + in_chunk * t->elem_bytes : NULL;
}

/* How many elements the chunks that exist can hold. */
uint64_t vmi_table_capacity(const vmap *m, int table)
{
	uint64_t first = (uint64_t)1 << vmi_table_shapes[table].first_shift, cap = 0;
	for (unsigned c = 0; c < TABLE_CHUNKS && LOAD(chunk_position(m->hdr, table, c)); c++)
		cap += first << c;
	return cap;
}

/* Drop cached chunk addresses (after a rollback rewrote the header). */
void vmi_table_forget(vmap *m)
{
	memset(m->table_addr, 0, sizeof m->table_addr);
}

/*
 * vmi_table_chunks_validate - chunks present in order, block-aligned, inside
 * [4096, bump) and in one extent, and enough of them for the groups and far
 * records in use: what a writer checks once as it opens, so that it can
 * follow chunk positions without checking each time.
 */
int vmi_table_chunks_validate(const vmap *m)
{
	uint64_t bump = LOAD(&m->hdr->live.bump);
	for (int t = 0; t < TABLES; t++) {
		int gone = 0;
		for (unsigned c = 0; c < TABLE_CHUNKS; c++) {
			uint64_t p = LOAD(chunk_position(m->hdr, t, c)), bytes = (uint64_t)BLOCK_BYTES << c;
			if (!p) {
				gone = 1;
				continue;
			}
			if (gone || p % BLOCK_BYTES || p < BLOCK_BYTES || p > bump ||
			    bytes > bump - p || extent_of(p) != extent_of(p + bytes - 1))
				return VMAP_ECORRUPT;
		}
	}
	if (LOAD(&m->hdr->live.far_count) > vmi_table_capacity(m, TABLE_FAR) ||
	    (LOAD(&m->hdr->live.count) + GROUP_KEYS - 1) / GROUP_KEYS > vmi_table_capacity(m, TABLE_DIR))
		return VMAP_ECORRUPT;
	return 0;
}
