/* SPDX-License-Identifier: MIT */
/*
 * large.c - values from 0 bytes to 64 MiB (and near 1 GiB where memory
 * allows), mixed in every order, on maps of every size: nothing is ever
 * written outside a mapping, every value reads back, a value of N bytes
 * costs at most N * 1.05 + 2 MiB of file or memory, and a file of format
 * version 1 stays readable by version 1 readers.
 *
 * Values are not kept in memory: each derives from (key, length, seed), so
 * a 64 MiB value is checked by generating it again.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#define MIB ((size_t)1 << 20)

/* ---- deterministic large values ---------------------------------------------- */

static void make_value(char *buf, uint64_t key, size_t len, uint64_t seed)
{
	uint64_t x = tu_mix(key ^ seed ^ len);
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		memcpy(buf + i, &x, 8);
	}
	for (; i < len; i++)
		buf[i] = (char)(x >> (8 * (i % 8)));
}

struct big_entry {
	size_t len;
	uint64_t seed;
	int live;
};

struct big_model {
	uint64_t first, n;
	struct big_entry *e;
	char *scratch; /* room for the largest value */
	size_t scratch_len;
};

static void scratch_for(struct big_model *bm, size_t len)
{
	if (len + 1 <= bm->scratch_len)
		return;
	free(bm->scratch);
	bm->scratch_len = len + 1;
	bm->scratch = malloc(bm->scratch_len);
	assert_non_null(bm->scratch);
}

static void big_append(vmap *m, struct big_model *bm, size_t len, uint64_t seed)
{
	uint64_t key = bm->first + bm->n;
	int err;

	scratch_for(bm, len);
	make_value(bm->scratch, key, len, seed);
	err = vmap_append(m, key, bm->scratch, len);
	if (err)
		fail_msg("append of key %" PRIu64 ", %zu bytes: %d (%s)", key, len, err,
			 vmap_strerror(err));
	bm->e = realloc(bm->e, (size_t)(bm->n + 1) * sizeof *bm->e);
	bm->e[bm->n].len = len;
	bm->e[bm->n].seed = seed;
	bm->e[bm->n].live = 1;
	bm->n++;
}

static void big_replace(vmap *m, struct big_model *bm, uint64_t i, size_t len, uint64_t seed)
{
	scratch_for(bm, len);
	make_value(bm->scratch, bm->first + i, len, seed);
	assert_int_equal(vmap_replace(m, bm->first + i, bm->scratch, len), 0);
	bm->e[i].len = len;
	bm->e[i].seed = seed;
}

static void big_verify(const vmap *m, struct big_model *bm)
{
	uint64_t bytes = 0, live = 0;
	struct vmap_stat st;

	for (uint64_t i = 0; i < bm->n; i++) {
		size_t len = 0;
		const char *p = vmap_get(m, bm->first + i, &len);
		if (!bm->e[i].live) {
			if (p)
				fail_msg("key %" PRIu64 " was removed but has a value", bm->first + i);
			continue;
		}
		if (!p || len != bm->e[i].len)
			fail_msg("key %" PRIu64 ": %s, expected %zu bytes", bm->first + i,
				 p ? "wrong length" : "NULL", bm->e[i].len);
		scratch_for(bm, len);
		make_value(bm->scratch, bm->first + i, len, bm->e[i].seed);
		if (memcmp(p, bm->scratch, len) || p[len])
			fail_msg("key %" PRIu64 ": %zu bytes differ from what was stored",
				 bm->first + i, len);
		bytes += len;
		live++;
	}
	assert_int_equal(vmap_stat(m, &st), 0);
	assert_int_equal(st.value_bytes, bytes);
	assert_int_equal(st.live, live);
	assert_int_equal(vmap_check(m), 0);
}

static void big_free(struct big_model *bm)
{
	free(bm->e);
	free(bm->scratch);
	memset(bm, 0, sizeof *bm);
}

/* ---- the tests ------------------------------------------------------------------ */

