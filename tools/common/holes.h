/* SPDX-License-Identifier: MIT */
/*
 * holes.h - the one way the tools make a hole: a key that was never given a
 * value, or whose value is gone. A vector_map never skips a key, so a hole
 * is an empty value appended under the key and removed at once; the empty
 * placeholder costs a few bytes that `vmap compact` cannot avoid.
 */
#ifndef VMAP_TOOLS_HOLES_H
#define VMAP_TOOLS_HOLES_H

#include <stdint.h>

#include "vmap.h"

/* Append key as a hole; key must be vmap_next_key(m) (or any key on an
 * empty map). 0 or the error of vmap_append / vmap_remove. */
int hole_append(vmap *m, uint64_t key);

#endif /* VMAP_TOOLS_HOLES_H */
