/* SPDX-License-Identifier: MIT */
/*
 * crash.c - kill -9 at random moments. A writer child appends (and sometimes
 * replaces, removes, syncs) deterministic values and tells the parent, over a
 * pipe, what it is about to do and what has returned. The parent SIGKILLs it
 * after a random delay, reopens the file as the writer and checks: every
 * acknowledged entry is there with its last acknowledged value, the one call
 * in flight shows its old or its new state, nothing lies beyond, counters and
 * vmap_check agree. Then it appends one entry itself and the next round's
 * child carries on from the file's next key.
 *
 *   default: 200 rounds or 20 s, times VMAP_TEST_SCALE
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FIRST_KEY ((uint64_t)1 << 40)
#define MAX_VERSION 7

enum { OP_APPEND = 1, OP_REPLACE, OP_REMOVE, OP_SYNC };
enum { INTENT = 1, DONE = 2 };

struct rec {
	uint32_t phase, op;
	uint64_t key;
	uint32_t version;
	int32_t result; /* of a remove, which the child makes blindly */
};

/* Mostly short values, one in eight as tu_value made it (up to 8 KiB). */
static size_t crash_value(uint64_t key, uint32_t version, char *buf)
{
	size_t len = tu_value(key, version, buf);
	if (tu_mix(key * 31 + version) % 8 && len > 100) {
		len = 100;
		buf[len] = '\0';
	}
	return len;
}

static int crash_value_is(uint64_t key, uint32_t version, const char *p, size_t len)
{
	char want[TU_VALUE_CAP + 1];
	size_t n = crash_value(key, version, want);
	return n == len && !memcmp(p, want, n) && !p[n];
}

static int version_of(uint64_t key, const char *p, size_t len)
{
	for (uint32_t v = 0; v <= MAX_VERSION; v++)
		if (crash_value_is(key, v, p, len))
			return (int)v;
	return -1;
}

/* ---- the writer child ------------------------------------------------------- */

static void tell(int fd, uint32_t phase, uint32_t op, uint64_t key, uint32_t version,
		 int result)
{
	struct rec r = {phase, op, key, version, result};
	if (write(fd, &r, sizeof r) != (ssize_t)sizeof r)
		_exit(30);
}

static void child_fail(const char *what, uint64_t key, int err)
{
	fprintf(stderr, "writer child: %s %" PRIu64 ": %d (%s)\n", what, key, err,
		vmap_strerror(err));
	_exit(20);
}

static void writer_child(const char *path, int fd, uint64_t seed)
{
	struct tu_rng r = {seed};
	char buf[TU_VALUE_CAP + 1];
	vmap *m;
	int err = vmap_open(&m, path, 0);

	uint64_t unsynced; /* keys from here on were never flushed */
	/* Half the lives never flush (no sync, no replace of a synced key), so
	 * kills land in the cheap calls rather than mostly in fdatasync. */
	int flushes = tu_below(&r, 2);

	if (err)
		child_fail("open", 0, err);
	unsynced = vmap_next_key(m);
	for (;;) {
		uint64_t next = vmap_next_key(m), key;
		unsigned what = (unsigned)tu_below(&r, 100);
		const char *p;
		size_t len;
		int v;

		if (what < 88 || (what == 99 && (!flushes || tu_below(&r, 4)))) {
			len = crash_value(next, 0, buf);
			tell(fd, INTENT, OP_APPEND, next, 0, 0);
			if ((err = vmap_append(m, next, buf, len)))
				child_fail("append", next, err);
			tell(fd, DONE, OP_APPEND, next, 0, 0);
			continue;
		}
		if (what == 99) {
			tell(fd, INTENT, OP_SYNC, 0, 0, 0);
			if ((err = vmap_sync(m)))
				child_fail("sync", 0, err);
			tell(fd, DONE, OP_SYNC, 0, 0, 0);
			unsynced = next;
			continue;
		}
		/* Replacing a synced key flushes the file, which is slow: mostly
		 * replace keys of this life, so most kills land in cheap calls. */
		if (what < 94 && next > unsynced && (!flushes || tu_below(&r, 10)))
			key = unsynced + tu_below(&r, next - unsynced);
		else if (what < 94 && !flushes)
			continue;
		else
			key = FIRST_KEY + tu_below(&r, next - FIRST_KEY);
		if (what >= 94) {
			/* blind: the first touch of the key may be this write */
			tell(fd, INTENT, OP_REMOVE, key, 0, 0);
			err = vmap_remove(m, key);
			if (err && err != -ENOENT)
				child_fail("remove", key, err);
			tell(fd, DONE, OP_REMOVE, key, 0, err);
			continue;
		}
		p = vmap_get(m, key, &len);
		if (!p)
			continue; /* removed */
		v = version_of(key, p, len);
		if (v < 0)
			child_fail("value of", key, 0);
		if (v < MAX_VERSION) {
			len = crash_value(key, (uint32_t)v + 1, buf);
			tell(fd, INTENT, OP_REPLACE, key, (uint32_t)v + 1, 0);
			if ((err = vmap_replace(m, key, buf, len)))
				child_fail("replace", key, err);
			tell(fd, DONE, OP_REPLACE, key, (uint32_t)v + 1, 0);
			if (key < unsynced)
				unsynced = next; /* that flushed everything */
		}
	}
}

