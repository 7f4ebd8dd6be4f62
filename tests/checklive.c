/* SPDX-License-Identifier: MIT */
/*
 * checklive.c - vmap_check beside a live writer. A writer thread appends
 * (values of every size, a few crossing extent boundaries), replaces,
 * removes and syncs without pause while vmap_check runs at least 1,000
 * times in each of four settings: on the writer's own in-memory handle, on
 * the writer's own file handle, on a read-only handle in the same process,
 * and on a read-only handle in another process. A healthy map must never be
 * called damaged. Then, with the writer still running, a byte of a sealed
 * block is flipped: the check must report it.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the writer and the checkers share; in shared memory for a child. */
struct live {
	int stop;             /* atomic: the writer stops */
	long ops;             /* atomic: operations the writer has done */
	long checked_ops;     /* atomic: ops when the last check ended */
	long checks, healthy; /* by the checker */
	int first_error;
};

/* Keep the map from outgrowing the test: a few thousand writes per check. */
#define OPS_PER_CHECK 300

struct writer {
	pthread_t tid;
	vmap *m;
	struct live *live;
	int file;
	uint64_t seed;
	char failure[256];
};

/* Mostly short values, some far ones, now and then one over 1 MiB. */
static size_t writer_value(struct tu_rng *r, uint64_t key, char *buf, size_t cap)
{
	size_t len;
	if (tu_below(r, 20000) == 0 && cap > (1u << 20)) {
		len = (1u << 20) + (size_t)tu_below(r, 512 << 10);
		memset(buf, 'L', len);
		return len;
	}
	len = tu_value(key, (uint32_t)tu_below(r, 3), buf);
	return tu_below(r, 10) ? len % 100 : len;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	struct tu_rng r = {w->seed};
	size_t cap = (2u << 20) + 1;
	char *buf = malloc(cap);
	uint64_t next = vmap_next_key(w->m);
	int err = 0;

	while (!__atomic_load_n(&w->live->stop, __ATOMIC_ACQUIRE) && !err) {
		long ops = __atomic_load_n(&w->live->ops, __ATOMIC_RELAXED);
		unsigned what = (unsigned)tu_below(&r, 100);
		uint64_t key = vmap_first_key(w->m) + tu_below(&r, next - vmap_first_key(w->m));

		if (ops - __atomic_load_n(&w->live->checked_ops, __ATOMIC_ACQUIRE) > OPS_PER_CHECK) {
			sched_yield();
			continue;
		}
		if (what < 70) {
			err = vmap_append(w->m, next, buf, writer_value(&r, next, buf, cap));
			next++;
		} else if (what < 90) {
			err = vmap_replace(w->m, key, buf, writer_value(&r, key, buf, cap));
		} else if (what < 99) {
			err = vmap_remove(w->m, key);
		} else if (w->file) {
			err = vmap_sync(w->m);
		}
		if (err == -ENOENT) /* a key removed before */
			err = 0;
		__atomic_store_n(&w->live->ops, ops + 1, __ATOMIC_RELEASE);
	}
	if (err)
		snprintf(w->failure, sizeof w->failure, "writer: %d (%s)", err, vmap_strerror(err));
	free(buf);
	return NULL;
}

/* Checks until `want` have run; returns the first error seen, or 0. */
static int run_checks(const vmap *m, struct live *live, long want)
{
	while (__atomic_load_n(&live->checks, __ATOMIC_RELAXED) < want) {
		int err = vmap_check(m);
		__atomic_store_n(&live->checked_ops, __atomic_load_n(&live->ops, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
		__atomic_add_fetch(&live->checks, 1, __ATOMIC_RELAXED);
		if (err) {
			live->first_error = err;
			return err;
		}
		live->healthy++;
	}
	return 0;
}

/* A sealed data block: a nonzero checksum, well below the tail. */
static uint64_t sealed_block(const vmap *m, struct tu_rng *r)
{
	uint64_t bump = LOAD_ACQ(&m->hdr->live.bump), blocks = bump >> BLOCK_SHIFT;
	for (int tries = 0; tries < 100000; tries++) {
		uint64_t b = 1 + tu_below(r, blocks > 4 ? blocks - 4 : 1);
		const uint32_t *crc = vmi_table_elem(m, TABLE_CRC, b);
		if (crc && LOAD_ACQ(crc))
			return b;
	}
	fail_msg("no sealed block in a map of %" PRIu64 " bytes", bump);
	return 0;
}

/* Flip (or flip back) one bit at pos: through the file, or in memory. */
static void flip(vmap *m, const char *path, uint64_t pos)
{
	if (path) {
		int fd = open(path, O_RDWR);
		unsigned char c;
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, &c, 1, (off_t)pos), 1);
		c ^= 0x10;
		assert_int_equal(pwrite(fd, &c, 1, (off_t)pos), 1);
		close(fd);
	} else {
		char *p = vmi_at(m, pos, 1);
		assert_non_null(p);
		__atomic_store_n(p, (char)(*p ^ 0x10), __ATOMIC_RELAXED);
	}
}

/* With the writer running, a flipped byte in a sealed block is reported. */
static int damage_found(const vmap *checked, struct live *live)
{
	for (int i = 0; i < 5; i++)
		if (vmap_check(checked) == VMAP_ECORRUPT)
			return 1;
	(void)live;
	return 0;
}

enum setting { SAME_MEM, SAME_FILE, RDONLY_HANDLE, OTHER_PROCESS };
static const char *const setting_names[] = {
	"the writer's in-memory handle", "the writer's file handle",
	"a read-only handle in this process", "a read-only handle in another process"};