/* The reproduction: two 3 MiB values on a new map. */
static void test_two_3mib_values(void **state)
{
	struct tu_fx *fx = *state;
	struct big_model bm = {.first = 1};

	big_append(fx->m, &bm, 3 * MIB, 1);
	big_append(fx->m, &bm, 3 * MIB, 2);
	big_append(fx->m, &bm, 3 * MIB, 3);
	big_verify(fx->m, &bm);
	tu_fx_reopen(fx);
	big_verify(fx->m, &bm);
	big_free(&bm);
}

/* A length from 0 bytes to max, most often small, sometimes huge. */
static size_t random_length(struct tu_rng *r, size_t max)
{
	static const size_t tops[] = {1, 254, 1025, 64 << 10, 1 << 20, 8 << 20, 64 << 20};
	unsigned pick = (unsigned)tu_below(r, 100);
	size_t top = tops[pick < 30 ? 1 : pick < 50 ? 2 : pick < 70 ? 3 : pick < 85 ? 4 :
			  pick < 97 ? 5 : 6];
	if (pick < 5)
		top = tops[0];
	if (top > max)
		top = max;
	return (size_t)tu_below(r, top + 1);
}

/*
 * Random runs of appends, replaces and removes with lengths from 0 to 64 MiB,
 * each run starting from a map already holding `lead` small entries, so
 * that large values land at every distance from an extent boundary.
 */
static void test_mixed_sizes(void **state)
{
	struct tu_fx *fx = *state;
	struct tu_rng r = {tu_case_seed(tu_fx_kind(fx))};
	const uint64_t leads[] = {0, 1, 1000, 5000, 30000};
	uint64_t budget = (uint64_t)tu_scaled(160) * MIB; /* value bytes per run */
	size_t max = tu_scale() < 0.5 ? 16 * MIB : 64 * MIB;

	for (size_t l = 0; l < sizeof leads / sizeof leads[0]; l++) {
		struct big_model bm = {.first = 10 + l};
		uint64_t spent = 0;
		tu_fx_fresh(fx);
		for (uint64_t i = 0; i < leads[l]; i++)
			big_append(fx->m, &bm, (size_t)tu_below(&r, 60), i);
		while (spent < budget) {
			unsigned what = (unsigned)tu_below(&r, 10);
			size_t len = random_length(&r, max);
			uint64_t i = tu_below(&r, bm.n ? bm.n : 1);
			if (what < 7 || !bm.n) {
				big_append(fx->m, &bm, len, tu_rand(&r));
			} else if (what < 9 && bm.e[i].live) {
				big_replace(fx->m, &bm, i, len, tu_rand(&r));
			} else if (bm.e[i].live) {
				assert_int_equal(vmap_remove(fx->m, bm.first + i), 0);
				bm.e[i].live = 0;
			}
			spent += len;
		}
		big_verify(fx->m, &bm);
		tu_fx_reopen(fx);
		big_verify(fx->m, &bm);
		big_free(&bm);
	}
}

/* Large values right across each extent boundary from 1 MiB to 64 MiB. */
static void test_across_every_boundary(void **state)
{
	struct tu_fx *fx = *state;
	struct big_model bm = {.first = 77};

	for (unsigned k = 1; k <= 7; k++) {
		uint64_t boundary = extent_start(k);
		/* fill up to a little before the boundary, then cross it */
		while (LOAD(&fx->m->hdr->live.bump) + 200 * 1024 < boundary)
			big_append(fx->m, &bm, 100 * 1024, bm.n);
		big_append(fx->m, &bm, 1 * MIB + 3, bm.n);
	}
	big_verify(fx->m, &bm);
	tu_fx_reopen(fx);
	big_verify(fx->m, &bm);
	big_free(&bm);
}

