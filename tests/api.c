/* SPDX-License-Identifier: MIT */
/*
 * api.c - every function and every error of the contract (include/vmap.h),
 * on an in-memory and on a file-backed map.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char dummy; /* a value pointer for lengths that must be refused unread */


static void append_n(struct tu_fx *fx, int n)
{
	char buf[TU_VALUE_CAP + 1];
	for (int i = 0; i < n; i++) {
		uint64_t key = tu_model_next(&fx->md);
		size_t len = tu_value(key, 0, buf);
		tu_fx_append(fx, buf, len);
	}
}

/* Start a fresh map whose first key is `first` and append n values. */
static void fresh_from(struct tu_fx *fx, uint64_t first, int n)
{
	char buf[TU_VALUE_CAP + 1];
	size_t len = tu_value(first, 0, buf);
	tu_fx_fresh(fx);
	assert_int_equal(vmap_append(fx->m, first, buf, len), 0);
	tu_model_append(&fx->md, first, buf, len);
	append_n(fx, n - 1);
}

static void test_null_arguments(void **state)
{
	struct tu_fx *fx = *state;
	struct vmap_stat st;
	size_t len = 77;
	uint64_t key;

	append_n(fx, 5);
	key = fx->md.first + 2;
	assert_int_equal(vmap_new(NULL), -EINVAL);
	assert_int_equal(vmap_open(NULL, "/tmp/vmap-never-created", VMAP_CREATE), -EINVAL);
	assert_int_equal(access("/tmp/vmap-never-created", F_OK), -1);
	assert_int_equal(vmap_append(NULL, 0, "x", 1), -EINVAL);
	assert_int_equal(vmap_append(fx->m, tu_model_next(&fx->md), NULL, 1), -EINVAL);
	assert_int_equal(vmap_append(fx->m, tu_model_next(&fx->md), NULL, 100), -EINVAL);
	assert_int_equal(vmap_replace(NULL, key, "x", 1), -EINVAL);
	assert_int_equal(vmap_replace(fx->m, key, NULL, 3), -EINVAL);
	assert_int_equal(vmap_remove(NULL, key), -EINVAL);
	assert_int_equal(vmap_sync(NULL), -EINVAL);
	assert_null(vmap_get(NULL, key, &len));
	assert_int_equal(len, 77);
	assert_null(vmap_get(NULL, key, NULL));
	assert_int_equal(vmap_first_key(NULL), 0);
	assert_int_equal(vmap_next_key(NULL), 0);
	assert_int_equal(vmap_count(NULL), 0);
	assert_int_equal(vmap_stat(NULL, &st), -EINVAL);
	assert_int_equal(vmap_stat(fx->m, NULL), -EINVAL);
	assert_int_equal(vmap_check(NULL), -EINVAL);
	assert_int_equal(vmap_close(NULL), 0);
	tu_model_assert(fx->m, &fx->md);
}

/* NULL with length 0 is an empty value, not an error. (Last in the list: an
 * UndefinedBehaviorSanitizer build stops at a memcpy from NULL.) */
static void test_null_value_of_length_zero(void **state)
{
	struct tu_fx *fx = *state;
	uint64_t key;

	append_n(fx, 5);
	key = fx->md.first + 2;
	assert_int_equal(vmap_append(fx->m, tu_model_next(&fx->md), NULL, 0), 0);
	tu_model_append(&fx->md, tu_model_next(&fx->md), "", 0);
	assert_int_equal(vmap_replace(fx->m, key, NULL, 0), 0);
	tu_model_replace(&fx->md, key, "", 0);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_reopen(fx);
	tu_model_assert(fx->m, &fx->md);
}

static void test_vmap_open_null_path(void **state)
{
	vmap *m = NULL;
	(void)state;
	assert_int_equal(vmap_open(&m, NULL, VMAP_CREATE), -EINVAL);
	assert_int_equal(vmap_open(&m, NULL, 0), -EINVAL);
	assert_int_equal(vmap_open(&m, NULL, VMAP_RDONLY), -EINVAL);
	assert_null(m);
}

