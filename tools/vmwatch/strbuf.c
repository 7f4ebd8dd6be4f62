/* SPDX-License-Identifier: MIT */
/* strbuf.c - a growable string, reused for every path so paths cost no
 * allocation per event; and the one checked realloc of vmwatch. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmwatch.h"

void *xrealloc(void *p, size_t count, size_t size)
{
	void *grown;

	if (size && count > SIZE_MAX / size)
		fatal("out of memory");
	grown = realloc(p, count && size ? count * size : 1);
	if (!grown)
		fatal("out of memory");
	return grown;
}

void sb_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void sb_add(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		b->s = xrealloc(b->s, cap, 1);
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_adds(struct strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_free(struct strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
