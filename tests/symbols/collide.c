/* SPDX-License-Identifier: MIT */
/*
 * collide.c - an application that happens to define, for its own purposes,
 * every global name the library's objects use internally (the list nm
 * showed for libvmap.a in 1.0), and then uses the library: open, append,
 * get, reopen, check. Linked against libvmap.a it must neither fail with
 * "multiple definition" nor have the library call the application's
 * function (a foreign crc32c made vmap_open call a healthy file damaged);
 * linked against libvmap.so likewise. scripts/ci_install.sh builds it both
 * ways, with extra.c defining any internal name added since this list.
 *
 *   collide FILE     exit 0 and "collide: ok" when all is well
 */
#include <vmap.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define INTERNAL_NAMES(X) \
	X(arena_map_extent) X(arena_map_upto) X(arena_populate) X(arena_refresh) \
	X(arena_reserve) X(arena_total_bytes) X(arena_unmap_all) X(chunks_validate) \
	X(dir_entry) X(groups_free) X(groups_learn) X(header_init) \
	X(header_validate) X(journal_validate) X(plan_crc_cover) X(plan_data) \
	X(plan_predict) X(plan_reserve) X(plan_slot_block) X(plan_start) \
	X(plan_table_chunk) X(plan_table_elem) X(recover_writer) \
	X(refresh_prefix_crcs) X(restarted_since_write) X(rollback_to) \
	X(seal_block) X(state_load) X(state_store) X(state_validate) \
	X(sync_flush) X(table_capacity) X(table_elem) X(table_forget) X(value_of) \
	X(vmap_sys_boot_id) X(vmap_sys_calloc) X(vmap_sys_close) X(vmap_sys_count) \
	X(vmap_sys_fail_nth) X(vmap_sys_fallocate) X(vmap_sys_fdatasync) \
	X(vmap_sys_flock) X(vmap_sys_free) X(vmap_sys_fstat) X(vmap_sys_ftruncate) \
	X(vmap_sys_memfd) X(vmap_sys_mmap) X(vmap_sys_mmap_at) X(vmap_sys_msync) \
	X(vmap_sys_munmap) X(vmap_sys_name) X(vmap_sys_open) X(vmap_sys_page_size) \
	X(vmap_sys_reset) X(vmap_sys_set_boot_id) X(vmap_sys_set_sync_hook)

/* What the application's own function called NAME returns. */
int collide_own_value(const char *name);
int collide_own_value(const char *name)
{
	int h = 7;

	while (*name)
		h = h * 31 + *name++;
	return h & 0xffff;
}

#define DEFINE(name) \
	int name(void); \
	int name(void) { return collide_own_value(#name); }
INTERNAL_NAMES(DEFINE)

/* The dangerous two: a function and a table of the same names and other
 * meanings, which the library must never reach. */
uint32_t crc32c(uint32_t crc, const void *p, size_t n);
uint32_t crc32c(uint32_t crc, const void *p, size_t n)
{
	(void)p;
	return crc ^ (uint32_t)n ^ 0x5a5a5a5au;
}
const int table_shapes[3] = {3, 1, 4};

/* extra.c: internal names added since the list above (may be empty). */
int collide_extra(void);

static int own_functions_are_ours(void)
{
	int wrong = 0;

#define CHECK(name) wrong += name() != collide_own_value(#name);
	INTERNAL_NAMES(CHECK)
	wrong += crc32c(0, "", 4) != (4u ^ 0x5a5a5a5au);
	wrong += table_shapes[2] != 4;
	wrong += collide_extra();
	return wrong;
}

static int fail(const char *what, int rc)
{
	fprintf(stderr, "collide: %s: %s\n", what, vmap_strerror(rc));
	return 1;
}

int main(int argc, char **argv)
{
	char value[5000];
	size_t len;
	const char *got;
	vmap *m;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: collide FILE\n");
		return 2;
	}
	if (own_functions_are_ours()) {
		fprintf(stderr, "collide: the application's own functions were replaced\n");
		return 1;
	}
	unlink(argv[1]);
	if ((rc = vmap_open(&m, argv[1], VMAP_CREATE)) < 0)
		return fail("create", rc);
	memset(value, 'v', sizeof value); /* long: a far value, sealed blocks */
	for (uint64_t k = 1; k <= 3000; k++) {
		rc = vmap_append(m, k, value, k % 7 ? k % 100 : sizeof value);
		if (rc < 0)
			return fail("append", rc);
	}
	if ((rc = vmap_close(m)) < 0)
		return fail("close", rc);
	if ((rc = vmap_open(&m, argv[1], VMAP_RDONLY)) < 0)
		return fail("reopen", rc); /* a foreign crc32c: "damaged" */
	got = vmap_get(m, 7, &len);
	if (!got || len != sizeof value || memcmp(got, value, len) != 0) {
		fprintf(stderr, "collide: get of key 7 is wrong\n");
		return 1;
	}
	if ((rc = vmap_check(m)) < 0)
		return fail("check", rc);
	vmap_close(m);
	printf("collide: ok (library %s)\n", vmap_version());
	return 0;
}
