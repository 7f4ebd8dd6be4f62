/* SPDX-License-Identifier: MIT */
/* load.c - append values and holes to a new map, keys in sequence. */
#include "cli.h"

int load_value(struct loader *l, const void *val, size_t len)
{
	int err = vmap_append(l->map, l->next, val, len);

	if (err == 0)
		l->next++;
	return err;
}

/*
 * A hole can only be made by appending and removing: keys are never skipped.
 * The empty placeholder costs a few bytes that `vmap compact` cannot avoid.
 */
int load_hole(struct loader *l)
{
	int err = vmap_append(l->map, l->next, "", 0);

	if (err < 0)
		return err;
	err = vmap_remove(l->map, l->next);
	l->next++;
	return err;
}