static void test_empty_map(void **state)
{
	struct tu_fx *fx = *state;
	struct vmap_stat st;
	size_t len = 99;

	assert_int_equal(vmap_first_key(fx->m), 0);
	assert_int_equal(vmap_next_key(fx->m), 0);
	assert_int_equal(vmap_count(fx->m), 0);
	assert_null(vmap_get(fx->m, 0, &len));
	assert_null(vmap_get(fx->m, 1, &len));
	assert_null(vmap_get(fx->m, UINT64_MAX, &len));
	assert_int_equal(len, 99);
	assert_int_equal(vmap_stat(fx->m, &st), 0);
	assert_int_equal(st.first_key, 0);
	assert_int_equal(st.next_key, 0);
	assert_int_equal(st.live, 0);
	assert_int_equal(st.removed, 0);
	assert_int_equal(st.value_bytes, 0);
	assert_int_equal(st.far_values, 0);
	assert_int_equal(st.file_backed, fx->kind == TU_FILE);
	assert_int_equal(st.read_only, 0);
	assert_int_equal(vmap_check(fx->m), 0);
	assert_int_equal(vmap_replace(fx->m, 0, "x", 1), -ENOENT);
	assert_int_equal(vmap_remove(fx->m, 0), -ENOENT);
	assert_int_equal(vmap_remove(fx->m, UINT64_MAX), -ENOENT);
	assert_int_equal(vmap_sync(fx->m), 0);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_reopen(fx);
	tu_model_assert(fx->m, &fx->md);
}

static void test_first_append_any_key(void **state)
{
	static const uint64_t keys[] = {0, 1, 7, (uint64_t)1 << 32, UINT64_MAX - 1000,
					UINT64_MAX - 1, UINT64_MAX};
	struct tu_fx *fx = *state;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		uint64_t k = keys[i];
		size_t len = 0;
		const char *v;

		tu_fx_fresh(fx);
		assert_int_equal(vmap_append(fx->m, k, "first", 5), 0);
		tu_model_append(&fx->md, k, "first", 5);
		assert_int_equal(vmap_first_key(fx->m), k);
		assert_int_equal(vmap_next_key(fx->m), k == UINT64_MAX ? 0 : k + 1);
		assert_int_equal(vmap_count(fx->m), 1);
		v = vmap_get(fx->m, k, &len);
		assert_non_null(v);
		assert_int_equal(len, 5);
		assert_string_equal(v, "first");
		assert_null(vmap_get(fx->m, k - 1, NULL));
		assert_null(vmap_get(fx->m, k + 1, NULL));
		if (k != UINT64_MAX) {
			assert_int_equal(vmap_append(fx->m, k + 1, "second", 6), 0);
			tu_model_append(&fx->md, k + 1, "second", 6);
		} else {
			assert_int_equal(vmap_append(fx->m, 0, "second", 6), -EOVERFLOW);
		}
		tu_model_assert(fx->m, &fx->md);
		tu_fx_reopen(fx);
		tu_model_assert(fx->m, &fx->md);
	}
}

static void test_sequence_errors(void **state)
{
	struct tu_fx *fx = *state;
	const uint64_t bad[] = {109, 100, 105, 111, 112, 99, 0, 1, UINT64_MAX, 1110};
	char big[2000];

	memset(big, 'b', sizeof big);
	fresh_from(fx, 100, 10); /* keys 100..109 */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(vmap_append(fx->m, bad[i], "v", 1), VMAP_ESEQUENCE);
		assert_int_equal(vmap_append(fx->m, bad[i], big, sizeof big), VMAP_ESEQUENCE);
		assert_int_equal(vmap_append(fx->m, bad[i], NULL, 0), VMAP_ESEQUENCE);
	}
	tu_model_assert(fx->m, &fx->md);

	/* Removing the last key does not give it back. */
	assert_int_equal(vmap_remove(fx->m, 109), 0);
	tu_model_remove(&fx->md, 109);
	assert_int_equal(vmap_next_key(fx->m), 110);
	assert_int_equal(vmap_append(fx->m, 109, "again", 5), VMAP_ESEQUENCE);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_reopen(fx);
	assert_int_equal(vmap_append(fx->m, 108, "v", 1), VMAP_ESEQUENCE);
	assert_int_equal(vmap_append(fx->m, 111, "v", 1), VMAP_ESEQUENCE);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_append(fx, "next", 4);
	tu_model_assert(fx->m, &fx->md);

	/* A map that starts at 0: 0 is "the past" once appended. */
	fresh_from(fx, 0, 2);
	assert_int_equal(vmap_append(fx->m, 0, "v", 1), VMAP_ESEQUENCE);
	assert_int_equal(vmap_append(fx->m, 1, "v", 1), VMAP_ESEQUENCE);
	assert_int_equal(vmap_append(fx->m, 3, "v", 1), VMAP_ESEQUENCE);
	tu_model_assert(fx->m, &fx->md);
}

