/* SPDX-License-Identifier: MIT */
/*
 * model.c - a randomized property test: long random sequences of append,
 * replace, remove, get, sync, reopen and refused calls, run against a simple
 * model (an array of malloc'd values and live flags). After every step a few
 * random keys are compared; every so often, and at the end, everything.
 * File-backed runs also keep a read-only handle open beside the writer.
 *
 *   VMAP_SEED=n        replay (the seed is printed)
 *   VMAP_TEST_SCALE=x  scale the number of steps (default 4 x 12000 per kind)
 *
 * Of the four file-backed runs, two also sync and reopen; after a reopen the
 * writer writes before anything reads, so it must map what it writes to.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <inttypes.h>

struct run {
	struct tu_fx *fx;
	vmap *reader; /* file kind: a read-only handle */
	struct tu_rng r;
	long step;
	int durable; /* this run syncs and reopens (file kind) */
	const char *op;
	char buf[(64 << 10) + 1];
};

static void random_value(struct run *u, size_t *len)
{
	struct tu_rng *r = &u->r;
	unsigned cls = (unsigned)tu_below(r, 100);

	if (cls < 5)
		*len = 0;
	else if (cls < 55)
		*len = 1 + (size_t)tu_below(r, 48);
	else if (cls < 80)
		*len = 49 + (size_t)tu_below(r, 1024 - 48);
	else if (cls < 99)
		*len = 1025 + (size_t)tu_below(r, 8192 - 1024);
	else
		*len = 8193 + (size_t)tu_below(r, (64 << 10) - 8192);
	tu_fill(r, u->buf, *len);
	if (tu_below(r, 10) < 7) {
		for (size_t i = 0; i < *len; i++)
			if (!u->buf[i])
				u->buf[i] = 'n';
	} else if (*len) {
		u->buf[tu_below(r, *len)] = '\0';
	}
}

#define STEP_FAIL(u, ...)                                                                \
	fail_msg("%s, step %ld (%s): %s", tu_fx_kind((u)->fx), (u)->step, (u)->op,       \
		 (snprintf(step_msg, sizeof step_msg, __VA_ARGS__), step_msg))

static char step_msg[512];

static void expect(struct run *u, int got, int want)
{
	if (got != want)
		STEP_FAIL(u, "returned %d (%s), expected %d (%s)", got, vmap_strerror(got), want,
			  vmap_strerror(want));
}

/* A key near the used range: sometimes outside it. */
static uint64_t some_key(struct run *u)
{
	const struct tu_model *md = &u->fx->md;
	if (!md->n)
		return tu_rand(&u->r);
	return md->first + tu_below(&u->r, md->n + 4) - 2;
}

static void compare_key(struct run *u, const vmap *m, uint64_t key)
{
	char why[256];
	if (tu_model_diff_key(m, &u->fx->md, key, why, sizeof why))
		STEP_FAIL(u, "%s%s", m == u->reader ? "reader: " : "", why);
}

static void compare_all(struct run *u)
{
	char why[256];
	if (tu_model_diff(u->fx->m, &u->fx->md, why, sizeof why))
		STEP_FAIL(u, "%s", why);
	if (u->reader && tu_model_diff(u->reader, &u->fx->md, why, sizeof why))
		STEP_FAIL(u, "reader: %s", why);
}

static void do_append(struct run *u)
{
	struct tu_model *md = &u->fx->md;
	uint64_t key = md->n ? tu_model_next(md) : tu_rand(&u->r);
	size_t len;

	u->op = "append";
	random_value(u, &len);
	if (md->spent) {
		expect(u, vmap_append(u->fx->m, key, u->buf, len), -EOVERFLOW);
		return;
	}
	expect(u, vmap_append(u->fx->m, key, u->buf, len), 0);
	tu_model_append(md, key, u->buf, len);
}

static void do_bad_append(struct run *u)
{
	struct tu_model *md = &u->fx->md;
	uint64_t next = tu_model_next(md), key;

	u->op = "append out of sequence";
	if (!md->n)
		return;
	key = tu_below(&u->r, 2) ? next + 1 + tu_below(&u->r, 1000)
				 : md->first + tu_below(&u->r, md->n);
	if (key == next) /* wrapped past the end of the key space */
		key = next + 1;
	expect(u, vmap_append(u->fx->m, key, "x", 1), md->spent ? -EOVERFLOW : VMAP_ESEQUENCE);
}

