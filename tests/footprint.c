/* SPDX-License-Identifier: MIT */
/*
 * footprint.c - what a file costs: bytes per entry beyond the values, and
 * the work of opening a file, which must not grow with its entries.
 */
#define _GNU_SOURCE
#include "filefx.h"
#include "sys.h" /* system call counts */

#include <sys/stat.h>

static void bytes_per_entry(const char *path, size_t mean)
{
	const uint64_t n = (uint64_t)tu_scaled(1000000);
	double per_entry, budget;
	struct stat st;
	char buf[1024];
	uint64_t value_bytes = 0;
	vmap *m;

	unlink(path);
	m = open_ok(path, VMAP_CREATE);
	memset(buf, 'v', sizeof buf);
	for (uint64_t k = 0; k < n; k++) {
		size_t len = mean / 2 + (size_t)(tu_mix(k) % (mean + 1)); /* mean +- mean/2 */
		assert_int_equal(vmap_append(m, k, buf, len), 0);
		value_bytes += len;
	}
	vmap_close(m);
	assert_int_equal(stat(path, &st), 0);
	per_entry = (double)((uint64_t)st.st_size - value_bytes) / (double)n;
	print_message("file bytes per entry beyond the value bytes at mean length %zu: %.2f "
		      "(%" PRIu64 " entries, file %lld bytes)\n",
		      mean, per_entry, n, (long long)st.st_size);
	/* a slot and a NUL are 5; the tables and the gaps add a little (the
	 * design's budget: docs/DESIGN.md, "Memory per entry"); the header and
	 * the unused tail of the last slot run are fixed, up to 512 KiB */
	budget = 5.5 + 524288.0 / (double)n;
	if (per_entry > budget)
		fail_msg("%.2f bytes per entry beyond the values at mean length %zu: more than %.2f",
			 per_entry, mean, budget);
}

static void test_file_bytes_per_entry(void **state)
{
	struct dirfx *d = *state;
	bytes_per_entry(d->path, 16);
	bytes_per_entry(d->path, 48);
	bytes_per_entry(d->path, 256);
}

/* The system calls an open and a get of the last key make. */
static long open_calls(const char *path, uint64_t last)
{
	vmap *m;
	long calls;

	vmi_sys_reset();
	m = open_ok(path, VMAP_RDONLY);
	assert_non_null(vmap_get(m, last, NULL));
	calls = vmi_sys_count(-1);
	vmap_close(m);
	return calls;
}

/*
 * Opening costs O(1) in the number of entries: an open and a get of the
 * last key of a map of a million entries make no more system calls (and so
 * read no more of the file) than for a thousand, but for the one extra
 * extent that the larger file's last key lies in.
 */
static void test_open_is_constant_work(void **state)
{
	struct dirfx *d = *state;
	const uint64_t big = 1000000, small = 1000;
	char *small_path = tu_join(d->dir, "small.vmap");
	long big_calls, small_calls;
	vmap *m;

	m = open_ok(d->path, VMAP_CREATE);
	for (uint64_t k = 0; k < big; k++)
		assert_int_equal(vmap_append(m, k, "12345678", 8), 0);
	vmap_close(m);
	m = open_ok(small_path, VMAP_CREATE);
	for (uint64_t k = 0; k < small; k++)
		assert_int_equal(vmap_append(m, k, "12345678", 8), 0);
	vmap_close(m);
	big_calls = open_calls(d->path, big - 1);
	small_calls = open_calls(small_path, small - 1);
	print_message("open + get of the last key: %ld system calls for %" PRIu64
		      " entries, %ld for %" PRIu64 "\n",
		      big_calls, big, small_calls, small);
	if (big_calls > small_calls + 2)
		fail_msg("opening %" PRIu64 " entries made %ld system calls, %" PRIu64
			 " entries %ld: open is not O(1)",
			 big, big_calls, small, small_calls);
	free(small_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_DIR(test_file_bytes_per_entry),
		IN_DIR(test_open_is_constant_work),
	};
	tu_seed();
	return cmocka_run_group_tests_name("footprint", tests, NULL, NULL);
}