/* A value of N bytes costs at most N * 1.05 + 2 MiB, in memory and on disk. */
static void one_cost(struct tu_fx *fx, size_t len)
{
	struct big_model bm = {.first = 0};
	struct vmap_stat st;
	uint64_t limit = (uint64_t)((double)len * 1.05) + 2 * MIB;
	struct stat fst;

	tu_fx_fresh(fx);
	big_append(fx->m, &bm, len, 42);
	assert_int_equal(vmap_stat(fx->m, &st), 0);
	if (st.used_bytes > limit)
		fail_msg("%s: a %zu-byte value uses %" PRIu64 " bytes (limit %" PRIu64 ")",
			 tu_fx_kind(fx), len, st.used_bytes, limit);
	if (fx->kind == TU_MEM && st.total_bytes > limit)
		fail_msg("in memory: a %zu-byte value takes %" PRIu64 " bytes", len,
			 st.total_bytes);
	if (fx->kind == TU_FILE) {
		tu_fx_reopen(fx); /* close gives back the space reserved ahead */
		assert_int_equal(stat(fx->path, &fst), 0);
		if ((uint64_t)fst.st_size > limit)
			fail_msg("on disk: a %zu-byte value makes a %lld-byte file (limit %" PRIu64
				 ")",
				 len, (long long)fst.st_size, limit);
	}
	big_verify(fx->m, &bm);
	big_free(&bm);
}

static void test_large_value_cost(void **state)
{
	struct tu_fx *fx = *state;
	one_cost(fx, 10 * MIB);
	one_cost(fx, 3 * MIB);
	if (tu_scale() >= 0.5)
		one_cost(fx, 100 * MIB);
}

/* Values near VMAP_VALUE_MAX where the machine has the memory for them. */
static void test_near_max_values(void **state)
{
	struct big_model bm = {.first = 5};
	struct sysinfo si;
	vmap *m;

#ifdef UNDER_TSAN
	print_message("skipped: 1 GiB through ThreadSanitizer takes minutes\n");
	skip();
	return;
#endif
	if (sizeof(void *) < 8) {
		print_message("skipped: values of 1 GiB need more address space than a 32-bit "
			      "process has (there appends give -ENOMEM: tested by "
			      "test_address_space_runs_out)\n");
		skip();
		return;
	}
	if (tu_scale() < 0.25 || sysinfo(&si) ||
	    (uint64_t)si.freeram * si.mem_unit < (uint64_t)6 << 30) {
		print_message("skipped: needs VMAP_TEST_SCALE >= 0.25 and 6 GiB free\n");
		skip();
		return;
	}
	(void)state;
	assert_int_equal(vmap_new(&m), 0);
	big_append(m, &bm, 12345, 1);
	big_append(m, &bm, VMAP_VALUE_MAX - 1, 2);
	big_append(m, &bm, 7, 3);
	big_append(m, &bm, VMAP_VALUE_MAX, 4);
	big_verify(m, &bm);
	vmap_close(m);
	big_free(&bm);
}

/* Version 1 stores an inline value's length itself, version 2 the length
 * plus one: rewrite the inline slots as a 1.0 writer would have written
 * them (254 bytes: long in version 2, 254 in version 1). */
static void to_version_1_slots(vmap *m)
{
	for (uint64_t i = 0; i < vmap_next_key(m) - vmap_first_key(m); i++) {
		const struct vmap_dir_entry *d;
		struct value_ref v;
		uint32_t *slot;
		assert_int_equal(vmi_slot_find(m, i, &d, &slot), 0);
		if (LOAD(slot) & SLOT_FAR)
			continue;
		assert_int_equal(vmi_value_find(m, d, LOAD(slot), &v), 0);
		STORE(slot, slot_inline(slot_off(LOAD(slot)), v.len, 0));
	}
}

/*
 * A file of format version 1 stays at version 1 when a newer writer adds to
 * it: values are placed where version 1 readers can read them, inside one
 * extent each.
 */
