/* SPDX-License-Identifier: MIT */
/*
 * concurrency.c - one writer thread appends (and replaces and removes some
 * keys) while reader threads, and for files a reader process, call vmap_get
 * on random keys below a vmap_next_key snapshot. Every value a reader sees
 * must be NULL (only for keys the writer may remove) or exactly one of the
 * values that key ever had: values derive from (key, version), so readers
 * verify them without sharing memory with the writer. Pointers readers keep
 * must keep their bytes. Built to be clean under ThreadSanitizer.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define READERS 3
#define MAX_VERSION 3
#define FIRST_KEY 5000
#define REMOVE_LAG 100 /* a removable key goes this many appends later */
#define GROUP_KEYS_FOR_TEST 1024 /* keys per group (docs/FORMAT.md) */

static int removable(uint64_t key)
{
	return tu_mix(key ^ 0x5eed) % 16 == 0;
}

/* Which version of key is p? -1 if none. */
static int version_of(uint64_t key, const char *p, size_t len)
{
	for (uint32_t v = 0; v <= MAX_VERSION; v++)
		if (tu_value_is(key, v, p, len))
			return (int)v;
	return -1;
}

struct shared {
	vmap *writer;
	uint64_t total;  /* keys the writer appends */
	int done;        /* atomic: the writer has finished */
	int ready;       /* atomic: readers started */
	pthread_mutex_t lock;
	char failure[512];
	uint64_t seed;
};

static void report(struct shared *s, const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&s->lock);
	if (!s->failure[0]) {
		va_start(ap, fmt);
		vsnprintf(s->failure, sizeof s->failure, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&s->lock);
}

static int failed(struct shared *s)
{
	int f;
	pthread_mutex_lock(&s->lock);
	f = s->failure[0] != 0;
	pthread_mutex_unlock(&s->lock);
	return f;
}

/* ---- the reader: shared by threads and the reader process ---------------------- */

struct held {
	const char *p;
	size_t len;
	uint64_t key;
	int version;
};

struct reader {
	const vmap *m;
	struct tu_rng r;
	struct held held[16];
	uint64_t reads, nulls, last_next;
	char why[512];
};

/* One random read; 0 or -1 with why filled. */
static int read_one(struct reader *rd)
{
	uint64_t first = vmap_first_key(rd->m), next = vmap_next_key(rd->m), key;
	const char *p;
	size_t len = 0;
	int v;

	if (!next)
		return 0; /* nothing appended yet */
	if (first != FIRST_KEY || next < rd->last_next) {
		snprintf(rd->why, sizeof rd->why, "keys %" PRIu64 "..%" PRIu64 " after next %" PRIu64,
			 first, next, rd->last_next);
		return -1;
	}
	rd->last_next = next;
	/* half the reads go to the newest keys, where publication races are */
	if (tu_below(&rd->r, 2) && next - first > 64)
		key = next - 1 - tu_below(&rd->r, 64);
	else
		key = first + tu_below(&rd->r, next - first);
	p = vmap_get(rd->m, key, &len);
	rd->reads++;
	if (!p) {
		rd->nulls++;
		if (removable(key))
			return 0;
		snprintf(rd->why, sizeof rd->why, "key %" PRIu64 " below next_key %" PRIu64
			 " is NULL but was never removed", key, next);
		return -1;
	}
	v = version_of(key, p, len);
	if (v < 0) {
		snprintf(rd->why, sizeof rd->why, "key %" PRIu64 ": %zu bytes that are none of its "
			 "values", key, len);
		return -1;
	}
	if (tu_below(&rd->r, 64) == 0) {
		struct held *h = &rd->held[tu_below(&rd->r, 16)];
		if (h->p && !tu_value_is(h->key, (uint32_t)h->version, h->p, h->len)) {
			snprintf(rd->why, sizeof rd->why, "the value of key %" PRIu64 " read earlier "
				 "changed under its pointer", h->key);
			return -1;
		}
		h->p = p;
		h->len = len;
		h->key = key;
		h->version = v;
	}
	return 0;
}