static void test_key_space_end(void **state)
{
	struct tu_fx *fx = *state;
	const uint64_t tries[] = {0, 1, UINT64_MAX, UINT64_MAX - 2, UINT64_MAX - 3, 12345};

	fresh_from(fx, UINT64_MAX - 2, 3);
	assert_int_equal(vmap_next_key(fx->m), 0);
	assert_int_equal(vmap_first_key(fx->m), UINT64_MAX - 2);
	assert_int_equal(vmap_count(fx->m), 3);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
			assert_int_equal(vmap_append(fx->m, tries[i], "v", 1), -EOVERFLOW);
			assert_int_equal(vmap_append(fx->m, tries[i], NULL, 0), -EOVERFLOW);
		}
		tu_model_assert(fx->m, &fx->md);
		tu_fx_reopen(fx);
	}
	/* Replace and remove still work at the end of the key space. */
	assert_int_equal(vmap_replace(fx->m, UINT64_MAX, "last", 4), 0);
	tu_model_replace(&fx->md, UINT64_MAX, "last", 4);
	assert_int_equal(vmap_remove(fx->m, UINT64_MAX - 1), 0);
	tu_model_remove(&fx->md, UINT64_MAX - 1);
	assert_int_equal(vmap_append(fx->m, 0, "v", 1), -EOVERFLOW);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_reopen(fx);
	tu_model_assert(fx->m, &fx->md);
}

static void test_value_too_long(void **state)
{
	struct tu_fx *fx = *state;
	uint64_t live;

	/* On an empty map, a refused first append must not fix the first key. */
	assert_int_equal(vmap_append(fx->m, 5, &dummy, VMAP_VALUE_MAX + 1), -EMSGSIZE);
	assert_int_equal(vmap_append(fx->m, 5, &dummy, SIZE_MAX), -EMSGSIZE);
	tu_model_assert(fx->m, &fx->md);
	fresh_from(fx, 7, 4);
	live = fx->md.first + 1;
	assert_int_equal(vmap_append(fx->m, tu_model_next(&fx->md), &dummy, VMAP_VALUE_MAX + 1),
			 -EMSGSIZE);
	assert_int_equal(vmap_append(fx->m, tu_model_next(&fx->md), &dummy, SIZE_MAX), -EMSGSIZE);
	assert_int_equal(vmap_replace(fx->m, live, &dummy, VMAP_VALUE_MAX + 1), -EMSGSIZE);
	assert_int_equal(vmap_replace(fx->m, live, &dummy, SIZE_MAX), -EMSGSIZE);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_reopen(fx);
	tu_model_assert(fx->m, &fx->md);
}

static void test_nul_and_empty_values(void **state)
{
	static const struct {
		const char *v;
		size_t len;
	} vals[] = {
		{"a\0b\0c", 5}, {"\0", 1}, {"\0\0\0", 3}, {"", 0}, {"", 0},
		{"plain", 5}, {"abc\0", 4}, {"\0abc", 4}, {"x", 1},
	};
	struct tu_fx *fx = *state;
	uint64_t first;

	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		uint64_t key = tu_model_next(&fx->md);
		assert_int_equal(vmap_append(fx->m, key, vals[i].v, vals[i].len), 0);
		tu_model_append(&fx->md, key, vals[i].v ? vals[i].v : "", vals[i].len);
	}
	first = fx->md.first;
	for (uint64_t k = first + 3; k <= first + 4; k++) {
		size_t len = 42;
		const char *p = vmap_get(fx->m, k, &len);
		assert_non_null(p); /* empty is a value, not a hole */
		assert_int_equal(len, 0);
		assert_int_equal(p[0], '\0');
	}
	tu_model_assert(fx->m, &fx->md);
	/* inline <-> NUL-holding, in both directions */
	assert_int_equal(vmap_replace(fx->m, first + 5, "p\0q", 3), 0);
	tu_model_replace(&fx->md, first + 5, "p\0q", 3);
	assert_int_equal(vmap_replace(fx->m, first, "now plain", 9), 0);
	tu_model_replace(&fx->md, first, "now plain", 9);
	assert_int_equal(vmap_replace(fx->m, first + 1, "", 0), 0);
	tu_model_replace(&fx->md, first + 1, "", 0);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_reopen(fx);
	tu_model_assert(fx->m, &fx->md);
}

