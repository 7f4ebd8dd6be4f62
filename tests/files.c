/* SPDX-License-Identifier: MIT */
/*
 * files.c - opening file-backed maps: vmap_open's flags and errors, empty,
 * foreign and future files, reopening as a reader and as a writer. (One
 * writer and many readers across processes: sharing.c; what a file costs
 * and the work of opening it: footprint.c.)
 */
#define _GNU_SOURCE
#include "filefx.h"
#include "internal.h" /* vmi_crc32c(), to forge a header of another version */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_open_flags(void **state)
{
	struct dirfx *d = *state;
	char *nodir = tu_join(d->dir, "no/such/dir/map.vmap");
	const int bad[] = {VMAP_CREATE | VMAP_RDONLY, 4, 8, 0x100, -1, VMAP_CREATE | 4,
			   VMAP_RDONLY | 0x40};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_open_fails(d->path, bad[i], -EINVAL);
	assert_false(exists(d->path));
	assert_open_fails(d->path, 0, -ENOENT);
	assert_open_fails(d->path, VMAP_RDONLY, -ENOENT);
	assert_false(exists(d->path));
	assert_open_fails(nodir, VMAP_CREATE, -ENOENT);
	free(nodir);

	/* CREATE|RDONLY is refused even when the file exists and is a map. */
	vmap_close(open_ok(d->path, VMAP_CREATE));
	assert_open_fails(d->path, VMAP_CREATE | VMAP_RDONLY, -EINVAL);

	/* A directory is no map: any clean error. */
	for (int flags = 0; flags <= VMAP_RDONLY; flags++) {
		vmap *m = NULL;
		int err = vmap_open(&m, d->dir, flags);
		assert_true(err < 0);
		assert_null(m);
	}
}

static void test_empty_file(void **state)
{
	struct dirfx *d = *state;
	struct stat st;
	vmap *m;

	assert_int_equal(tu_write_file(d->path, "", 0), 0);
	assert_open_fails(d->path, 0, VMAP_ECORRUPT);
	assert_open_fails(d->path, VMAP_RDONLY, VMAP_ECORRUPT);
	assert_int_equal(stat(d->path, &st), 0);
	assert_int_equal(st.st_size, 0);

	m = open_ok(d->path, VMAP_CREATE);
	assert_int_equal(vmap_next_key(m), 0);
	assert_int_equal(vmap_append(m, 42, "answer", 6), 0);
	assert_int_equal(vmap_check(m), 0);
	vmap_close(m);
	m = open_ok(d->path, VMAP_RDONLY);
	assert_string_equal(vmap_get(m, 42, NULL), "answer");
	vmap_close(m);

	/* zero-filled is no map either, without CREATE */
	{
		char zeros[8192] = {0};
		assert_int_equal(tu_write_file(d->path, zeros, sizeof zeros), 0);
		assert_open_fails(d->path, 0, VMAP_ECORRUPT);
		assert_open_fails(d->path, VMAP_RDONLY, VMAP_ECORRUPT);
	}
}

static void check_foreign(const char *path, const void *bytes, size_t len)
{
	const int flags[] = {0, VMAP_CREATE, VMAP_RDONLY};
	assert_int_equal(tu_write_file(path, bytes, len), 0);
	for (size_t i = 0; i < 3; i++) {
		assert_open_fails(path, flags[i], VMAP_ECORRUPT);
		assert_same_file(path, bytes, len);
	}
}

static void test_foreign_files(void **state)
{
	struct dirfx *d = *state;
	struct tu_rng r = {tu_case_seed("foreign")};
	static const char text[] = "This is a text file.\nIt is not a vector_map.\n";
	char *buf = malloc(20000), *map;
	size_t len;
	struct tu_model md;

	check_foreign(d->path, text, sizeof text - 1);
	check_foreign(d->path, "x", 1);
	for (int i = 0; i < 20000; i++)
		buf[i] = "lorem ipsum dolor sit amet\n"[i % 27];
	check_foreign(d->path, buf, 5000);
	check_foreign(d->path, buf, 4096);
	check_foreign(d->path, buf, 20000);
	for (int i = 0; i < 10; i++) {
		size_t n = 1 + (size_t)tu_below(&r, 20000);
		tu_fill(&r, buf, n);
		buf[0] |= 1; /* not a zero-filled start */
		check_foreign(d->path, buf, n);
	}

	/* a real map's header with one byte of the checksummed part changed */
	make_map(d->path, &md, 10);
	assert_int_equal(tu_read_file(d->path, &map, &len), 0);
	for (size_t at = 0; at < 64; at += 5) {
		char *bad = malloc(len);
		memcpy(bad, map, len);
		bad[at] ^= 0x10;
		check_foreign(d->path, bad, len);
		free(bad);
	}
	free(map);
	tu_model_free(&md);
	free(buf);
}