static void do_replace(struct run *u)
{
	uint64_t key = some_key(u);
	const struct tu_entry *e = tu_model_get(&u->fx->md, key);
	size_t len;

	u->op = "replace";
	random_value(u, &len);
	if (!e || !e->live) {
		expect(u, vmap_replace(u->fx->m, key, u->buf, len), -ENOENT);
		return;
	}
	expect(u, vmap_replace(u->fx->m, key, u->buf, len), 0);
	tu_model_replace(&u->fx->md, key, u->buf, len);
}

static void do_remove(struct run *u)
{
	uint64_t key = some_key(u);
	const struct tu_entry *e = tu_model_get(&u->fx->md, key);

	u->op = "remove";
	if (!e || !e->live) {
		expect(u, vmap_remove(u->fx->m, key), -ENOENT);
		return;
	}
	expect(u, vmap_remove(u->fx->m, key), 0);
	tu_model_remove(&u->fx->md, key);
}

/*
 * Replacing a key of a file that was ever synced flushes the file (the new
 * value must be durable before the key points to it): a "durable" run, one
 * that syncs and reopens, replaces less often to stay quick.
 */
static void do_step(struct run *u)
{
	unsigned op = (unsigned)tu_below(&u->r, 1000);
	unsigned replace_end = u->durable ? 470 : 560;

	if (op < 450) {
		do_append(u);
	} else if (op < replace_end) {
		do_replace(u);
	} else if (op < 640) {
		do_remove(u);
	} else if (op < 680) {
		do_bad_append(u);
	} else if (op < 685) {
		u->op = "sync";
		if (u->durable || u->fx->kind == TU_MEM)
			expect(u, vmap_sync(u->fx->m), 0);
	} else if (op < 688) {
		u->op = "reopen"; /* then write at once, before anything reads */
		if (u->durable)
			tu_fx_reopen(u->fx);
	} else if (op < 690) {
		u->op = "check";
		expect(u, vmap_check(u->fx->m), 0);
	} else {
		u->op = "get";
		compare_key(u, u->fx->m, some_key(u));
	}
	for (int i = 0; i < 3; i++)
		compare_key(u, u->fx->m, some_key(u));
	if (u->reader)
		compare_key(u, u->reader, some_key(u));
}

/* One run: a fresh map starting at a chosen key, `steps` random steps. */
static void run_one(struct tu_fx *fx, uint64_t seed, uint64_t first, long steps, int durable)
{
	struct run *u = calloc(1, sizeof *u);

	u->fx = fx;
	u->durable = durable && fx->kind == TU_FILE;
	u->r.s = seed;
	tu_fx_fresh(fx);
	assert_int_equal(vmap_append(fx->m, first, "first", 5), 0);
	tu_model_append(&fx->md, first, "first", 5);
	if (fx->kind == TU_FILE)
		assert_int_equal(vmap_open(&u->reader, fx->path, VMAP_RDONLY), 0);
	for (u->step = 0; u->step < steps; u->step++) {
		do_step(u);
		if (u->step % 2000 == 1999) {
			u->op = "full comparison";
			compare_all(u);
		}
	}
	u->op = "final comparison";
	compare_all(u);
	tu_fx_reopen(fx);
	compare_all(u);
	vmap_close(u->reader);
	free(u);
}

static void test_random_operations(void **state)
{
	struct tu_fx *fx = *state;
	long steps = tu_scaled(12000);
	uint64_t base = tu_case_seed(tu_fx_kind(fx));
	const uint64_t firsts[] = {0, tu_mix(base) >> 20, UINT64_MAX - (uint64_t)steps / 4, 1};
	double t0 = tu_now();

	for (int i = 0; i < 4; i++) {
		uint64_t seed = tu_mix(base + (uint64_t)i);
		run_one(fx, seed, firsts[i], steps, i >= 2);
	}
	print_message("%s: 4 runs of %ld steps in %.1f s\n", tu_fx_kind(fx), steps,
		      tu_now() - t0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_random_operations),
	};
	tu_seed();
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
