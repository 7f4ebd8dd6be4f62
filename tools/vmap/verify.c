/* SPDX-License-Identifier: MIT */
/*
 * verify.c - reading values without ever printing damage as good.
 *
 * A whole map (dump): vmap_check first, after the caller took its range of
 * keys, so that everything it prints was checked; if it fails, nothing is printed and the first damaged
 * key is named (vmap_check_key), or the map-level damage if no key is. One
 * key (get, tail): vmap_lookup, then vmap_check_key for the checksums of
 * the blocks its value lies in; and a key without a value inside the range
 * is believed a hole only once the whole map has checked sound.
 */
#include <errno.h>
#include <inttypes.h>

#include "cli.h"

static int first_damaged(const vmap *m, const struct key_range *r, uint64_t *key)
{
	if (r->empty)
		return 0;
	for (uint64_t k = r->first;; k++) {
		if (vmap_check_key(m, k) == VMAP_ECORRUPT) {
			*key = k;
			return 1;
		}
		if (k == r->last)
			return 0;
	}
}

int verify_map(const vmap *m, const char *path, const struct key_range *r)
{
	uint64_t key;
	int err = vmap_check(m);

	if (err == 0)
		return -1;
	if (err != VMAP_ECORRUPT)
		return cli_fail(path, "check", err);
	if (first_damaged(m, r, &key))
		cli_warn("%s: key %" PRIu64 ": damaged (the first damaged key); "
			 "refused", path, key);
	else
		cli_warn("%s: damaged (its header or tables, not a value); "
			 "refused", path);
	return CLI_DAMAGED;
}

/*
 * A key inside the map's range that has no value: a hole, unless damage
 * made a live key look removed. That is told by checking the whole map,
 * once per run (a sound map stays sound under a writer).
 */
static int verify_hole(const vmap *m, uint64_t key)
{
	static const vmap *sound;
	struct key_range r;

	map_range(m, &r);
	if (m == sound || r.empty || key < r.first || key > r.last)
		return -ENOENT;
	if (vmap_check(m) != 0)
		return VMAP_ECORRUPT;
	sound = m;
	return -ENOENT;
}

int verify_lookup(const vmap *m, const char *path, uint64_t key,
		  const char **val, size_t *len)
{
	int err = vmap_lookup(m, key, val, len);
	int hole = err == -ENOENT;

	if (err == 0)
		err = vmap_check_key(m, key);
	else if (hole)
		err = verify_hole(m, key);
	if (err == 0 || err == -ENOENT)
		return err;
	if (err == VMAP_ECORRUPT && hole) {
		cli_warn("%s: key %" PRIu64 ": no value, but the file is damaged: "
			 "it may have been lost", path, key);
		return CLI_DAMAGED;
	}
	if (err == VMAP_ECORRUPT) {
		cli_warn("%s: key %" PRIu64 ": damaged; not printed", path, key);
		return CLI_DAMAGED;
	}
	return cli_fail(path, "read", err);
}