static void put_le32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void test_other_version(void **state)
{
	struct dirfx *d = *state;
	const int flags[] = {0, VMAP_CREATE, VMAP_RDONLY};
	const uint32_t versions[] = {3, 0, 0xff, 0x10001};
	struct tu_model md;
	char *orig, *bytes;
	size_t len;
	vmap *m;

	make_map(d->path, &md, 10);
	assert_int_equal(tu_read_file(d->path, &orig, &len), 0);
	bytes = malloc(len);
	for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++) {
		memcpy(bytes, orig, len);
		put_le32((unsigned char *)bytes + 8, versions[v]);
		put_le32((unsigned char *)bytes + 60, vmi_crc32c(0, bytes, 60));
		assert_int_equal(tu_write_file(d->path, bytes, len), 0);
		for (size_t i = 0; i < 3; i++) {
			assert_open_fails(d->path, flags[i], VMAP_EVERSION);
			assert_same_file(d->path, bytes, len);
		}
		/* the same bump without a matching checksum is damage */
		memcpy(bytes + 60, orig + 60, 4);
		check_foreign(d->path, bytes, len);
	}
	assert_int_equal(tu_write_file(d->path, orig, len), 0);
	m = open_ok(d->path, VMAP_RDONLY);
	tu_model_assert(m, &md);
	vmap_close(m);
	free(orig);
	free(bytes);
	tu_model_free(&md);
}

static void test_reopen_keeps_everything(void **state)
{
	struct dirfx *d = *state;
	char buf[TU_VALUE_CAP + 1];
	struct tu_model md;
	vmap *m, *r;

	make_map(d->path, &md, 6000);
	m = open_ok(d->path, 0);
	tu_model_assert(m, &md);
	for (uint64_t k = md.first; k < tu_model_next(&md); k += 11) {
		size_t len = tu_value(k, 1, buf);
		assert_int_equal(vmap_replace(m, k, buf, len), 0);
		tu_model_replace(&md, k, buf, len);
	}
	for (uint64_t k = md.first + 3; k < tu_model_next(&md); k += 17) {
		assert_int_equal(vmap_remove(m, k), 0);
		tu_model_remove(&md, k);
	}
	vmap_close(m);
	for (int round = 0; round < 3; round++) {
		r = open_ok(d->path, VMAP_RDONLY);
		tu_model_assert(r, &md);
		vmap_close(r);
		m = open_ok(d->path, round == 1 ? VMAP_CREATE : 0); /* CREATE keeps a map */
		tu_model_assert(m, &md);
		append_values(m, &md, 3000);
		if (round == 2)
			assert_int_equal(vmap_sync(m), 0);
		tu_model_assert(m, &md);
		vmap_close(m);
	}
	tu_model_free(&md);
}

/*
 * A writer that reopens a map of several extents and writes at once, before
 * any read has touched the later extents: replace, remove, and an append that
 * lands in the gap left before the newest group's slot block.
 */
static void test_writer_reopen_then_write(void **state)
{
	struct dirfx *d = *state;
	char *base = tu_join(d->dir, "base.vmap");
	struct tu_model md, work;
	uint64_t last;
	vmap *m;

	make_map(base, &md, 10 * 1024); /* ~5 MiB: extents 0..3 */
	m = open_ok(base, 0);
	assert_int_equal(vmap_append(m, tu_model_next(&md), "x", 1), 0); /* opens a group */
	tu_model_append(&md, tu_model_next(&md), "x", 1);
	vmap_close(m);
	last = tu_model_next(&md) - 1;

	for (int op = 0; op < 4; op++) {
		assert_int_equal(tu_copy_file(base, d->path), 0);
		tu_model_copy(&work, &md);
		m = open_ok(d->path, 0);
		switch (op) {
		case 0:
			assert_int_equal(vmap_replace(m, last, "new", 3), 0);
			tu_model_replace(&work, last, "new", 3);
			break;
		case 1:
			assert_int_equal(vmap_remove(m, last - 1), 0);
			tu_model_remove(&work, last - 1);
			break;
		case 2: /* small: into the gap */
			assert_int_equal(vmap_append(m, last + 1, "y", 1), 0);
			tu_model_append(&work, last + 1, "y", 1);
			break;
		case 3:
			append_values(m, &work, 100);
			break;
		}
		tu_model_assert(m, &work);
		vmap_close(m);
		m = open_ok(d->path, VMAP_RDONLY);
		tu_model_assert(m, &work);
		vmap_close(m);
		tu_model_free(&work);
	}
	tu_model_free(&md);
	free(base);
}

/* Keys appended by batch b follow fixed rules, so a child can verify them. */
int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_DIR(test_open_flags),
		IN_DIR(test_empty_file),
		IN_DIR(test_foreign_files),
		IN_DIR(test_other_version),
		IN_DIR(test_reopen_keeps_everything),
		IN_DIR(test_writer_reopen_then_write),
	};
	tu_seed();
	return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
