/* SPDX-License-Identifier: MIT */
/*
 * flat.c - building the flat limit (see flat.h). Both arrays grow by doubling
 * with realloc. They start at 1 MiB, above glibc's mmap threshold, so each is
 * its own mapping from the first append: realloc then grows it with mremap,
 * copying nothing and leaving no freed copy resident in the heap, and pages
 * never touched cost no memory. Anything else would make the limit look
 * worse than it is.
 */
#include "flat.h"

#include <stdlib.h>
#include <string.h>

#define FIRST_BYTES (1u << 20)

static int grow(void **p, uint64_t *cap, uint64_t need, size_t unit)
{
	uint64_t c = *cap ? *cap : FIRST_BYTES / unit;
	void *q;

	while (c < need)
		c *= 2;
	if (c == *cap)
		return 0;
	q = realloc(*p, c * unit);
	if (!q)
		return -1;
	*p = q;
	*cap = c;
	return 0;
}

int flat_append(struct flat *f, uint64_t key, const char *val, size_t len)
{
	if (key != f->count || f->blob_used + len + 1 > UINT32_MAX)
		return -1;
	if (grow((void **)&f->offsets, &f->offsets_cap, f->count + 2, sizeof *f->offsets) ||
	    grow((void **)&f->blob, &f->blob_cap, f->blob_used + len + 1, 1))
		return -1;
	if (f->count == 0)
		f->offsets[0] = 0;
	memcpy(f->blob + f->blob_used, val, len);
	f->blob[f->blob_used + len] = '\0';
	f->blob_used += len + 1;
	f->offsets[++f->count] = (uint32_t)f->blob_used;
	return 0;
}

void flat_free(struct flat *f)
{
	free(f->offsets);
	free(f->blob);
	memset(f, 0, sizeof *f);
}