static int check_held(struct reader *rd)
{
	for (int i = 0; i < 16; i++) {
		struct held *h = &rd->held[i];
		if (h->p && !tu_value_is(h->key, (uint32_t)h->version, h->p, h->len)) {
			snprintf(rd->why, sizeof rd->why, "held value of key %" PRIu64 " changed",
				 h->key);
			return -1;
		}
	}
	return 0;
}

/* After the writer: every key NULL (removable) or one of its values. */
static int read_all(struct reader *rd, uint64_t total)
{
	if (vmap_next_key(rd->m) != FIRST_KEY + total) {
		snprintf(rd->why, sizeof rd->why, "final next_key %" PRIu64 ", expected %" PRIu64,
			 vmap_next_key(rd->m), FIRST_KEY + total);
		return -1;
	}
	for (uint64_t key = FIRST_KEY; key < FIRST_KEY + total; key++) {
		size_t len;
		const char *p = vmap_get(rd->m, key, &len);
		if (p ? version_of(key, p, len) < 0 : !removable(key)) {
			snprintf(rd->why, sizeof rd->why, "final: key %" PRIu64 " wrong", key);
			return -1;
		}
	}
	return check_held(rd);
}

struct reader_thread {
	pthread_t tid;
	struct shared *s;
	struct reader rd;
	const char *handle; /* which handle it reads through */
};

static void *reader_main(void *arg)
{
	struct reader_thread *t = arg;
	__atomic_add_fetch(&t->s->ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&t->s->done, __ATOMIC_ACQUIRE)) {
		if (read_one(&t->rd)) {
			report(t->s, "reader thread on %s: %s", t->handle, t->rd.why);
			return NULL;
		}
	}
	if (read_all(&t->rd, t->s->total))
		report(t->s, "reader thread on %s: %s", t->handle, t->rd.why);
	return NULL;
}

/* A checker beside the writer: a healthy map is never called damaged. */
struct checker_thread {
	pthread_t tid;
	struct shared *s;
	long checks;
};

static void *checker_main(void *arg)
{
	struct checker_thread *c = arg;
	while (!__atomic_load_n(&c->s->done, __ATOMIC_ACQUIRE)) {
		int err = vmap_check(c->s->writer);
		c->checks++;
		if (err) {
			report(c->s, "check %ld beside the writer: %d (%s)", c->checks, err,
			       vmap_strerror(err));
			return NULL;
		}
	}
	return NULL;
}

/* ---- the writer ------------------------------------------------------------------ */

static void writer_run(struct shared *s)
{
	unsigned char *versions = calloc((size_t)s->total, 1);
	struct tu_rng r = {tu_mix(s->seed)};
	char buf[TU_VALUE_CAP + 1];
	int err;

	/* FIRST_KEY (i = 0) was appended before the readers started */
	for (uint64_t i = 1; i < s->total && !failed(s); i++) {
		uint64_t key = FIRST_KEY + i;
		size_t len = tu_value(key, 0, buf);
		if ((err = vmap_append(s->writer, key, buf, len))) {
			report(s, "writer: append %" PRIu64 ": %d (%s)", key, err, vmap_strerror(err));
			break;
		}
		if (i % 4 == 3) {
			uint64_t j = tu_below(&r, i + 1), k = FIRST_KEY + j;
			if (versions[j] < MAX_VERSION && vmap_get(s->writer, k, NULL)) {
				len = tu_value(k, ++versions[j], buf);
				if ((err = vmap_replace(s->writer, k, buf, len)))
					report(s, "writer: replace %" PRIu64 ": %d", k, err);
			}
		}
		if (i >= REMOVE_LAG && removable(key - REMOVE_LAG) &&
		    (err = vmap_remove(s->writer, key - REMOVE_LAG)))
			report(s, "writer: remove %" PRIu64 ": %d", key - REMOVE_LAG, err);
	}
	free(versions);
}

