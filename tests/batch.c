/* SPDX-License-Identifier: MIT */
/*
 * batch.c - vmap_get_many answers as n calls of vmap_get would: keys in any
 * order and repeated, absent, removed, replaced (far), long, with NULs,
 * before the first key and past the last, on in-memory and file maps, and
 * beside a writer that keeps appending.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>

static void compare(const vmap *m, const uint64_t *keys, size_t n)
{
	const char **vals = calloc(n + 1, sizeof *vals);
	size_t *lens = calloc(n + 1, sizeof *lens), found, want = 0;

	for (size_t i = 0; i < n; i++)
		lens[i] = 77; /* must stay where there is no value */
	found = vmap_get_many(m, keys, n, vals, lens);
	for (size_t i = 0; i < n; i++) {
		size_t len = 77;
		const char *p = vmap_get(m, keys[i], &len);
		if (p != vals[i] || len != lens[i])
			fail_msg("key %" PRIu64 " (item %zu): get %p/%zu, get_many %p/%zu", keys[i], i,
				 (const void *)p, len, (const void *)vals[i], lens[i]);
		want += p != NULL;
	}
	assert_int_equal(found, want);
	/* without lengths */
	memset(vals, 0, n * sizeof *vals);
	assert_int_equal(vmap_get_many(m, keys, n, vals, NULL), want);
	for (size_t i = 0; i < n; i++)
		assert_ptr_equal(vals[i], vmap_get(m, keys[i], NULL));
	free(vals);
	free(lens);
}

static void test_get_many_matches_get(void **state)
{
	struct tu_fx *fx = *state;
	char buf[TU_VALUE_CAP + 1];
	uint64_t keys[5000] = {0};
	const char *one[1] = {NULL};
	size_t nk = sizeof keys / sizeof keys[0];

	assert_int_equal(vmap_get_many(fx->m, keys, 0, one, NULL), 0);
	for (int i = 0; i < 20000; i++)
		tu_fx_append(fx, buf, tu_value(tu_model_next(&fx->md), 0, buf));
	for (uint64_t k = fx->md.first; k < fx->md.first + 20000; k += 7) {
		if (k % 2) {
			assert_int_equal(vmap_remove(fx->m, k), 0);
			tu_model_remove(&fx->md, k);
		} else {
			size_t len = tu_value(k, 1, buf);
			assert_int_equal(vmap_replace(fx->m, k, buf, len), 0);
			tu_model_replace(&fx->md, k, buf, len);
		}
	}
	for (size_t i = 0; i < nk; i++) {
		uint64_t r = tu_below(&fx->rng, 100);
		keys[i] = r < 3 ? fx->md.first - 1 - tu_below(&fx->rng, 3)
			: r < 6 ? tu_model_next(&fx->md) + tu_below(&fx->rng, 5000)
			: r < 10 ? keys[tu_below(&fx->rng, i + 1)] /* repeats */
			: fx->md.first + tu_below(&fx->rng, fx->md.n);
	}
	compare(fx->m, keys, nk);
	for (size_t n = 0; n < 40; n++) /* every length around the pipeline's depth */
		compare(fx->m, keys + n, n);
	tu_fx_reopen(fx);
	compare(fx->m, keys, nk);
	assert_int_equal(vmap_get_many(NULL, keys, 1, one, NULL), 0);
	assert_int_equal(vmap_get_many(fx->m, NULL, 1, one, NULL), 0);
	assert_null(one[0]); /* nothing written */
	assert_int_equal(vmap_get_many(fx->m, keys, nk, NULL, NULL), 0);
}

/* Beside a writer: every key answered is one of its values, NULL only past
 * the keys appended when the batch started. */
struct writer_arg {
	vmap *m;
	uint64_t first, total;
	int done;
};

static void *append_all(void *arg)
{
	struct writer_arg *w = arg;
	char buf[TU_VALUE_CAP + 1];
	for (uint64_t k = w->first + 1; k < w->first + w->total; k++)
		if (vmap_append(w->m, k, buf, tu_value(k, 0, buf)))
			break;
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_get_many_beside_writer(void **state)
{
	struct tu_fx *fx = *state;
	struct writer_arg w = {.m = fx->m, .first = 10, .total = (uint64_t)tu_scaled(200000)};
	struct tu_rng r = {tu_case_seed("beside")};
	char buf[TU_VALUE_CAP + 1];
	uint64_t keys[256];
	const char *vals[256];
	size_t lens[256];
	pthread_t t;

	assert_int_equal(vmap_append(fx->m, w.first, buf, tu_value(w.first, 0, buf)), 0);
	assert_int_equal(pthread_create(&t, NULL, append_all, &w), 0);
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE)) {
		uint64_t next = vmap_next_key(fx->m);
		for (int i = 0; i < 256; i++)
			keys[i] = w.first + tu_below(&r, next - w.first);
		vmap_get_many(fx->m, keys, 256, vals, lens);
		for (int i = 0; i < 256; i++)
			if (!vals[i] || !tu_value_is(keys[i], 0, vals[i], lens[i]))
				fail_msg("key %" PRIu64 " below next_key %" PRIu64 ": %s", keys[i],
					 next, vals[i] ? "wrong value" : "NULL");
	}
	pthread_join(t, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_get_many_matches_get),
		TU_BOTH(test_get_many_beside_writer),
	};
	tu_seed();
	return cmocka_run_group_tests_name("batch", tests, NULL, NULL);
}
