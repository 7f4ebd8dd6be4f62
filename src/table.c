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

const struct table_shape table_shapes[TABLES] = {
	[TABLE_DIR] = {sizeof(struct vmap_dir_entry), 8, offsetof(struct vmap_header, dir_chunks)},
	[TABLE_FAR] = {sizeof(struct vmap_far), 8, offsetof(struct vmap_header, far_chunks)},
	[TABLE_CRC] = {sizeof(uint32_t), 10, offsetof(struct vmap_header, crc_chunks)},
};

static uint64_t *chunk_slot(const vmap *m, int table, unsigned c)
{
	return (uint64_t *)((char *)m->hdr + table_shapes[table].chunks_offset) + c;
}

/* The checked address of chunk c, or NULL if it is missing or lies. */
static char *chunk_addr(const vmap *m, int table, unsigned c)
{
	uintptr_t *cache = (uintptr_t *)&m->table_addr[table][c];
	uintptr_t a = LOAD_ACQ(cache);
	uint64_t pos, bytes = (uint64_t)BLOCK_BYTES << c;
	char *p;

	if (a)
		return (char *)a;
	pos = LOAD_ACQ(chunk_slot(m, table, c));
	if (!pos || pos % BLOCK_BYTES)
		return NULL;
	p = vmap_at(m, pos, bytes);
	if (p)
		STORE_REL(cache, (uintptr_t)p);
	return p;
}

void *table_elem(const vmap *m, int table, uint64_t i)
{
	const struct table_shape *t = &table_shapes[table];
	uint64_t in_chunk;
	unsigned c = table_chunk_of(i, t->first_shift, &in_chunk);
	char *p;

	if (c >= TABLE_CHUNKS)
		return NULL;
	p = chunk_addr(m, table, c);
	return p ? p + in_chunk * t->elem_bytes : NULL;
}

/* How many elements the chunks that exist can hold. */
uint64_t table_capacity(const vmap *m, int table)
{
	uint64_t first = (uint64_t)1 << table_shapes[table].first_shift, cap = 0;
	for (unsigned c = 0; c < TABLE_CHUNKS && LOAD(chunk_slot(m, table, c)); c++)
		cap += first << c;
	return cap;
}

/* Drop cached chunk addresses (after a rollback rewrote the header). */
void table_forget(vmap *m)
{
	memset(m->table_addr, 0, sizeof m->table_addr);
}
