/* SPDX-License-Identifier: MIT */
/* holes.c - see holes.h. */
#include "holes.h"

int hole_append(vmap *m, uint64_t key)
{
	int err = vmap_append(m, key, "", 0);

	/* Removing the key just appended cannot fail but for a damaged map;
	 * then the placeholder stays live and the error says so. */
	return err ? err : vmap_remove(m, key);
}
