/* SPDX-License-Identifier: MIT */
/*
 * flat.h - the flat limit: what a reader-only table of these values costs at
 * the least. One uint32_t offset per key into one blob of NUL-terminated
 * values: 4 bytes of index and 1 byte of terminator per entry, one load to
 * find a value. No structure that can grow and hand out stable pointers can
 * beat it, so every other contender is reported as a ratio to it.
 *
 *   offsets: | 0 | 5 | 17 | ...         blob: "/usr\0/usr/share\0..."
 */
#ifndef BENCH_FLAT_H
#define BENCH_FLAT_H

#include <stddef.h>
#include <stdint.h>

struct flat {
	uint32_t *offsets; /* count + 1 entries: value k is blob[offsets[k]..offsets[k+1]-1) */
	uint64_t count, offsets_cap;
	char *blob;
	uint64_t blob_used, blob_cap;
};

int flat_append(struct flat *f, uint64_t key, const char *val, size_t len);
void flat_free(struct flat *f);

/* The get a header-only library would give: inlined into the caller's loop. */
static inline const char *flat_get_inline(const struct flat *f, uint64_t key, size_t *len)
{
	if (key >= f->count)
		return NULL;
	*len = f->offsets[key + 1] - f->offsets[key] - 1;
	return f->blob + f->offsets[key];
}

/* The same get behind a call, as a compiled library would give it. */
const char *flat_get_call(const struct flat *f, uint64_t key, size_t *len);

#endif