static char *pattern(size_t len, int with_nuls, unsigned seed)
{
	char *p = malloc(len + 1);
	assert_non_null(p);
	for (size_t i = 0; i < len; i++) {
		p[i] = (char)((i * 131 + seed * 7 + (i >> 12)) & 0xff);
		if (!with_nuls && !p[i])
			p[i] = 'z';
	}
	if (with_nuls && len > 2)
		p[len / 2] = '\0';
	p[len] = '\0';
	return p;
}

static void test_value_sizes(void **state)
{
	static const size_t sizes[] = {1,     1023,  1024,  1025,  4095,     4096,
				       4097,  65535, 65536, 65537, 1u << 20, 5u << 20};
	struct tu_fx *fx = *state;
	uint64_t first;

	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (int nuls = 0; nuls < 2; nuls++) {
			char *p = pattern(sizes[i], nuls, (unsigned)i);
			tu_fx_append(fx, p, sizes[i]);
			free(p);
			tu_fx_append(fx, "small one between", 17);
		}
	}
	tu_model_assert(fx->m, &fx->md);
	first = fx->md.first;
	{
		char *big = pattern(5u << 20, 0, 99);
		assert_int_equal(vmap_replace(fx->m, first + 1, big, 5u << 20), 0);
		tu_model_replace(&fx->md, first + 1, big, 5u << 20);
		free(big);
	}
	assert_int_equal(vmap_replace(fx->m, fx->md.n - 4 + first, "tiny", 4), 0);
	tu_model_replace(&fx->md, fx->md.n - 4 + first, "tiny", 4);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_reopen(fx);
	tu_model_assert(fx->m, &fx->md);
}

/* A value of exactly VMAP_VALUE_MAX bytes, in memory (1 GiB of RAM). */
static void test_value_max(void **state)
{
	size_t max = VMAP_VALUE_MAX, len = 0;
	struct vmap_stat st;
	const char *p;
	char *buf;
	vmap *m;
	int err;

	(void)state;
	if (sizeof(void *) < 8) {
		print_message("skipped: a 1 GiB value, its copy and its mappings need more "
			      "address space than a 32-bit process has\n");
		skip();
		return;
	}
#ifdef UNDER_TSAN
	print_message("skipped: 1 GiB through ThreadSanitizer takes minutes\n");
	skip();
	return;
#endif
	if (tu_scale() < 0.1) { /* the valgrind stage: 1 GiB would take minutes */
		print_message("skipped at VMAP_TEST_SCALE < 0.1\n");
		skip();
		return;
	}
	buf = mmap(NULL, max, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		   -1, 0);
	if (buf == MAP_FAILED) {
		print_message("skipped: cannot map a 1 GiB source buffer (%s)\n", strerror(errno));
		skip();
	}
	/* Untouched pages read as zeros; mark a few places. */
	for (size_t at = 0; at + 6 <= max; at += max / 7)
		memcpy(buf + at, "marker", 6);
	buf[max - 1] = 'E';
	assert_int_equal(vmap_new(&m), 0);
	err = vmap_append(m, 0, buf, max);
	if (err == -ENOMEM) {
		vmap_close(m);
		munmap(buf, max);
		print_message("skipped: no memory for a 1 GiB value\n");
		skip();
	}
	assert_int_equal(err, 0);
	p = vmap_get(m, 0, &len);
	assert_non_null(p);
	assert_int_equal(len, max);
	assert_true(memcmp(p, buf, max) == 0);
	assert_int_equal(p[max], '\0');
	assert_int_equal(vmap_append(m, 1, "after", 5), 0);
	assert_string_equal(vmap_get(m, 1, NULL), "after");
	assert_int_equal(vmap_stat(m, &st), 0);
	assert_int_equal(st.value_bytes, (uint64_t)max + 5);
	assert_int_equal(st.live, 2);
	assert_int_equal(vmap_check(m), 0);
	assert_int_equal(vmap_append(m, 2, buf, max + 1), -EMSGSIZE);
	assert_int_equal(vmap_remove(m, 0), 0);
	assert_int_equal(vmap_check(m), 0);
	vmap_close(m);
	munmap(buf, max);
}

