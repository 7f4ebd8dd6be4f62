/* SPDX-License-Identifier: MIT */
/*
 * files.c - file-backed maps: vmap_open's flags and errors, foreign and
 * future files, one writer per file across processes, read-only handles,
 * reopening, live readers in other processes, file size and open time.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h" /* crc32c(), to forge a header of another version */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct dirfx {
	char *dir, *path;
};

static int dir_setup(void **state)
{
	struct dirfx *d = calloc(1, sizeof *d);
	d->dir = tu_tmpdir();
	d->path = tu_join(d->dir, "map.vmap");
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dirfx *d = *state;
	tu_rmtree(d->dir);
	free(d->dir);
	free(d->path);
	free(d);
	return 0;
}

#define IN_DIR(f) {#f, f, dir_setup, dir_teardown, NULL}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void assert_open_fails(const char *path, int flags, int want)
{
	vmap *m = NULL;
	int err = vmap_open(&m, path, flags);
	if (err != want)
		fail_msg("vmap_open(%s, %d) = %d (%s), expected %d (%s)", path, flags, err,
			 vmap_strerror(err), want, vmap_strerror(want));
	assert_null(m);
}

/* Append keys [next, next + n) with version-0 deterministic values. */
static void append_values(vmap *m, struct tu_model *md, uint64_t n)
{
	char buf[TU_VALUE_CAP + 1];
	for (uint64_t i = 0; i < n; i++) {
		uint64_t key = tu_model_next(md);
		size_t len = tu_value(key, 0, buf);
		int err = vmap_append(m, key, buf, len);
		if (err)
			fail_msg("append %" PRIu64 ": %d (%s)", key, err, vmap_strerror(err));
		tu_model_append(md, key, buf, len);
	}
}

static vmap *open_ok(const char *path, int flags)
{
	vmap *m = NULL;
	int err = vmap_open(&m, path, flags);
	if (err)
		fail_msg("vmap_open(%s, %d): %d (%s)", path, flags, err, vmap_strerror(err));
	return m;
}

/* A closed map of n entries (first key 1000) and its model. */
static void make_map(const char *path, struct tu_model *md, uint64_t n)
{
	vmap *m;
	unlink(path);
	m = open_ok(path, VMAP_CREATE);
	tu_model_init(md);
	assert_int_equal(vmap_append(m, 1000, "first", 5), 0);
	tu_model_append(md, 1000, "first", 5);
	append_values(m, md, n - 1);
	assert_int_equal(vmap_close(m), 0);
}

static void assert_same_file(const char *path, const char *bytes, size_t len)
{
	char *now;
	size_t nlen;
	assert_int_equal(tu_read_file(path, &now, &nlen), 0);
	if (nlen != len || memcmp(now, bytes, len))
		fail_msg("%s was modified (%zu bytes, was %zu)", path, nlen, len);
	free(now);
}

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
		put_le32((unsigned char *)bytes + 60, crc32c(0, bytes, 60));
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

static void test_second_writer_same_process(void **state)
{
	struct dirfx *d = *state;
	vmap *w, *r, *w2;

	w = open_ok(d->path, VMAP_CREATE);
	assert_int_equal(vmap_append(w, 1, "one", 3), 0);
	assert_open_fails(d->path, 0, -EBUSY);
	assert_open_fails(d->path, VMAP_CREATE, -EBUSY);
	r = open_ok(d->path, VMAP_RDONLY);
	assert_string_equal(vmap_get(r, 1, NULL), "one");
	assert_int_equal(vmap_append(w, 2, "two", 3), 0);
	assert_string_equal(vmap_get(r, 2, NULL), "two");
	assert_open_fails(d->path, 0, -EBUSY);
	vmap_close(w);
	w2 = open_ok(d->path, 0);
	assert_int_equal(vmap_append(w2, 3, "three", 5), 0);
	assert_string_equal(vmap_get(r, 3, NULL), "three");
	assert_int_equal(vmap_count(r), 3);
	vmap_close(w2);
	vmap_close(r);
}

