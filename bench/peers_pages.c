/* SPDX-License-Identifier: MIT */
/*
 * peers_pages.c - a faithful model of the design vector_map replaces, to show
 * what the rewrite bought. Values live in 4 KiB pages chained in a list:
 *
 *   page:  +------+-------+-----+------------------------+------------------+
 *          | next | count | top | 256 x u32 offsets      | packed strings   |
 *          +------+-------+-----+------------------------+------------------+
 *          0      8       10    16                       1040            4096
 *
 * An offset is relative to its page; a string ends in NUL and has no stored
 * length. A page takes entries until its 256 slots or its 3056 bytes of
 * strings run out (with 48-byte paths that is about 62 entries). Both a get
 * and an append start at the head of the list and walk it, so both cost
 * O(N / entries per page): the benchmark runs this model only up to N = 1e5.
 */
#include "peer.h"
#include "workload.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_BYTES 4096
#define PAGE_SLOTS 256
#define PAGE_HEAD 16
#define PAGE_STRINGS (PAGE_BYTES - PAGE_HEAD - 4 * PAGE_SLOTS)

struct page {
	struct page *next;
	uint16_t count; /* entries in this page */
	uint16_t top;   /* bytes of strings[] in use */
	uint32_t reserved;
	uint32_t offsets[PAGE_SLOTS];
	char strings[PAGE_STRINGS];
};

_Static_assert(sizeof(struct page) == PAGE_BYTES, "a page is exactly 4 KiB");

struct pages {
	struct page *head;
	uint64_t count;
};

static struct page *page_new(void)
{
	struct page *p = aligned_alloc(PAGE_BYTES, PAGE_BYTES);

	if (p) {
		p->next = NULL;
		p->count = p->top = 0;
	}
	return p;
}

static int pg_append(void *s, uint64_t key, const char *val, size_t len)
{
	struct pages *l = s;
	struct page *p = l->head;

	if (key != l->count || len + 1 > PAGE_STRINGS)
		return -1;
	if (!p && !(p = l->head = page_new()))
		return -1;
	while (p->next) /* the original walked to the tail on every append */
		p = p->next;
	if (p->count == PAGE_SLOTS || p->top + len + 1 > PAGE_STRINGS) {
		if (!(p->next = page_new()))
			return -1;
		p = p->next;
	}
	p->offsets[p->count++] = (uint32_t)(offsetof(struct page, strings) + p->top);
	memcpy(p->strings + p->top, val, len + 1);
	p->top = (uint16_t)(p->top + len + 1);
	l->count++;
	return 0;
}

static inline const char *pg_get(void *s, uint64_t key, size_t *len)
{
	const struct pages *l = s;
	const struct page *p = l->head;
	const char *v;

	while (p && key >= p->count) {
		key -= p->count;
		p = p->next;
	}
	if (!p)
		return NULL;
	v = (const char *)p + p->offsets[key];
	*len = strlen(v);
	return v;
}

DEFINE_WORKLOADS(pg, pg_append, pg_get)

/* A scan walks the list once, page by page. */
static uint64_t pg_scan(void *s, uint64_t n)
{
	const struct pages *l = s;
	uint64_t sum = 0;

	(void)n;
	for (const struct page *p = l->head; p; p = p->next)
		for (unsigned k = 0; k < p->count; k++) {
			const char *v = (const char *)p + p->offsets[k];

			sum += value_fold(v, strlen(v));
		}
	return sum;
}

static void *pg_create(const char *dir)
{
	(void)dir;
	return calloc(1, sizeof(struct pages));
}

static void pg_destroy(void *s)
{
	struct pages *l = s;

	for (struct page *p = l->head, *next; p; p = next) {
		next = p->next;
		free(p);
	}
	free(l);
}

const struct peer peer_pages = {
	.name = "original design",
	.max_n = 100000,
	.max_ops = 10000,
	.create = pg_create,
	.append_all = pg_append_all,
	.gets = pg_gets,
	.chase = pg_chase,
	.scan = pg_scan,
	.destroy = pg_destroy,
};