static void test_replace_remove_not_live(void **state)
{
	struct tu_fx *fx = *state;
	const uint64_t never[] = {9, 20, 21, 0, UINT64_MAX, 1000};
	size_t len = 1234;

	fresh_from(fx, 10, 10); /* keys 10..19 */
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
		assert_int_equal(vmap_replace(fx->m, never[i], "x", 1), -ENOENT);
		assert_int_equal(vmap_remove(fx->m, never[i]), -ENOENT);
	}
	tu_model_assert(fx->m, &fx->md);
	assert_int_equal(vmap_remove(fx->m, 15), 0);
	tu_model_remove(&fx->md, 15);
	assert_int_equal(vmap_remove(fx->m, 15), -ENOENT);
	assert_int_equal(vmap_replace(fx->m, 15, "x", 1), -ENOENT);
	assert_null(vmap_get(fx->m, 15, &len));
	assert_int_equal(len, 1234);
	assert_int_equal(vmap_next_key(fx->m), 20);
	assert_int_equal(vmap_count(fx->m), 9);
	tu_model_assert(fx->m, &fx->md);
	tu_fx_reopen(fx);
	assert_int_equal(vmap_remove(fx->m, 15), -ENOENT);
	assert_int_equal(vmap_replace(fx->m, 15, "x", 1), -ENOENT);
	tu_model_assert(fx->m, &fx->md);
}

struct held {
	const char *p;
	char *copy;
	size_t len;
};

static void hold(struct tu_fx *fx, struct held *h, uint64_t key)
{
	h->p = vmap_get(fx->m, key, &h->len);
	assert_non_null(h->p);
	h->copy = malloc(h->len + 1);
	assert_non_null(h->copy);
	memcpy(h->copy, h->p, h->len + 1);
}

static void test_pointer_stability(void **state)
{
	struct tu_fx *fx = *state;
	struct held h[8];
	char far[3000], buf[TU_VALUE_CAP + 1];
	uint64_t k;
	int n = 0;

	memset(far, 'f', sizeof far);
	tu_fx_append(fx, "hello", 5);
	tu_fx_append(fx, far, sizeof far);
	tu_fx_append(fx, "with\0nul", 8);
	tu_fx_append(fx, "", 0);
	k = fx->md.first;
	for (int i = 0; i < 4; i++)
		hold(fx, &h[n++], k + (uint64_t)i);
	assert_int_equal(vmap_replace(fx->m, k, "replaced once", 13), 0);
	hold(fx, &h[n++], k);
	assert_int_equal(vmap_replace(fx->m, k, "replaced twice", 14), 0);
	assert_int_equal(vmap_remove(fx->m, k + 1), 0);
	assert_int_equal(vmap_replace(fx->m, k + 2, far, 2000), 0);
	hold(fx, &h[n++], k + 2);
	assert_int_equal(vmap_remove(fx->m, k + 2), 0);
	assert_int_equal(vmap_remove(fx->m, k + 3), 0);
	for (uint64_t key = k + 4; key < k + 4 + 200000; key++) {
		size_t len = tu_value(key, 0, buf);
		assert_int_equal(vmap_append(fx->m, key, buf, len), 0);
		if (key == k + 100000)
			hold(fx, &h[n++], key);
	}
	for (int i = 0; i < n; i++) {
		assert_true(memcmp(h[i].p, h[i].copy, h[i].len + 1) == 0);
		free(h[i].copy);
	}
	assert_int_equal(vmap_check(fx->m), 0);
}

static void test_stat_fields(void **state)
{
	struct tu_fx *fx = *state;
	struct vmap_stat st;
	struct stat fst;
	char buf[TU_VALUE_CAP + 1];
	uint64_t first;

	assert_int_equal(vmap_stat(fx->m, &st), 0);
	assert_int_equal(st.file_backed, fx->kind == TU_FILE);
	assert_int_equal(st.read_only, 0);
	assert_int_equal(st.format_version, 2);
	assert_int_equal(st.page_size, (uint32_t)tu_page_size());
	append_n(fx, 3000);
	first = fx->md.first;
	for (uint64_t i = 0; i < 3000; i += 97) {
		size_t len = tu_value(first + i, 1, buf);
		assert_int_equal(vmap_replace(fx->m, first + i, buf, len), 0);
		tu_model_replace(&fx->md, first + i, buf, len);
	}
	for (uint64_t i = 5; i < 3000; i += 53) {
		assert_int_equal(vmap_remove(fx->m, first + i), 0);
		tu_model_remove(&fx->md, first + i);
	}
	tu_model_assert(fx->m, &fx->md); /* live, removed, value_bytes exact */
	assert_int_equal(vmap_stat(fx->m, &st), 0);
	assert_int_equal(st.live, vmap_count(fx->m));
	assert_int_equal(st.live + st.removed, 3000);
	assert_true(st.far_values >= 31); /* at least the replacements */
	assert_true(st.used_bytes >= st.value_bytes);
	assert_true(st.total_bytes >= st.used_bytes);
	if (fx->kind == TU_FILE) {
		assert_int_equal(stat(fx->path, &fst), 0);
		assert_int_equal(st.total_bytes, (uint64_t)fst.st_size);
	}
	tu_fx_reopen(fx);
	tu_model_assert(fx->m, &fx->md);
}

