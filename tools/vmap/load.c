/* SPDX-License-Identifier: MIT */
/* load.c - append values and holes to a new map, keys in sequence. */
#include "../common/holes.h"
#include "cli.h"

int load_value(struct loader *l, const void *val, size_t len)
{
	int err = vmap_append(l->map, l->next, val, len);

	if (err == 0)
		l->next++;
	return err;
}

int load_hole(struct loader *l)
{
	int err = hole_append(l->map, l->next);

	if (err == 0)
		l->next++;
	return err;
}
