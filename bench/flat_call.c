/* SPDX-License-Identifier: MIT */
/*
 * flat_call.c - the flat limit's get behind a call. It lives alone in this
 * file, and is noinline, so no build (not even one with LTO) can fold it into
 * the caller's loop: this is the floor for any library with a compiled get,
 * and the figure vector_map's own vmap_get is held to.
 */
#include "flat.h"

__attribute__((noinline)) const char *flat_get_call(const struct flat *f, uint64_t key,
						     size_t *len)
{
	return flat_get_inline(f, key, len);
}
