/* SPDX-License-Identifier: MIT */
/*
 * span.c - values that cross an extent boundary, mapped whole.
 *
 * The position space is mapped in extents that double (space.c), each its
 * own mmap, so bytes on both sides of an extent boundary are not next to each
 * other in memory. Since format version 2 a far value may cross boundaries,
 * so that a value of N bytes costs N bytes of file rather than a skip to the
 * next extent large enough for it. The writer writes such a value piece by
 * piece (write.c); a reader maps it once more, whole, from the page that holds
 * its first byte:
 *
 *   extents   ... ext 3 [4M, 8M)    | ext 4 [8M, 16M)             | ...
 *   value              [=========== 6 MiB value ===========]
 *   span               ^ one mmap of its pages, kept until close
 *
 * Spans are few: at most one live value crosses each boundary, so a handle
 * keeps a short list, searched without a lock, grown under map_lock, and
 * never shrunk before close, since pointers into a span stay valid until
 * then. A hostile file could name many crossing values: past SPANS_MAX the
 * value is reported damaged instead of mapped.
 */
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#define SPANS_MAX 1024u

struct span {
	uint64_t pos, len;   /* the value's bytes, NUL included */
	const char *addr;    /* where pos is mapped */
	void *map;           /* the mapping, from the page holding pos */
	size_t map_len;
	struct span *next;   /* older spans */
};

static const char *span_find(const vmap *m, uint64_t pos, uint64_t len)
{
	/* pairs with the release in span_add: a span found is filled in */
	for (const struct span *s = MLOAD_ACQ(&m->spans); s; s = s->next)
		if (s->pos == pos && s->len >= len)
			return s->addr;
	return NULL;
}

/* Map [pos, pos + len) whole and remember it (under map_lock). */
static int span_add(vmap *m, uint64_t pos, uint64_t len, const char **at)
{
	uint64_t from = pos & ~(uint64_t)(m->page - 1), bytes = pos + len - from;
	struct span *s;
	int err = 0;

	if (m->span_count >= SPANS_MAX)
		return VMAP_ECORRUPT; /* more crossing values than any real map has */
	if (bytes > SIZE_MAX)
		return -ENOMEM;
	s = vmi_sys_calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->map = vmi_sys_mmap((size_t)bytes, PROT_READ, MAP_SHARED, m->fd, from, &err);
	if (!s->map) {
		vmi_sys_free(s);
		return err;
	}
	s->pos = pos;
	s->len = len;
	s->map_len = (size_t)bytes;
	s->addr = (const char *)s->map + (pos - from);
	s->next = m->spans;
	m->span_count++;
	MSTORE_REL(&m->spans, s); /* pairs with the acquire in span_find */
	*at = s->addr;
	return 0;
}

/*
 * vmi_span_at - the address of [pos, pos + len) for a value that crosses an
 * extent boundary: 0, VMAP_ECORRUPT (the format does not allow it, or the
 * range is not in the file) or -ENOMEM. The range must lie below the safe
 * limit, checked as vmi_at() checks it, so a hostile length cannot map past
 * the end of the file.
 */
int vmi_span_at(const vmap *cm, uint64_t pos, uint64_t len, const char **at)
{
	vmap *m = (vmap *)cm; /* the span list is mutable state of a const handle */
	char *last;
	int err;

	if (!m->values_may_span || pos > VMAP_BYTES_MAX || len > VMAP_BYTES_MAX - pos || !len)
		return VMAP_ECORRUPT;
	*at = span_find(m, pos, len);
	if (*at)
		return 0;
	/* the last byte must be safe to touch: this refreshes the limit too */
	err = position_at(m, pos + len - 1, 1, &last);
	if (err)
		return err;
	pthread_mutex_lock(&m->map_lock);
	*at = span_find(m, pos, len);
	if (!*at)
		err = span_add(m, pos, len, at);
	pthread_mutex_unlock(&m->map_lock);
	return err;
}

void vmi_span_free_all(vmap *m)
{
	for (struct span *s = m->spans, *next; s; s = next) {
		next = s->next;
		vmi_sys_munmap(s->map, s->map_len);
		vmi_sys_free(s);
	}
	m->spans = NULL;
	m->span_count = 0;
}