/* ---- the parent's model ----------------------------------------------------------- */

struct model {
	uint64_t next; /* acknowledged: keys [FIRST_KEY, next) */
	uint8_t *version, *live;
	uint64_t cap, live_count;
	uint64_t *touched;
	size_t ntouched, touched_cap;
	struct rec pending; /* a call that started and did not return; phase 0 if none */
};

static void touch(struct model *md, uint64_t key)
{
	if (md->ntouched == md->touched_cap) {
		md->touched_cap = md->touched_cap ? md->touched_cap * 2 : 4096;
		md->touched = realloc(md->touched, md->touched_cap * sizeof *md->touched);
	}
	md->touched[md->ntouched++] = key;
}

static void model_append(struct model *md, uint64_t key)
{
	uint64_t i = key - FIRST_KEY;
	if (key != md->next)
		fail_msg("acknowledged append of %" PRIu64 ", expected key %" PRIu64, key, md->next);
	if (i >= md->cap) {
		md->cap = md->cap ? md->cap * 2 : 65536;
		md->version = realloc(md->version, md->cap);
		md->live = realloc(md->live, md->cap);
	}
	md->version[i] = 0;
	md->live[i] = 1;
	md->live_count++;
	md->next++;
	touch(md, key);
}

static void model_apply(struct model *md, const struct rec *r)
{
	uint64_t i = r->key - FIRST_KEY;
	switch (r->op) {
	case OP_APPEND:
		model_append(md, r->key);
		break;
	case OP_REPLACE:
		md->version[i] = (uint8_t)r->version;
		touch(md, r->key);
		break;
	case OP_REMOVE:
		if (r->phase == DONE && r->result != (md->live[i] ? 0 : -ENOENT))
			fail_msg("remove of key %" PRIu64 " returned %d, but it was %s", r->key,
				 r->result, md->live[i] ? "live" : "removed");
		if (md->live[i]) {
			md->live[i] = 0;
			md->live_count--;
		}
		touch(md, r->key);
		break;
	}
}

/* Read the child's records to the end of the pipe. */
static void drain(struct model *md, int fd)
{
	struct rec r;
	ssize_t n;
	while ((n = read(fd, &r, sizeof r)) == (ssize_t)sizeof r) {
		if (r.phase == INTENT) {
			md->pending = r;
		} else {
			model_apply(md, &r);
			md->pending.phase = 0;
		}
	}
	if (n != 0)
		fail_msg("reading the pipe: %zd", n);
}

static const char *key_state(const vmap *m, const struct model *md, uint64_t key)
{
	size_t len;
	const char *p = vmap_get(m, key, &len);
	uint64_t i = key - FIRST_KEY;
	if (!md->live[i])
		return p ? "removed key has a value" : NULL;
	if (!p)
		return "acknowledged key is NULL";
	return crash_value_is(key, md->version[i], p, len) ? NULL
							   : "not its last acknowledged value";
}

/* The call in flight may or may not have happened: see which, and adopt it. */
static void settle_pending(const vmap *m, struct model *md)
{
	struct rec *r = &md->pending;
	size_t len;
	const char *p;

	if (!r->phase)
		return;
	switch (r->op) {
	case OP_APPEND:
		if (vmap_next_key(m) == md->next + 1)
			model_append(md, r->key);
		break;
	case OP_REPLACE:
		p = vmap_get(m, r->key, &len);
		if (p && crash_value_is(r->key, r->version, p, len))
			model_apply(md, r);
		break;
	case OP_REMOVE:
		if (!vmap_get(m, r->key, NULL) && md->live[r->key - FIRST_KEY])
			model_apply(md, r);
		break;
	}
	r->phase = 0;
}

