/* SPDX-License-Identifier: MIT */
/*
 * peers_judy.c - a JudyL array from key to a strdup'd C string: Judy keeps
 * the key index compact, and the values cost what malloc makes them cost.
 */
#include "peer.h"
#include "workload.h"

#include <Judy.h>
#include <stdlib.h>
#include <string.h>

struct judy {
	Pvoid_t array; /* JudyL: key -> char * */
};

static int jd_append(void *s, uint64_t key, const char *val, size_t len)
{
	struct judy *j = s;
	PPvoid_t slot = JudyLIns(&j->array, (Word_t)key, PJE0);

	(void)len;
	if (slot == NULL || slot == PPJERR)
		return -1;
	*slot = strdup(val);
	return *slot ? 0 : -1;
}

static inline const char *jd_get(void *s, uint64_t key, size_t *len)
{
	const struct judy *j = s;
	PPvoid_t slot = JudyLGet(j->array, (Word_t)key, PJE0);
	const char *p;

	if (slot == NULL || slot == PPJERR)
		return NULL;
	p = *slot;
	*len = strlen(p);
	return p;
}

DEFINE_WORKLOADS(jd, jd_append, jd_get)

/* Judy's own ordered iteration: First, then Next. */
static uint64_t jd_scan(void *s, uint64_t n)
{
	const struct judy *j = s;
	Word_t key = 0;
	uint64_t sum = 0;

	(void)n;
	for (PPvoid_t slot = JudyLFirst(j->array, &key, PJE0); slot && slot != PPJERR;
	     slot = JudyLNext(j->array, &key, PJE0))
		sum += value_fold(*slot, strlen(*slot));
	return sum;
}

static void *jd_create(const char *dir)
{
	(void)dir;
	return calloc(1, sizeof(struct judy));
}

static void jd_destroy(void *s)
{
	struct judy *j = s;
	Word_t key = 0;

	for (PPvoid_t slot = JudyLFirst(j->array, &key, PJE0); slot && slot != PPJERR;
	     slot = JudyLNext(j->array, &key, PJE0))
		free(*slot);
	JudyLFreeArray(&j->array, PJE0);
	free(j);
}

const struct peer peer_judy = {
	.name = "JudyL + strdup",
	.create = jd_create,
	.append_all = jd_append_all,
	.gets = jd_gets,
	.chase = jd_chase,
	.scan = jd_scan,
	.destroy = jd_destroy,
};
