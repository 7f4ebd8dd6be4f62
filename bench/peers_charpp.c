/* SPDX-License-Identifier: MIT */
/*
 * peers_charpp.c - the first thing a C programmer writes: a growing array of
 * char * with one strdup per value. The length is not stored, so a get pays
 * a strlen, as a user of this table would.
 */
#include "peer.h"
#include "workload.h"

#include <stdlib.h>
#include <string.h>

struct charpp {
	char **items;
	uint64_t count, cap;
};

static int cp_append(void *s, uint64_t key, const char *val, size_t len)
{
	struct charpp *a = s;

	(void)len;
	if (key != a->count)
		return -1;
	if (a->count == a->cap) {
		uint64_t cap = a->cap ? 2 * a->cap : 1024;
		char **items = realloc(a->items, cap * sizeof *items);

		if (!items)
			return -1;
		a->items = items;
		a->cap = cap;
	}
	a->items[a->count] = strdup(val);
	return a->items[a->count++] ? 0 : -1;
}

static inline const char *cp_get(void *s, uint64_t key, size_t *len)
{
	const struct charpp *a = s;
	const char *p;

	if (key >= a->count)
		return NULL;
	p = a->items[key];
	*len = strlen(p);
	return p;
}

DEFINE_WORKLOADS(cp, cp_append, cp_get)

static void *cp_create(const char *dir)
{
	(void)dir;
	return calloc(1, sizeof(struct charpp));
}

static void cp_destroy(void *s)
{
	struct charpp *a = s;

	for (uint64_t k = 0; k < a->count; k++)
		free(a->items[k]);
	free(a->items);
	free(a);
}

const struct peer peer_charpp = {
	.name = "char** + strdup",
	.flags = PEER_LARGE,
	.create = cp_create,
	.append_all = cp_append_all,
	.gets = cp_gets,
	.chase = cp_chase,
	.scan = cp_scan_by_key,
	.destroy = cp_destroy,
};