static void verify(const vmap *m, struct model *md, struct tu_rng *rng, int everything,
		   int round)
{
	const char *bad;
	struct vmap_stat st;
	int err;

	settle_pending(m, md);
	if (vmap_next_key(m) != md->next)
		fail_msg("round %d: next_key %" PRIu64 ", acknowledged up to %" PRIu64, round,
			 vmap_next_key(m), md->next - 1);
	if (vmap_get(m, md->next, NULL) || vmap_get(m, md->next + 1, NULL))
		fail_msg("round %d: a key past the last acknowledged one", round);
	if (vmap_first_key(m) != FIRST_KEY)
		fail_msg("round %d: first_key %" PRIu64, round, vmap_first_key(m));
	if (vmap_count(m) != md->live_count)
		fail_msg("round %d: count %" PRIu64 ", expected %" PRIu64, round, vmap_count(m),
			 md->live_count);
	assert_int_equal(vmap_stat(m, &st), 0);
	if (st.removed != md->next - FIRST_KEY - md->live_count)
		fail_msg("round %d: stat.removed %" PRIu64 ", expected %" PRIu64, round, st.removed,
			 md->next - FIRST_KEY - md->live_count);
	for (size_t i = 0; i < md->ntouched; i++)
		if ((bad = key_state(m, md, md->touched[i])))
			fail_msg("round %d: key %" PRIu64 ": %s", round, md->touched[i], bad);
	md->ntouched = 0;
	for (uint64_t n = 0, keys = md->next - FIRST_KEY; n < (everything ? keys : 2000); n++) {
		uint64_t key = FIRST_KEY + (everything ? n : tu_below(rng, keys));
		if ((bad = key_state(m, md, key)))
			fail_msg("round %d: key %" PRIu64 ": %s", round, key, bad);
	}
	if ((err = vmap_check(m)))
		fail_msg("round %d: vmap_check: %d (%s)", round, err, vmap_strerror(err));
}

/* ---- the test ---------------------------------------------------------------------------- */

static void sleep_us(uint64_t us)
{
	struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Mostly inside the writer's loop; some during its open and recovery. */
static uint64_t kill_delay(struct tu_rng *r)
{
	unsigned k = (unsigned)tu_below(r, 10);
	if (k < 2)
		return tu_below(r, 1000);
	return 1000 + tu_below(r, 6000);
}

static void kill_writer_at_random(void)
{
	struct tu_rng r = {tu_case_seed("crash")};
	long rounds = tu_scaled(200), in_call[5] = {0};
	double budget = 20.0 * tu_scale(), t0 = tu_now();
	char *dir = tu_tmpdir_fast(), *path = tu_join(dir, "map.vmap");
	char buf[TU_VALUE_CAP + 1];
	struct model md = {.next = FIRST_KEY};
	vmap *m;
	int round;

	assert_int_equal(vmap_open(&m, path, VMAP_CREATE), 0);
	assert_int_equal(vmap_append(m, FIRST_KEY, buf, crash_value(FIRST_KEY, 0, buf)), 0);
	model_append(&md, FIRST_KEY);
	vmap_close(m);

	for (round = 0; round < rounds && tu_now() - t0 < budget; round++) {
		int fds[2], status;
		pid_t pid;
		uint64_t seed = tu_rand(&r);

		assert_int_equal(pipe(fds), 0);
		/* room for every record, so the child never waits on the pipe */
		fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			tu_child_init();
			close(fds[0]);
			writer_child(path, fds[1], seed);
			_exit(0);
		}
		close(fds[1]);
		sleep_us(kill_delay(&r));
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		drain(&md, fds[0]);
		close(fds[0]);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
			if (WIFSIGNALED(status))
				fail_msg("round %d: the writer died of signal %d (%s)", round,
					 WTERMSIG(status), strsignal(WTERMSIG(status)));
			fail_msg("round %d: the writer exited with %d (see its message)", round,
				 WEXITSTATUS(status));
		}
		if (md.pending.phase)
			in_call[md.pending.op]++;

		assert_int_equal(vmap_open(&m, path, 0), 0);
		verify(m, &md, &r, round % 25 == 24, round);
		/* the parent writes too, then hands over */
		assert_int_equal(vmap_append(m, md.next, buf, crash_value(md.next, 0, buf)), 0);
		model_append(&md, md.next);
		vmap_close(m);
	}
	assert_int_equal(vmap_open(&m, path, VMAP_RDONLY), 0);
	verify(m, &md, &r, 1, round);
	vmap_close(m);
	print_message("%d rounds in %.1f s; killed inside append %ld, replace %ld, remove %ld, "
		      "sync %ld; %" PRIu64 " keys, %" PRIu64 " live\n",
		      round, tu_now() - t0, in_call[OP_APPEND], in_call[OP_REPLACE],
		      in_call[OP_REMOVE], in_call[OP_SYNC], md.next - FIRST_KEY, md.live_count);
	free(md.version);
	free(md.live);
	free(md.touched);
	tu_rmtree(dir);
	free(dir);
	free(path);
}

static void test_kill_writer_at_random(void **state)
{
	(void)state;
	tu_skip_without_fork();
	kill_writer_at_random();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_ONE(test_kill_writer_at_random),
	};
	tu_seed();
	return cmocka_run_group_tests_name("crash", tests, NULL, NULL);
}