/* ---- a reader in another process ---------------------------------------------------- */

static int process_reader(const char *path, uint64_t total, uint64_t seed, int ready_fd,
			  int done_fd)
{
	struct reader rd = {.r = {seed}};
	vmap *m;
	int err = vmap_open(&m, path, VMAP_RDONLY);

	if (err) {
		fprintf(stderr, "reader process: open: %d\n", err);
		return 1;
	}
	rd.m = m;
	if (write(ready_fd, "r", 1) != 1)
		return 2;
	for (;;) {
		struct pollfd pfd = {.fd = done_fd, .events = POLLIN};
		for (int i = 0; i < 256; i++) {
			if (read_one(&rd)) {
				fprintf(stderr, "reader process: %s\n", rd.why);
				return 3;
			}
		}
		if (poll(&pfd, 1, 0) > 0)
			break; /* the writer is done: its end of the pipe closed */
	}
	if (read_all(&rd, total)) {
		fprintf(stderr, "reader process: %s\n", rd.why);
		return 4;
	}
	printf("# reader process: %" PRIu64 " reads, %" PRIu64 " NULL\n", rd.reads, rd.nulls);
	fflush(stdout);
	vmap_close(m);
	return 0;
}

/* ---- the test -------------------------------------------------------------------------- */

static void run(struct tu_fx *fx)
{
	struct shared s = {.writer = fx->m, .lock = PTHREAD_MUTEX_INITIALIZER};
	struct reader_thread t[READERS];
	struct checker_thread ck = {0};
	vmap *own = NULL;
	int ready[2], done[2], status;
	pid_t pid = -1;
	char c;
	double t0;

	s.total = (uint64_t)tu_scaled(fx->kind == TU_MEM ? 100000 : 60000);
	s.seed = tu_case_seed(tu_fx_kind(fx));
	/* the first key exists before anyone reads */
	{
		char buf[TU_VALUE_CAP + 1];
		assert_int_equal(vmap_append(fx->m, FIRST_KEY, buf, tu_value(FIRST_KEY, 0, buf)), 0);
	}
	if (fx->kind == TU_FILE && tu_no_fork())
		print_message("skipped part: the reader process, " TU_NO_FORK_REASON "\n");
	else if (fx->kind == TU_FILE) {
		/* a reader process, forked while this process has one thread */
		assert_int_equal(pipe(ready), 0);
		assert_int_equal(pipe(done), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			tu_child_init();
			close(ready[0]);
			close(done[1]);
			_exit(process_reader(fx->path, s.total, tu_mix(s.seed + 99), ready[1],
					     done[0]));
		}
		close(ready[1]);
		close(done[0]);
		assert_int_equal(read(ready[0], &c, 1), 1);
	}
	if (fx->kind == TU_FILE)
		assert_int_equal(vmap_open(&own, fx->path, VMAP_RDONLY), 0);
	memset(t, 0, sizeof t);
	for (int i = 0; i < READERS; i++) {
		t[i].s = &s;
		t[i].rd.r.s = tu_mix(s.seed + 1 + (uint64_t)i);
		/* for files, the last thread reads through its own read-only handle */
		t[i].rd.m = own && i == READERS - 1 ? own : fx->m;
		t[i].handle = t[i].rd.m == own ? "its own read-only handle" : "the writer's handle";
		assert_int_equal(pthread_create(&t[i].tid, NULL, reader_main, &t[i]), 0);
	}
	while (__atomic_load_n(&s.ready, __ATOMIC_ACQUIRE) < READERS)
		sched_yield();
	ck.s = &s;
	assert_int_equal(pthread_create(&ck.tid, NULL, checker_main, &ck), 0);
	t0 = tu_now();
	writer_run(&s);
	__atomic_store_n(&s.done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < READERS; i++)
		pthread_join(t[i].tid, NULL);
	pthread_join(ck.tid, NULL);
	if (pid > 0) {
		close(done[1]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		close(ready[0]);
		if (WIFSIGNALED(status))
			report(&s, "reader process killed by signal %d", WTERMSIG(status));
		else if (WEXITSTATUS(status))
			report(&s, "reader process failed (exit %d)", WEXITSTATUS(status));
	}
	print_message("%s: %" PRIu64 " appends in %.2f s beside readers of %" PRIu64 ", %" PRIu64
		      ", %" PRIu64 " gets and %ld checks\n",
		      tu_fx_kind(fx), s.total, tu_now() - t0, t[0].rd.reads, t[1].rd.reads,
		      t[2].rd.reads, ck.checks);
	vmap_close(own);
	if (s.failure[0])
		fail_msg("%s", s.failure);
	assert_int_equal(vmap_check(fx->m), 0);
}

static void test_writer_beside_readers(void **state)
{
	run(*state);
}

/*
 * The readers' group cache grows under them: a writer opens hundreds of
 * groups (the cache starts with room for 64 and doubles) while readers keep
 * reading the newest keys, so each of them learns groups through arrays and
 * windows that are being replaced. Not scaled: the growth is the point.
 */
struct grow_reader {
	pthread_t tid;
	const vmap *m;
	int *done;
	uint64_t reads;
	char failure[128];
};

static int tiny_value_ok(uint64_t key, const char *p, size_t len)
{
	return p && len == 1 + key % 7 && p[0] == (char)('a' + key % 26);
}

static void *grow_reader_main(void *arg)
{
	struct grow_reader *g = arg;
	struct tu_rng r = {(uint64_t)(uintptr_t)g};
	while (!__atomic_load_n(g->done, __ATOMIC_ACQUIRE)) {
		uint64_t next = vmap_next_key(g->m), key;
		size_t len = 0;
		const char *p;
		if (next < 2)
			continue;
		key = next - 1 - tu_below(&r, next < 2048 ? next - 1 : 2048);
		p = vmap_get_inline(g->m, key, &len);
		g->reads++;
		if (!tiny_value_ok(key, p, len)) {
			snprintf(g->failure, sizeof g->failure, "key %" PRIu64 ": %s", key,
				 p ? "wrong value" : "NULL");
			return NULL;
		}
	}
	return NULL;
}

static void test_cache_grows_under_readers(void **state)
{
	struct tu_fx *fx = *state;
	struct grow_reader g[READERS];
	uint64_t keys = 300 * GROUP_KEYS_FOR_TEST;
	int done = 0;
	char v[8];

	assert_int_equal(vmap_append(fx->m, 1, "bb", 2), 0); /* as tiny_value_ok wants */
	for (int i = 0; i < READERS; i++) {
		memset(&g[i], 0, sizeof g[i]);
		g[i].m = fx->m;
		g[i].done = &done;
		assert_int_equal(pthread_create(&g[i].tid, NULL, grow_reader_main, &g[i]), 0);
	}
	for (uint64_t key = 2; key < keys; key++) {
		size_t len = 1 + key % 7;
		memset(v, 'a' + (int)(key % 26), len);
		assert_int_equal(vmap_append(fx->m, key, v, len), 0);
	}
	__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < READERS; i++) {
		pthread_join(g[i].tid, NULL);
		if (g[i].failure[0])
			fail_msg("reader %d: %s", i, g[i].failure);
	}
	print_message("%s: %" PRIu64 " keys in %" PRIu64 " groups, %" PRIu64 " gets\n",
		      tu_fx_kind(fx), keys, keys / GROUP_KEYS_FOR_TEST,
		      g[0].reads + g[1].reads + g[2].reads);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_writer_beside_readers),
		TU_BOTH(test_cache_grows_under_readers),
	};
	tu_seed();
	return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}