static void test_version_1_file_stays_readable(void **state)
{
	struct tu_fx *fx = *state;
	struct big_model bm = {.first = 3};
	struct vmap_stat st;
	vmap *m;

	if (fx->kind != TU_FILE) {
		skip();
		return;
	}
	big_append(fx->m, &bm, 10, 1);
	big_append(fx->m, &bm, 254, 9); /* long in version 2, short in version 1 */
	to_version_1_slots(fx->m);
	vmap_close(fx->m);
	fx->m = NULL;
	{ /* make it a version 1 file, as a 1.0 writer would have left it */
		char *bytes;
		size_t len;
		uint32_t one = 1, crc;
		assert_int_equal(tu_read_file(fx->path, &bytes, &len), 0);
		one = LE(one); /* stored little-endian */
		memcpy(bytes + 8, &one, 4);
		crc = LE(vmi_crc32c(0, bytes, 60));
		memcpy(bytes + 60, &crc, 4);
		assert_int_equal(tu_write_file(fx->path, bytes, len), 0);
		free(bytes);
	}
	assert_int_equal(vmap_open(&fx->m, fx->path, 0), 0);
	big_append(fx->m, &bm, 3 * MIB, 2);
	big_append(fx->m, &bm, 3 * MIB, 3);
	big_append(fx->m, &bm, 5 * MIB, 4);
	big_verify(fx->m, &bm);
	assert_int_equal(vmap_stat(fx->m, &st), 0);
	assert_int_equal(st.format_version, 1);
	for (uint64_t i = 0; i < bm.n; i++) {
		const struct vmap_dir_entry *d;
		struct value_ref v;
		uint32_t *slot;
		assert_int_equal(vmi_slot_find(fx->m, i, &d, &slot), 0);
		assert_int_equal(vmi_value_find(fx->m, d, LOAD(slot), &v), 0);
		if (extent_of(v.pos) != extent_of(v.pos + v.len))
			fail_msg("key %" PRIu64 " crosses an extent boundary in a version 1 file",
				 bm.first + i);
	}
	assert_int_equal(vmap_open(&m, fx->path, VMAP_RDONLY), 0);
	big_verify(m, &bm);
	vmap_close(m);
	big_free(&bm);
}

/*
 * A 32-bit process runs out of address space long before a map runs out of
 * room: appends must then fail with -ENOMEM and change nothing, never
 * crash or wrap a size. (On 64-bit hosts this test has nothing to show.)
 */
static void test_address_space_runs_out(void **state)
{
	struct big_model bm = {.first = 1};
	size_t len = 256 * MIB;
	int err = 0;
	vmap *m;

	(void)state;
	if (sizeof(void *) >= 8) {
		print_message("skipped: a 64-bit address space does not run out here\n");
		skip();
		return;
	}
	assert_int_equal(vmap_new(&m), 0);
	scratch_for(&bm, len);
	memset(bm.scratch, 'q', len);
	for (int i = 0; i < 64 && !err; i++) {
		err = vmap_append(m, bm.first + bm.n, bm.scratch, len);
		if (!err) {
			bm.e = realloc(bm.e, (size_t)(bm.n + 1) * sizeof *bm.e);
			bm.e[bm.n].len = len;
			bm.e[bm.n].live = 1;
			bm.n++;
		}
	}
	assert_int_equal(err, -ENOMEM);
	assert_non_null(strstr(vmap_strerror(err), "address space"));
	assert_int_equal(vmap_next_key(m), bm.first + bm.n);
	assert_int_equal(vmap_append(m, bm.first + bm.n, "small", 5), 0);
	assert_string_equal(vmap_get(m, bm.first + bm.n, NULL), "small");
	print_message("%" PRIu64 " values of 256 MiB, then -ENOMEM\n", bm.n);
	vmap_close(m);
	big_free(&bm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_ONE(test_address_space_runs_out),
		TU_BOTH(test_two_3mib_values),
		TU_BOTH(test_across_every_boundary),
		TU_BOTH(test_mixed_sizes),
		TU_BOTH(test_large_value_cost),
		TU_BOTH(test_version_1_file_stays_readable),
		TU_ONE(test_near_max_values),
	};
	tu_seed();
	return cmocka_run_group_tests_name("large", tests, NULL, NULL);
}
