/* SPDX-License-Identifier: MIT */
/*
 * sharing.c - one writer and many readers of a file: a second writer is
 * refused with -EBUSY in this process and in another, a read-only handle
 * refuses writes, and readers in this process and in another see what the
 * writer appends after they opened, without reopening.
 */
#define _GNU_SOURCE
#include "filefx.h"

#include <fcntl.h>
#include <signal.h>

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

	tu_skip_without_fork();
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
	vmap *w;

	tu_skip_without_fork();
	w = open_ok(d->path, VMAP_CREATE);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_DIR(test_second_writer_same_process),
		IN_DIR(test_second_writer_other_process),
		IN_DIR(test_readonly_refuses_writes),
		IN_DIR(test_reader_sees_later_appends_same_process),
		IN_DIR(test_reader_in_other_process_sees_appends),
	};
	tu_seed();
	return cmocka_run_group_tests_name("sharing", tests, NULL, NULL);
}
