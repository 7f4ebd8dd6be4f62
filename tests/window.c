/* SPDX-License-Identifier: MIT */
/*
 * window.c - the slot window on machines whose pages are 4, 16 or 64 KiB
 * (the larger ones simulated by the system-call layer, src/simpage.c): the
 * groups the writer placed for it are served by the inline get, the others
 * by the slow path without a system call per get, and every value is right.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h"
#include "sys.h"

#include <inttypes.h>

#define GROUPS 300

/* A tiny value per key, so that a map of GROUPS groups is built quickly. */
static size_t key_value(uint64_t key, char *buf)
{
	return (size_t)snprintf(buf, 32, "v%" PRIu64, key);
}

static void fill(vmap *m)
{
	char buf[32];
	for (uint64_t k = 0; k < (uint64_t)GROUPS * GROUP_KEYS; k++)
		assert_int_equal(vmap_append(m, k, buf, key_value(k, buf)), 0);
}

/* Every key right, and gets after the first look at a group make no call. */
static void read_all(const vmap *m)
{
	char want[32];
	long calls;

	for (int pass = 0; pass < 2; pass++) {
		vmi_sys_reset();
		for (uint64_t k = 0; k < (uint64_t)GROUPS * GROUP_KEYS; k += 97) {
			size_t len, n = key_value(k, want);
			const char *p = vmap_get(m, k, &len);
			if (!p || len != n || memcmp(p, want, n))
				fail_msg("key %" PRIu64 ": %s", k, p ? "wrong value" : "NULL");
		}
		calls = vmi_sys_count(-1);
		if (pass == 1 && calls)
			fail_msg("%ld system calls on a second pass over known groups", calls);
	}
}

/* Groups the inline get serves (an in-memory map's published cache). */
static uint64_t windowed_groups(const vmap *m)
{
	const struct vmap_cache *c = ((const struct vmap_fast *)(const void *)m)->cache;
	uint64_t n = 0;
	for (uint64_t g = 0; c && g < c->groups && g < GROUPS; g++)
		n += c->bases[g] != NULL;
	return n;
}

static void one_page_size(size_t page, uint64_t want_windowed)
{
	char *dir = tu_tmpdir(), *path = tu_join(dir, "w.vmap");
	vmap *m;

	vmi_sys_set_page_size(page);
	assert_int_equal(vmap_new(&m), 0);
	fill(m);
	read_all(m);
	if (windowed_groups(m) < want_windowed)
		fail_msg("%zu-byte pages: %" PRIu64 " of %d groups in the window, expected %" PRIu64,
			 vmi_sys_page_size(), windowed_groups(m), GROUPS, want_windowed);
	print_message("%zu-byte pages: %" PRIu64 " of %d groups served inline\n", vmi_sys_page_size(),
		      windowed_groups(m), GROUPS);
	vmap_close(m);
	/* a file, written with these pages and read back with them */
	assert_int_equal(vmap_open(&m, path, VMAP_CREATE), 0);
	fill(m);
	vmap_close(m);
	assert_int_equal(vmap_open(&m, path, VMAP_RDONLY), 0);
	read_all(m);
	vmap_close(m);
	vmi_sys_set_page_size(0);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

/* From group 64 on, slot runs start on 64 KiB boundaries (plan.c); with
 * 4 KiB pages every group is in the window. */
static uint64_t want_windowed(size_t page)
{
	return page <= 4096 ? GROUPS : GROUPS - 64;
}

static void test_window_own_pages(void **state)
{
	(void)state;
	one_page_size(0, want_windowed(vmi_sys_page_size())); /* the machine's own */
}

static void test_window_16k_pages(void **state)
{
	(void)state;
	one_page_size(16384, want_windowed(16384));
}

static void test_window_64k_pages(void **state)
{
	(void)state;
	one_page_size(65536, want_windowed(65536));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_ONE(test_window_own_pages),
		TU_ONE(test_window_16k_pages),
		TU_ONE(test_window_64k_pages),
	};
	tu_seed();
	return cmocka_run_group_tests_name("window", tests, NULL, NULL);
}
