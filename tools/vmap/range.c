/* SPDX-License-Identifier: MIT */
/* range.c - the span of keys a map has used: [first, last], or empty. */
#include "cli.h"

void map_range(const vmap *m, struct key_range *r)
{
	struct vmap_stat st;

	r->empty = 1;
	r->first = r->last = 0;
	if (vmap_stat(m, &st) < 0 || st.live + st.removed == 0)
		return;
	r->empty = 0;
	r->first = st.first_key;
	/* next_key is 0 once UINT64_MAX was appended: the last key is then MAX. */
	r->last = st.next_key ? st.next_key - 1 : UINT64_MAX;
}
