/* SPDX-License-Identifier: MIT */
/*
 * peers_flat.c - the flat limit (flat.h) as two contenders: its get inlined
 * into the loop, and behind a call. Both share one build, so their append and
 * memory figures are the same structure measured twice.
 */
#include "flat.h"
#include "peer.h"
#include "workload.h"

#include <stdlib.h>

static int fl_append(void *s, uint64_t key, const char *val, size_t len)
{
	return flat_append(s, key, val, len);
}

static inline const char *fl_get_inline(void *s, uint64_t key, size_t *len)
{
	return flat_get_inline(s, key, len);
}

static const char *fl_get_call(void *s, uint64_t key, size_t *len)
{
	return flat_get_call(s, key, len);
}

DEFINE_WORKLOADS(inl, fl_append, fl_get_inline)
DEFINE_WORKLOADS(call, fl_append, fl_get_call)

/* A scan of a flat table walks the blob: the one pass a reader would make. */
static uint64_t fl_scan(void *s, uint64_t n)
{
	const struct flat *f = s;
	uint64_t sum = 0;

	for (uint64_t k = 0; k < n; k++) {
		size_t len = f->offsets[k + 1] - f->offsets[k] - 1;

		sum += value_fold(f->blob + f->offsets[k], len);
	}
	return sum;
}

static void *fl_create(const char *dir)
{
	(void)dir;
	return calloc(1, sizeof(struct flat));
}

static void fl_destroy(void *s)
{
	flat_free(s);
	free(s);
}

const struct peer peer_flat_inline = {
	.name = "flat (inline)",
	.flags = PEER_LARGE,
	.create = fl_create,
	.append_all = inl_append_all,
	.gets = inl_gets,
	.chase = inl_chase,
	.scan = fl_scan,
	.destroy = fl_destroy,
};

const struct peer peer_flat_call = {
	.name = "flat (call)",
	.flags = PEER_LARGE,
	.create = fl_create,
	.append_all = call_append_all,
	.gets = call_gets,
	.chase = call_chase,
	.scan = fl_scan,
	.destroy = fl_destroy,
};
