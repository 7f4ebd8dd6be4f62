/* SPDX-License-Identifier: MIT */
/*
 * testutil.h - what every test program shares: seeds and scale, a small
 * PRNG, temporary directories, deterministic values, a model of a map, and
 * the fixture that runs one test on both an in-memory and a file-backed map.
 *
 *   VMAP_SEED=n        replay a run (every program prints the seed it used)
 *   VMAP_TEST_SCALE=x  multiply the sizes of the long tests (default 1)
 */
#ifndef VMAP_TESTUTIL_H
#define VMAP_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmap.h"

/* Built with ThreadSanitizer: some tests skip what would take it minutes. */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif

/* ---- seeds, scale, random numbers --------------------------------------- */

/* The run's seed: VMAP_SEED if set, else time and pid. Printed once. */
uint64_t tu_seed(void);
/* A seed for one test case, derived from the run's seed and its name. */
uint64_t tu_case_seed(const char *name);
double tu_scale(void);
long tu_scaled(long n); /* n * scale, at least 1 */

struct tu_rng {
	uint64_t s;
};

uint64_t tu_rand(struct tu_rng *r);
uint64_t tu_below(struct tu_rng *r, uint64_t n); /* 0 <= x < n; 0 if n == 0 */
void tu_fill(struct tu_rng *r, void *buf, size_t len);
uint64_t tu_mix(uint64_t x); /* a good 64-bit hash */
double tu_now(void);         /* seconds, monotonic */

/* ---- files ---------------------------------------------------------------- */

char *tu_tmpdir(void); /* a fresh mkdtemp directory under /tmp */
/* For tests that write and flush thousands of files and need no real disk:
 * a directory on /dev/shm when there is one, else under /tmp. */
char *tu_tmpdir_fast(void);
void tu_rmtree(const char *dir);
char *tu_join(const char *dir, const char *name);
/* Whole-file helpers: 0 or -errno. */
int tu_read_file(const char *path, char **buf, size_t *len);
int tu_write_file(const char *path, const void *buf, size_t len);
int tu_copy_file(const char *from, const char *to);
/* A forked child must not return into cmocka: reset its signal handlers. */
void tu_child_init(void);
/*
 * Under qemu-user on some machines every fork()ed child hangs: there the CI
 * script sets VMAP_TEST_NO_FORK=1, and a test that needs a child process is
 * skipped with this printed reason, never silently.
 */
int tu_no_fork(void);
#define TU_NO_FORK_REASON "fork under qemu-user (VMAP_TEST_NO_FORK is set)"
#define tu_skip_without_fork()                                                  \
	do {                                                                    \
		if (tu_no_fork()) {                                             \
			print_message("skipped: " TU_NO_FORK_REASON "\n");     \
			skip();                                                 \
		}                                                               \
	} while (0)
/* The page size the library should see: VMAP_SIM_PAGE when set (a larger
 * page simulated, see src/simpage.c), else the machine's. */
size_t tu_page_size(void);

/* ---- deterministic values --------------------------------------------------- */

/*
 * The value of (key, version), derived from a hash of both, so a reader in
 * another thread or process can verify a value without sharing memory.
 * Lengths: 0, short, up to 1 KiB (inline), up to max_len (far); some hold
 * NULs. TU_VALUE_CAP bounds every length.
 */
#define TU_VALUE_CAP 8192
size_t tu_value(uint64_t key, uint32_t version, char *buf);
int tu_value_is(uint64_t key, uint32_t version, const char *p, size_t len);

/* ---- a model of a map --------------------------------------------------------- */

struct tu_entry {
	char *val;
	size_t len;
	int live;
};

struct tu_model {
	uint64_t first;  /* first key, valid when n > 0 */
	uint64_t n;      /* keys appended */
	int spent;       /* UINT64_MAX appended */
	struct tu_entry *e;
	uint64_t cap;
	uint64_t live, removed, value_bytes;
};

void tu_model_init(struct tu_model *md);
void tu_model_free(struct tu_model *md);
void tu_model_copy(struct tu_model *dst, const struct tu_model *src);
uint64_t tu_model_next(const struct tu_model *md); /* as vmap_next_key */
void tu_model_append(struct tu_model *md, uint64_t key, const void *val, size_t len);
void tu_model_replace(struct tu_model *md, uint64_t key, const void *val, size_t len);
void tu_model_remove(struct tu_model *md, uint64_t key);
const struct tu_entry *tu_model_get(const struct tu_model *md, uint64_t key);

/*
 * Compare one key, or the whole map (counters, stat, every key, keys around
 * the ends, vmap_check): 0 if equal, else -1 with a description in why.
 * Usable in forked children; tu_model_assert is the cmocka form.
 */
int tu_model_diff_key(const vmap *m, const struct tu_model *md, uint64_t key, char *why,
		      size_t n);
int tu_model_diff(const vmap *m, const struct tu_model *md, char *why, size_t n);
/* The same, but of the keys only the first and last 1024 and `sample` random
 * ones: for big maps where an operation only touched the end. */
int tu_model_diff_sampled(const vmap *m, const struct tu_model *md, uint64_t sample,
			  struct tu_rng *r, char *why, size_t n);
#define tu_model_assert(m, md)                                          \
	do {                                                            \
		char why_[256];                                         \
		if (tu_model_diff((m), (md), why_, sizeof why_))        \
			fail_msg("map differs from model: %s", why_);   \
	} while (0)
#define tu_model_assert_key(m, md, key)                                        \
	do {                                                                   \
		char why_[256];                                                \
		if (tu_model_diff_key((m), (md), (key), why_, sizeof why_))    \
			fail_msg("map differs from model: %s", why_);          \
	} while (0)

/* ---- one test on both kinds of map ------------------------------------------- */

enum { TU_MEM, TU_FILE };

struct tu_fx {
	int kind;
	char *dir;  /* file kind: the temporary directory */
	char *path; /* file kind: dir/map.vmap */
	vmap *m;
	struct tu_model md;
	struct tu_rng rng;
};

extern int tu_kind_mem, tu_kind_file;
int tu_fx_setup(void **state);    /* initial state: &tu_kind_mem or &tu_kind_file */
int tu_fx_teardown(void **state);
void tu_fx_fresh(struct tu_fx *fx); /* a new empty map (and model) */
void tu_fx_reopen(struct tu_fx *fx); /* file: close and open again; memory: nothing */
const char *tu_fx_kind(const struct tu_fx *fx);

#define TU_BOTH(f)                                                     \
	{#f "/mem", f, tu_fx_setup, tu_fx_teardown, &tu_kind_mem},     \
	{#f "/file", f, tu_fx_setup, tu_fx_teardown, &tu_kind_file}
#define TU_ONE(f) {#f, f, NULL, NULL, NULL}

/* Append through the model and the map together; asserts success. */
void tu_fx_append(struct tu_fx *fx, const void *val, size_t len);

#endif