static void test_check_healthy(void **state)
{
	struct tu_fx *fx = *state;
	char buf[TU_VALUE_CAP + 1];

	assert_int_equal(vmap_check(fx->m), 0);
	tu_fx_append(fx, "one", 3);
	assert_int_equal(vmap_check(fx->m), 0);
	append_n(fx, 5000);
	for (uint64_t k = fx->md.first; k < tu_model_next(&fx->md); k += 7) {
		size_t len = tu_value(k, 3, buf);
		assert_int_equal(vmap_replace(fx->m, k, buf, len), 0);
		tu_model_replace(&fx->md, k, buf, len);
		if (k % 3 == 0) {
			assert_int_equal(vmap_remove(fx->m, k), 0);
			tu_model_remove(&fx->md, k);
		}
	}
	assert_int_equal(vmap_check(fx->m), 0);
	tu_model_assert(fx->m, &fx->md);
	assert_int_equal(vmap_sync(fx->m), 0);
	tu_fx_reopen(fx);
	assert_int_equal(vmap_check(fx->m), 0);
	if (fx->kind == TU_FILE) {
		vmap *r;
		assert_int_equal(vmap_open(&r, fx->path, VMAP_RDONLY), 0);
		assert_int_equal(vmap_check(r), 0);
		tu_model_assert(r, &fx->md);
		vmap_close(r);
	}
}

static void test_strerror(void **state)
{
	enum { NCODES = 5 + 134 };
	const char *unknown = vmap_strerror(INT_MAX);
	const char *s[NCODES];
	int codes[NCODES], n = 0;
	const int odd[] = {1, 5, 4096, -4095, -4100, -4200, -5000, INT_MIN, INT_MAX, -200};

	(void)state;
	codes[n++] = 0;
	codes[n++] = VMAP_ESEQUENCE;
	codes[n++] = VMAP_ECORRUPT;
	codes[n++] = VMAP_EVERSION;
	codes[n++] = VMAP_ENOTFILE;
	for (int e = 1; e <= 133; e++) {
		if (!strerrordesc_np(e) || e == EWOULDBLOCK || e == EDEADLOCK || e == EOPNOTSUPP)
			continue; /* unassigned, or an alias of another number */
		codes[n++] = -e;
	}
	assert_non_null(unknown);
	assert_true(*unknown);
	for (int i = 0; i < n; i++) {
		s[i] = vmap_strerror(codes[i]);
		assert_non_null(s[i]);
		if (!*s[i] || strcmp(s[i], unknown) == 0)
			fail_msg("code %d has no sentence of its own: \"%s\"", codes[i], s[i]);
		for (int j = 0; j < i; j++)
			if (strcmp(s[i], s[j]) == 0)
				fail_msg("codes %d and %d share \"%s\"", codes[j], codes[i], s[i]);
	}
	for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
		const char *t = vmap_strerror(odd[i]);
		assert_non_null(t);
		assert_true(*t);
		for (int j = 0; j < n; j++)
			if (strcmp(t, s[j]) == 0)
				fail_msg("unknown code %d reads like code %d: \"%s\"", odd[i],
					 codes[j], t);
	}
}

/* The library's own codes never collide with errno: known when it compiles. */
_Static_assert(VMAP_ESEQUENCE < -4095 && VMAP_ECORRUPT < -4095 && VMAP_EVERSION < -4095 &&
		       VMAP_ENOTFILE < -4095,
	       "vmap's own error codes lie below every negated errno");

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_null_arguments),
		TU_ONE(test_vmap_open_null_path),
		TU_BOTH(test_empty_map),
		TU_BOTH(test_first_append_any_key),
		TU_BOTH(test_sequence_errors),
		TU_BOTH(test_key_space_end),
		TU_BOTH(test_value_too_long),
		TU_BOTH(test_nul_and_empty_values),
		TU_BOTH(test_value_sizes),
		TU_ONE(test_value_max),
		TU_BOTH(test_replace_remove_not_live),
		TU_BOTH(test_pointer_stability),
		TU_BOTH(test_stat_fields),
		TU_BOTH(test_check_healthy),
		TU_ONE(test_strerror),
		TU_BOTH(test_null_value_of_length_zero),
	};
	tu_seed();
	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