static void start_writer(struct writer *w, vmap *m, struct live *live, int file, uint64_t seed)
{
	memset(w, 0, sizeof *w);
	w->m = m;
	w->live = live;
	w->file = file;
	w->seed = seed;
	assert_int_equal(pthread_create(&w->tid, NULL, writer_main, w), 0);
}

static void stop_writer(struct writer *w)
{
	__atomic_store_n(&w->live->stop, 1, __ATOMIC_RELEASE);
	pthread_join(w->tid, NULL);
	if (w->failure[0])
		fail_msg("%s", w->failure);
}

/* A child process: open read-only, check, flip-test on the parent's word. */
static int child_checks(const char *path, struct live *live, long want, int go_fd)
{
	vmap *m;
	char c;
	if (vmap_open(&m, path, VMAP_RDONLY))
		return 2;
	if (run_checks(m, live, want))
		return 3;
	/* the parent flips a byte, then says so */
	if (read(go_fd, &c, 1) != 1)
		return 4;
	if (!damage_found(m, live))
		return 5;
	vmap_close(m);
	return 0;
}

static void run_setting(enum setting s)
{
	struct tu_rng r = {tu_case_seed(setting_names[s])};
	long want = tu_scaled(1000);
	char *dir = tu_tmpdir_fast(), *path = tu_join(dir, "live.vmap");
	struct live *live = mmap(NULL, sizeof *live, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct writer w;
	vmap *m, *reader = NULL;
	char buf[TU_VALUE_CAP + 1];
	uint64_t block, pos;
	double t0 = tu_now();
	int err, go[2] = {-1, -1};
	pid_t pid = -1;

	assert_true(live != MAP_FAILED);
	memset(live, 0, sizeof *live);
	if (s == SAME_MEM)
		assert_int_equal(vmap_new(&m), 0);
	else
		assert_int_equal(vmap_open(&m, path, VMAP_CREATE), 0);
	/* a map with sealed blocks before the checks start */
	for (uint64_t k = 100; k < 3100; k++)
		assert_int_equal(vmap_append(m, k, buf, tu_value(k, 0, buf)), 0);
	if (s == OTHER_PROCESS) {
		assert_int_equal(pipe(go), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			tu_child_init();
			close(go[1]);
			_exit(child_checks(path, live, want, go[0]));
		}
		close(go[0]);
	}
	start_writer(&w, m, live, s != SAME_MEM, tu_rand(&r));
	if (s == RDONLY_HANDLE)
		assert_int_equal(vmap_open(&reader, path, VMAP_RDONLY), 0);
	if (s != OTHER_PROCESS) {
		err = run_checks(reader ? reader : m, live, want);
		if (err) {
			stop_writer(&w);
			fail_msg("%s: check %ld of a healthy map beside the writer: %d (%s)",
				 setting_names[s], live->checks, err, vmap_strerror(err));
		}
	} else {
		while (__atomic_load_n(&live->checks, __ATOMIC_RELAXED) < want &&
		       !__atomic_load_n(&live->first_error, __ATOMIC_RELAXED) &&
		       waitpid(pid, NULL, WNOHANG) == 0)
			usleep(1000);
	}
	/* damage while the writer runs */
	block = sealed_block(m, &r);
	pos = (block << BLOCK_SHIFT) + tu_below(&r, BLOCK_BYTES);
	flip(m, s == SAME_MEM ? NULL : path, pos);
	if (s == OTHER_PROCESS) {
		int status;
		assert_int_equal(write(go[1], "g", 1), 1);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		close(go[1]);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			flip(m, path, pos);
			stop_writer(&w);
			fail_msg("%s: the checking process failed (status %#x, first error %d, after "
				 "%ld healthy checks)",
				 setting_names[s], status, live->first_error, live->healthy);
		}
	} else if (!damage_found(reader ? reader : m, live)) {
		flip(m, s == SAME_MEM ? NULL : path, pos);
		stop_writer(&w);
		fail_msg("%s: a flipped byte at %" PRIu64 " (block %" PRIu64 ") was not reported",
			 setting_names[s], pos, block);
	}
	flip(m, s == SAME_MEM ? NULL : path, pos);
	stop_writer(&w);
	assert_int_equal(vmap_check(m), 0);
	print_message("%s: %ld checks beside %ld writes, none cried wolf; the flipped byte "
		      "was found (%.1f s)\n",
		      setting_names[s], live->healthy, live->ops, tu_now() - t0);
	vmap_close(reader);
	vmap_close(m);
	munmap(live, sizeof *live);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

static void test_check_on_writer_memory_handle(void **state)
{
	(void)state;
	run_setting(SAME_MEM);
}

static void test_check_on_writer_file_handle(void **state)
{
	(void)state;
	run_setting(SAME_FILE);
}

static void test_check_on_readonly_handle(void **state)
{
	(void)state;
	run_setting(RDONLY_HANDLE);
}

static void test_check_from_another_process(void **state)
{
	(void)state;
	tu_skip_without_fork();
	run_setting(OTHER_PROCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_ONE(test_check_on_writer_memory_handle),
		TU_ONE(test_check_on_writer_file_handle),
		TU_ONE(test_check_on_readonly_handle),
		TU_ONE(test_check_from_another_process),
	};
	tu_seed();
	return cmocka_run_group_tests_name("checklive", tests, NULL, NULL);
}