static int wait_child(pid_t pid)
{
	int status;
	if (waitpid(pid, &status, 0) != pid)
		fail_msg("waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		fail_msg("child killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	return WEXITSTATUS(status);
}

static int child_try_writer(const char *path)
{
	vmap *m = NULL;
	int err = vmap_open(&m, path, 0);
	if (err != -EBUSY) {
		fprintf(stderr, "child: second writer got %d, expected -EBUSY\n", err);
		return 1;
	}
	err = vmap_open(&m, path, VMAP_RDONLY);
	if (err || !vmap_get(m, 1, NULL)) {
		fprintf(stderr, "child: reader beside a writer: %d\n", err);
		return 2;
	}
	vmap_close(m);
	return 0;
}

static void test_second_writer_other_process(void **state)
{
	struct dirfx *d = *state;
	int up[2], down[2];
	char c;
	pid_t pid;
	vmap *w, *r;

	/* parent is the writer, a child tries */
	w = open_ok(d->path, VMAP_CREATE);
	assert_int_equal(vmap_append(w, 1, "one", 3), 0);
	pid = fork();
	if (pid == 0) {
		tu_child_init();
		_exit(child_try_writer(d->path));
	}
	assert_int_equal(wait_child(pid), 0);
	vmap_close(w);

	/* a child is the writer, the parent tries; then the child is killed */
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	if (pid == 0) {
		vmap *m = NULL;
		tu_child_init();
		if (vmap_open(&m, d->path, 0) || vmap_append(m, 2, "two", 3))
			_exit(1);
		if (write(up[1], "w", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(2);
		pause(); /* holds the lock until killed */
		_exit(3);
	}
	assert_int_equal(read(up[0], &c, 1), 1);
	assert_open_fails(d->path, 0, -EBUSY);
	assert_open_fails(d->path, VMAP_CREATE, -EBUSY);
	r = open_ok(d->path, VMAP_RDONLY);
	assert_string_equal(vmap_get(r, 2, NULL), "two");
	assert_int_equal(write(down[1], "k", 1), 1);
	assert_int_equal(kill(pid, SIGKILL), 0);
	waitpid(pid, NULL, 0);
	w = open_ok(d->path, 0); /* the lock died with the writer */
	assert_int_equal(vmap_append(w, 3, "three", 5), 0);
	assert_string_equal(vmap_get(r, 3, NULL), "three");
	vmap_close(w);
	vmap_close(r);
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

static void test_readonly_refuses_writes(void **state)
{
	struct dirfx *d = *state;
	struct tu_model md;
	struct vmap_stat st;
	char *bytes;
	size_t len;
	vmap *r;

	make_map(d->path, &md, 50);
	assert_int_equal(tu_read_file(d->path, &bytes, &len), 0);
	r = open_ok(d->path, VMAP_RDONLY);
	assert_int_equal(vmap_append(r, tu_model_next(&md), "x", 1), -EROFS);
	assert_int_equal(vmap_append(r, 5, "x", 1), -EROFS);
	assert_int_equal(vmap_replace(r, 1000, "x", 1), -EROFS);
	assert_int_equal(vmap_remove(r, 1000), -EROFS);
	assert_int_equal(vmap_sync(r), -EROFS);
	assert_int_equal(vmap_stat(r, &st), 0);
	assert_int_equal(st.read_only, 1);
	assert_int_equal(st.file_backed, 1);
	tu_model_assert(r, &md);
	vmap_close(r);
	assert_same_file(d->path, bytes, len);
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
static void batch_rules(uint64_t key, int *replaced, int *removed)
{
	*replaced = key % 10 == 3;
	*removed = key % 10 == 7;
}

static void write_batch(vmap *m, uint64_t from, uint64_t to)
{
	char buf[TU_VALUE_CAP + 1];
	for (uint64_t k = from; k < to; k++) {
		size_t len = tu_value(k, 0, buf);
		int rep, rem;
		assert_int_equal(vmap_append(m, k, buf, len), 0);
		batch_rules(k, &rep, &rem);
		if (rep) {
			len = tu_value(k, 1, buf);
			assert_int_equal(vmap_replace(m, k, buf, len), 0);
		}
		if (rem)
			assert_int_equal(vmap_remove(m, k), 0);
	}
}

static int verify_batch(const vmap *m, uint64_t to)
{
	for (uint64_t k = 0; k < to; k++) {
		size_t len;
		const char *p = vmap_get(m, k, &len);
		int rep, rem;
		batch_rules(k, &rep, &rem);
		if (rem ? p != NULL : !p || !tu_value_is(k, (uint32_t)rep, p, len)) {
			fprintf(stderr, "reader: key %" PRIu64 " wrong (%s)\n", k,
				p ? "value" : "NULL");
			return -1;
		}
	}
	if (vmap_next_key(m) != to) {
		fprintf(stderr, "reader: next_key %" PRIu64 ", expected %" PRIu64 "\n",
			vmap_next_key(m), to);
		return -1;
	}
	return vmap_check(m) ? -1 : 0;
}

static const uint64_t batches[] = {10, 2000, 9000, 40000};

static void test_reader_sees_later_appends_same_process(void **state)
{
	struct dirfx *d = *state;
	vmap *w = open_ok(d->path, VMAP_CREATE), *r;

	write_batch(w, 0, batches[0]);
	r = open_ok(d->path, VMAP_RDONLY);
	for (size_t b = 1; b < sizeof batches / sizeof batches[0]; b++) {
		write_batch(w, batches[b - 1], batches[b]);
		assert_int_equal(verify_batch(r, batches[b]), 0);
	}
	vmap_close(w);
	assert_int_equal(verify_batch(r, batches[3]), 0);
	vmap_close(r);
}

static int reader_child(const char *path, int in, int out)
{
	vmap *r = NULL;
	uint64_t to;
	if (vmap_open(&r, path, VMAP_RDONLY) || verify_batch(r, batches[0]))
		return 1;
	if (write(out, "r", 1) != 1)
		return 2;
	while (read(in, &to, sizeof to) == (ssize_t)sizeof to) {
		if (verify_batch(r, to))
			return 3;
		if (write(out, "v", 1) != 1)
			return 4;
	}
	vmap_close(r);
	return 0;
}

static void test_reader_in_other_process_sees_appends(void **state)
{
	struct dirfx *d = *state;
	int up[2], down[2];
	pid_t pid;
	char c;
	vmap *w = open_ok(d->path, VMAP_CREATE);

	write_batch(w, 0, batches[0]);
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	if (pid == 0) {
		tu_child_init();
		close(down[1]);
		_exit(reader_child(d->path, down[0], up[1]));
	}
	close(down[0]);
	close(up[1]);
	assert_int_equal(read(up[0], &c, 1), 1);
	for (size_t b = 1; b < sizeof batches / sizeof batches[0]; b++) {
		write_batch(w, batches[b - 1], batches[b]);
		assert_int_equal(write(down[1], &batches[b], 8), 8);
		if (read(up[0], &c, 1) != 1)
			break; /* the child failed: its status says how */
	}
	close(down[1]);
	assert_int_equal(wait_child(pid), 0);
	close(up[0]);
	vmap_close(w);
}

static void bytes_per_entry(const char *path, size_t mean)
{
	const uint64_t n = 100000;
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
	assert_true((uint64_t)st.st_size > value_bytes);
	print_message("file bytes per entry beyond the value bytes at mean length %zu: %.2f "
		      "(%" PRIu64 " entries, file %lld bytes)\n",
		      mean, (double)((uint64_t)st.st_size - value_bytes) / (double)n, n,
		      (long long)st.st_size);
}

static void test_file_bytes_per_entry(void **state)
{
	struct dirfx *d = *state;
	bytes_per_entry(d->path, 16);
	bytes_per_entry(d->path, 48);
	bytes_per_entry(d->path, 256);
}

static double open_time(const char *path, uint64_t last)
{
	double best = 1e9;
	for (int i = 0; i < 7; i++) {
		double t0 = tu_now(), t;
		vmap *m = open_ok(path, VMAP_RDONLY);
		assert_non_null(vmap_get(m, last, NULL));
		t = tu_now() - t0;
		vmap_close(m);
		if (t < best)
			best = t;
	}
	return best;
}

static void test_open_time(void **state)
{
	struct dirfx *d = *state;
	const uint64_t big = 1000000, small = 1000;
	char *small_path = tu_join(d->dir, "small.vmap");
	vmap *m;

	m = open_ok(d->path, VMAP_CREATE);
	for (uint64_t k = 0; k < big; k++)
		assert_int_equal(vmap_append(m, k, "12345678", 8), 0);
	vmap_close(m);
	m = open_ok(small_path, VMAP_CREATE);
	for (uint64_t k = 0; k < small; k++)
		assert_int_equal(vmap_append(m, k, "12345678", 8), 0);
	vmap_close(m);
	print_message("open + get of the last key, best of 7: %" PRIu64 " entries %.1f us, %" PRIu64
		      " entries %.1f us\n",
		      big, open_time(d->path, big - 1) * 1e6, small,
		      open_time(small_path, small - 1) * 1e6);
	free(small_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_DIR(test_open_flags),
		IN_DIR(test_empty_file),
		IN_DIR(test_foreign_files),
		IN_DIR(test_other_version),
		IN_DIR(test_second_writer_same_process),
		IN_DIR(test_second_writer_other_process),
		IN_DIR(test_readonly_refuses_writes),
		IN_DIR(test_reopen_keeps_everything),
		IN_DIR(test_writer_reopen_then_write),
		IN_DIR(test_reader_sees_later_appends_same_process),
		IN_DIR(test_reader_in_other_process_sees_appends),
		IN_DIR(test_file_bytes_per_entry),
		IN_DIR(test_open_time),
	};
	tu_seed();
	return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
