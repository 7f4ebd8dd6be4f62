/* SPDX-License-Identifier: MIT */
/*
 * hostile.c - damaged files never crash, and damaged values are found.
 *
 * 1. Random damage to a valid file (bit flips, bytes, stored integers set to
 *    telling values, zeroed or copied pages, a live journal full of garbage,
 *    truncation, garbage appended), aimed at the header, the tables, the slot
 *    blocks, the values or anywhere. A child process then opens the file
 *    read-only and as the writer, gets every key, checks, appends, replaces,
 *    removes and syncs. Any clean result is fine (error codes, NULLs); a
 *    signal or a hang is a failure, and the damaged file is kept to replay.
 * 2. A flipped bit in any byte of any live value (or its NUL) of a closed map
 *    must make vmap_check return VMAP_ECORRUPT.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

struct fixture {
	char *dir, *path;
	char *tmpl;   /* the valid file */
	size_t len;
	struct tu_model md;
};

/* A closed map: mixed values, replaced and removed keys, several groups. */
static void make_template(struct fixture *f, uint64_t n)
{
	char buf[TU_VALUE_CAP + 1];
	vmap *m;

	unlink(f->path);
	assert_int_equal(vmap_open(&m, f->path, VMAP_CREATE), 0);
	tu_model_free(&f->md);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t key = 77 + i;
		size_t len = tu_value(key, 0, buf);
		assert_int_equal(vmap_append(m, key, buf, len), 0);
		tu_model_append(&f->md, key, buf, len);
		if (i % 9 == 4) {
			uint64_t k = 77 + i / 2;
			len = tu_value(k, 1, buf);
			if (tu_model_get(&f->md, k)->live) {
				assert_int_equal(vmap_replace(m, k, buf, len), 0);
				tu_model_replace(&f->md, k, buf, len);
			}
		}
		if (i % 13 == 6) {
			assert_int_equal(vmap_remove(m, key), 0);
			tu_model_remove(&f->md, key);
		}
	}
	assert_int_equal(vmap_check(m), 0);
	vmap_close(m);
	free(f->tmpl);
	assert_int_equal(tu_read_file(f->path, &f->tmpl, &f->len), 0);
}

static int fixture_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	f->dir = tu_tmpdir_fast(); /* thousands of files written and flushed */
	f->path = tu_join(f->dir, "map.vmap");
	*state = f;
	return 0;
}

static int fixture_teardown(void **state)
{
	struct fixture *f = *state;
	tu_model_free(&f->md);
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f->tmpl);
	free(f);
	return 0;
}

/* ---- damage ----------------------------------------------------------------- */

static uint64_t get_le64(const char *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* An offset in a region the library cares about. */
static size_t aim(struct tu_rng *r, const char *file, size_t len, const char **where)
{
	const struct vmap_header *h = (const struct vmap_header *)file;
	unsigned what = (unsigned)tu_below(r, 10);
	uint64_t pos;

	if (what < 2) {
		*where = "header";
		return (size_t)tu_below(r, 1280 < len ? 1280 : len);
	}
	if (what < 4 && len >= 1280) {
		/* a stored word the header holds: a counter or a position */
		for (int tries = 0; tries < 64; tries++) {
			size_t at = 64 + 8 * (size_t)tu_below(r, (1280 - 64) / 8);
			if (get_le64(file + at)) {
				*where = "a header word";
				return at + (size_t)tu_below(r, 8);
			}
		}
	}
	if (what < 5) {
		static const size_t tables[] = {offsetof(struct vmap_header, dir_chunks),
						offsetof(struct vmap_header, far_chunks),
						offsetof(struct vmap_header, crc_chunks)};
		*where = "a table";
		pos = get_le64(file + tables[tu_below(r, 3)]);
		if (pos && pos < len)
			return (size_t)(pos + tu_below(r, len - pos < 4096 ? len - pos : 4096));
	}
	if (what < 7) {
		/* a slot block: follow a directory entry */
		uint64_t dir = get_le64(file + offsetof(struct vmap_header, dir_chunks));
		*where = "slots";
		if (dir && dir + 16 * 4 <= len) {
			uint64_t slots = get_le64(file + dir + 16 * tu_below(r, 3));
			if (slots && slots < len)
				return (size_t)(slots + tu_below(r, len - slots < 4096 ? len - slots
											 : 4096));
		}
	}
	(void)h;
	*where = "anywhere";
	return (size_t)tu_below(r, len);
}

static const uint64_t telling[] = {0, 1, 2, 4095, 4096, 4097, 0x7fffffff, 0x80000000,
				   0xffffffff, (uint64_t)1 << 40, (uint64_t)1 << 46,
				   UINT64_MAX, UINT64_MAX - 1, (uint64_t)1 << 63};

/* Damage a copy of the file; describe what was done. */
static char *damage(struct tu_rng *r, const char *tmpl, size_t tlen, size_t *len, char *what,
		    size_t wn)
{
	char *b = malloc(tlen + (128 << 10));
	const char *where = "";
	unsigned kind = (unsigned)tu_below(r, 9);
	size_t at;

	memcpy(b, tmpl, tlen);
	*len = tlen;
	at = aim(r, b, tlen, &where);
	switch (kind) {
	case 0:
		b[at] ^= (char)(1 << tu_below(r, 8));
		snprintf(what, wn, "bit flip at %zu (%s)", at, where);
		break;
	case 1: {
		int n = 2 + (int)tu_below(r, 15);
		for (int i = 0; i < n; i++) {
			size_t x = at + tu_below(r, 256);
			if (x < tlen)
				b[x] ^= (char)(1 << tu_below(r, 8));
		}
		snprintf(what, wn, "%d bit flips near %zu (%s)", n, at, where);
		break;
	}
	case 2:
		b[at] = (char)tu_rand(r);
		snprintf(what, wn, "byte set at %zu (%s)", at, where);
		break;
	case 3: {
		uint64_t v = tu_below(r, 3) ? telling[tu_below(r, sizeof telling / 8)] : tu_rand(r);
		at &= ~(size_t)7;
		if (tu_below(r, 3) == 0)
			v = tlen + tu_below(r, 3) - 1; /* about the file size */
		if (at + 8 <= tlen)
			memcpy(b + at, &v, 8);
		snprintf(what, wn, "u64 at %zu (%s) set to %#" PRIx64, at, where, v);
		break;
	}
	case 4:
		at &= ~(size_t)4095;
		memset(b + at, 0, tlen - at < 4096 ? tlen - at : 4096);
		snprintf(what, wn, "page at %zu zeroed (%s)", at, where);
		break;
	case 5: {
		size_t from = (size_t)tu_below(r, tlen) & ~(size_t)4095;
		at &= ~(size_t)4095;
		if (from + 4096 <= tlen && at + 4096 <= tlen)
			memcpy(b + at, tmpl + from, 4096);
		snprintf(what, wn, "page %zu copied over page %zu (%s)", from, at, where);
		break;
	}
	case 6: {
		/* an operation "in progress" with a garbage journal */
		size_t j = offsetof(struct vmap_header, journal);
		uint64_t one = 1;
		tu_fill(r, b + j, sizeof(struct vmap_journal));
		memcpy(b + j, &one, 8);
		if (tu_below(r, 2)) /* a plausible kind, so recovery acts on it */
			memcpy(b + j + offsetof(struct vmap_journal, kind),
			       &(uint32_t){1 + (uint32_t)tu_below(r, 4)}, 4);
		snprintf(what, wn, "garbage journal marked active");
		break;
	}
	case 7:
		*len = (size_t)tu_below(r, tlen);
		snprintf(what, wn, "truncated to %zu of %zu", *len, tlen);
		break;
	default: {
		size_t extra = 1 + (size_t)tu_below(r, 128 << 10);
		tu_fill(r, b + tlen, extra);
		*len = tlen + extra;
		snprintf(what, wn, "%zu bytes of garbage appended", extra);
		break;
	}
	}
	return b;
}

/* ---- the victim: everything a program might do with the file ---------------------- */

static volatile size_t sink; /* so the bytes read are really read */

static void read_everything(const vmap *m)
{
	uint64_t first = vmap_first_key(m), next = vmap_next_key(m), n = next - first;
	struct vmap_stat st;

	vmap_count(m);
	vmap_stat(m, &st);
	if (!next)
		n = 0;
	for (uint64_t i = 0; i < (n < 20000 ? n : 20000); i++) {
		uint64_t key = n < 20000 ? first + i : first + tu_mix(i) % n;
		size_t len = 0;
		const char *p = vmap_get(m, key, &len);
		if (p && len) /* touch the first and last byte, and the NUL */
			sink += (size_t)p[0] + (size_t)p[len - 1] + (size_t)p[len];
	}
	vmap_get(m, first - 1, NULL);
	vmap_get(m, next, NULL);
	vmap_get(m, UINT64_MAX, NULL);
	vmap_check(m);
}

static int victim(const char *path)
{
	vmap *m;
	alarm(30); /* a hang is a failure too: SIGALRM */
	if (!vmap_open(&m, path, VMAP_RDONLY)) {
		read_everything(m);
		vmap_close(m);
	}
	if (!vmap_open(&m, path, 0)) {
		uint64_t first = vmap_first_key(m);
		read_everything(m);
		vmap_append(m, vmap_next_key(m), "appended", 8);
		vmap_append(m, vmap_next_key(m), "with\0nul", 8);
		vmap_replace(m, first, "replaced", 8);
		vmap_remove(m, first + 1);
		vmap_sync(m);
		read_everything(m);
		vmap_close(m);
		if (!vmap_open(&m, path, VMAP_RDONLY)) {
			read_everything(m);
			vmap_close(m);
		}
	}
	return 0;
}

/*
 * Run the victim on path as a child: its exit status, as waitpid gives it.
 * Without fork (qemu-user) it runs in this process, where a crash fails the
 * whole program instead of one iteration; said once, not silently.
 */
static int victim_status(const char *path)
{
	static int told;
	int status;
	pid_t pid;

	if (tu_no_fork()) {
		if (!told++)
			print_message("the victim runs in this process: " TU_NO_FORK_REASON "\n");
		status = victim(path);
		alarm(0);
		return status << 8;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		tu_child_init();
		_exit(victim(path));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void damage_loop(struct fixture *f, long iterations, uint64_t seed)
{
	struct tu_rng r = {seed};
	char what[200];
	long crashes = 0;

	for (long it = 0; it < iterations; it++) {
		size_t len;
		char *b = damage(&r, f->tmpl, f->len, &len, what, sizeof what);
		int status;

		assert_int_equal(tu_write_file(f->path, b, len), 0);
		status = victim_status(f->path);
		if (WIFSIGNALED(status) || WEXITSTATUS(status)) {
			char keep[128];
			snprintf(keep, sizeof keep, "/tmp/vmap-hostile-%" PRIu64 "-%ld.vmap", seed, it);
			tu_write_file(keep, b, len);
			print_message("iteration %ld: %s: %s %d; the file is kept as %s\n", it, what,
				      WIFSIGNALED(status) ? "killed by signal" : "exit",
				      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
				      keep);
			if (++crashes >= 5)
				break;
		}
		free(b);
	}
	if (crashes)
		fail_msg("%ld damaged files crashed or hung the library (see above)", crashes);
}

static void test_damaged_files_never_crash(void **state)
{
	struct fixture *f = *state;
	uint64_t seed = tu_case_seed("damage");
	double t0 = tu_now();
	long n = tu_scaled(1500);

	make_template(f, 3000);
	damage_loop(f, n, seed);
	make_template(f, 30); /* a small map: header and tail blocks dominate */
	damage_loop(f, n / 2, tu_mix(seed));
	print_message("%ld damaged files survived in %.1f s\n", n + n / 2, tu_now() - t0);
}

/* Run the victim on a damaged copy; 0 if it survived. */
static int survives(struct fixture *f, const char *b, size_t len, const char *what)
{
	int status;

	assert_int_equal(tu_write_file(f->path, b, len), 0);
	status = victim_status(f->path);
	if (!WIFSIGNALED(status) && !WEXITSTATUS(status))
		return 0;
	print_message("%s: %s %d\n", what, WIFSIGNALED(status) ? "killed by signal" : "exit",
		      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return -1;
}

/*
 * Every stored word a writer acts on, one at a time, set to telling wrong
 * values: the header's counters and table positions, and the directory
 * entries of the last two groups (where appends go).
 */
static void test_damaged_stored_words_never_crash(void **state)
{
	struct fixture *f = *state;
	size_t offsets[256], n = 0;
	long tried = 0, crashes = 0;
	uint64_t count, groups;
	char *b;

	make_template(f, 3000);
	for (size_t at = 64; at < 1280; at += 8)
		if (get_le64(f->tmpl + at) && n < 200)
			offsets[n++] = at;
	count = get_le64(f->tmpl + offsetof(struct vmap_header, live));
	groups = (count + GROUP_KEYS - 1) / GROUP_KEYS;
	for (uint64_t g = groups >= 2 ? groups - 2 : 0; g < groups; g++) {
		uint64_t in;
		unsigned c = table_chunk_of(g, vmi_table_shapes[TABLE_DIR].first_shift, &in);
		uint64_t chunk = get_le64(f->tmpl + offsetof(struct vmap_header, dir_chunks) + 8 * c);
		if (chunk && chunk + (in + 1) * 16 <= f->len) {
			offsets[n++] = (size_t)(chunk + in * 16);
			offsets[n++] = (size_t)(chunk + in * 16 + 8);
		}
	}
	b = malloc(f->len);
	for (size_t i = 0; i < n; i++) {
		uint64_t v = get_le64(f->tmpl + offsets[i]);
		const uint64_t bad[] = {v + 1, v - 1, v ^ ((uint64_t)1 << 40), v ^ 4096, f->len,
					f->len - 8, UINT64_MAX, (uint64_t)1 << 46};
		for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
			char what[128];
			memcpy(b, f->tmpl, f->len);
			memcpy(b + offsets[i], &bad[k], 8);
			snprintf(what, sizeof what, "word at %zu: %#" PRIx64 " -> %#" PRIx64,
				 offsets[i], v, bad[k]);
			tried++;
			if (survives(f, b, f->len, what) && ++crashes >= 10)
				break;
		}
		if (crashes >= 10)
			break;
	}
	free(b);
	if (crashes)
		fail_msg("%ld of %ld damaged stored words crashed the library", crashes, tried);
	print_message("%ld damaged stored words survived\n", tried);
}

/* ---- flipped value bits ---------------------------------------------------------------- */

/* Where the value of key lies in the file, found by the library's own walk. */
static uint64_t value_position(const vmap *m, uint64_t key)
{
	const struct vmap_dir_entry *d;
	struct value_ref v;
	uint32_t *slot;

	if (vmi_slot_find(m, key - vmap_first_key(m), &d, &slot) || vmi_value_find(m, d, LOAD(slot), &v))
		fail_msg("key %" PRIu64 " has no value to flip", key);
	return v.pos;
}

struct spot {
	uint64_t pos, key;
};

static void flip_and_check(struct fixture *f, const struct spot *s, struct tu_rng *r,
			   int as_writer)
{
	char *b = malloc(f->len);
	vmap *m;
	int err;

	memcpy(b, f->tmpl, f->len);
	b[s->pos] ^= (char)(1 << tu_below(r, 8));
	assert_int_equal(tu_write_file(f->path, b, f->len), 0);
	free(b);
	err = vmap_open(&m, f->path, as_writer ? 0 : VMAP_RDONLY);
	if (err == VMAP_ECORRUPT)
		return;
	if (err)
		fail_msg("open after a flip at %" PRIu64 ": %d", s->pos, err);
	err = vmap_check(m);
	vmap_close(m);
	if (err != VMAP_ECORRUPT)
		fail_msg("a flipped bit at position %" PRIu64 " in the value of key %" PRIu64
			 ": vmap_check %s returned %d, expected VMAP_ECORRUPT",
			 s->pos, s->key, as_writer ? "(writer)" : "(read-only)", err);
}

static void flips_in_values(struct fixture *f, uint64_t n, long max_spots, uint64_t seed)
{
	struct tu_rng r = {seed};
	struct spot *spots = NULL;
	size_t nspots = 0, cap = 0;
	vmap *m;

	make_template(f, n);
	assert_int_equal(tu_write_file(f->path, f->tmpl, f->len), 0);
	assert_int_equal(vmap_open(&m, f->path, VMAP_RDONLY), 0);
	for (uint64_t key = f->md.first; key < tu_model_next(&f->md); key++) {
		size_t len;
		uint64_t pos;
		if (!vmap_get(m, key, &len))
			continue;
		pos = value_position(m, key);
		for (size_t i = 0; i <= len; i++) { /* the NUL too */
			if (nspots == cap) {
				cap = cap ? cap * 2 : 4096;
				spots = realloc(spots, cap * sizeof *spots);
			}
			spots[nspots].pos = pos + i;
			spots[nspots].key = key;
			nspots++;
		}
	}
	vmap_close(m);
	/* every spot, or a random sample of max_spots of them */
	for (long i = 0; i < (long)nspots && i < max_spots; i++) {
		size_t pick = (long)nspots <= max_spots ? (size_t)i : (size_t)tu_below(&r, nspots);
		flip_and_check(f, &spots[pick], &r, i % 8 == 7);
	}
	print_message("%" PRIu64 " entries: %ld of %zu value bytes flipped, all found\n", n,
		      (long)nspots < max_spots ? (long)nspots : max_spots, nspots);
	free(spots);
}

static void test_flipped_value_bits_are_found(void **state)
{
	struct fixture *f = *state;
	uint64_t seed = tu_case_seed("flips");
	flips_in_values(f, 20, 100000, seed); /* every byte */
	flips_in_values(f, 40, tu_scaled(3000), tu_mix(seed));
	flips_in_values(f, 5000, tu_scaled(3000), tu_mix(seed + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		{"test_damaged_files_never_crash", test_damaged_files_never_crash, fixture_setup,
		 fixture_teardown, NULL},
		{"test_damaged_stored_words_never_crash", test_damaged_stored_words_never_crash,
		 fixture_setup, fixture_teardown, NULL},
		{"test_flipped_value_bits_are_found", test_flipped_value_bits_are_found,
		 fixture_setup, fixture_teardown, NULL},
	};
	tu_seed();
	return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
