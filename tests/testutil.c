/* SPDX-License-Identifier: MIT */
/* testutil.c - see testutil.h. */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- seeds, scale, random numbers --------------------------------------- */

static uint64_t run_seed;
static int have_seed;

uint64_t tu_seed(void)
{
	const char *env = getenv("VMAP_SEED");
	struct timespec ts;

	if (have_seed)
		return run_seed;
	if (env && *env) {
		run_seed = strtoull(env, NULL, 0);
	} else {
		clock_gettime(CLOCK_REALTIME, &ts);
		run_seed = tu_mix((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
				  ((uint64_t)getpid() << 8)) % 1000000000000ull;
	}
	have_seed = 1;
	printf("# seed %" PRIu64 " (replay with VMAP_SEED=%" PRIu64 "), scale %g\n", run_seed,
	       run_seed, tu_scale());
	fflush(stdout);
	return run_seed;
}

uint64_t tu_case_seed(const char *name)
{
	uint64_t h = tu_seed();
	while (*name)
		h = tu_mix(h ^ (unsigned char)*name++);
	return h;
}

double tu_scale(void)
{
	const char *env = getenv("VMAP_TEST_SCALE");
	double x = env && *env ? strtod(env, NULL) : 1.0;
	return x > 0 ? x : 1.0;
}

long tu_scaled(long n)
{
	double x = (double)n * tu_scale();
	return x < 1 ? 1 : (long)x;
}

uint64_t tu_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

uint64_t tu_rand(struct tu_rng *r)
{
	r->s += 0x9e3779b97f4a7c15ull;
	return tu_mix(r->s);
}

uint64_t tu_below(struct tu_rng *r, uint64_t n)
{
	return n ? tu_rand(r) % n : 0;
}

void tu_fill(struct tu_rng *r, void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len >= 8) {
		uint64_t x = tu_rand(r);
		memcpy(p, &x, 8);
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t x = tu_rand(r);
		memcpy(p, &x, len);
	}
}

double tu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- files ---------------------------------------------------------------- */

static char *make_tmpdir(const char *template)
{
	char *dir = strdup(template);
	if (!dir || !mkdtemp(dir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", template, strerror(errno));
		abort();
	}
	return dir;
}

char *tu_tmpdir(void)
{
	return make_tmpdir("/tmp/vmap-test-XXXXXX");
}

char *tu_tmpdir_fast(void)
{
	if (access("/dev/shm", W_OK) == 0)
		return make_tmpdir("/dev/shm/vmap-test-XXXXXX");
	return tu_tmpdir();
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void tu_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *tu_join(const char *dir, const char *name)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	return p;
}

int tu_read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -errno;
	}
	*buf = malloc((size_t)st.st_size + 1);
	if (!*buf)
		abort();
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, *buf + got, (size_t)st.st_size - got, (off_t)got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*len = got;
	return 0;
}

int tu_write_file(const char *path, const void *buf, size_t len)
{
	size_t done = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n < 0) {
			int err = -errno;
			close(fd);
			return err;
		}
		done += (size_t)n;
	}
	return close(fd) < 0 ? -errno : 0;
}

int tu_copy_file(const char *from, const char *to)
{
	char *buf;
	size_t len;
	int err = tu_read_file(from, &buf, &len);
	if (err)
		return err;
	err = tu_write_file(to, buf, len);
	free(buf);
	return err;
}

void tu_child_init(void)
{
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS, SIGABRT};
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		signal(sigs[i], SIG_DFL);
}

int tu_no_fork(void)
{
	const char *v = getenv("VMAP_TEST_NO_FORK");
	return v && *v && strcmp(v, "0") != 0;
}

/* Read here, not asked of the library: the stat test then also shows that
 * the simulation took effect. */
size_t tu_page_size(void)
{
	const char *sim = getenv("VMAP_SIM_PAGE");
	if (sim && *sim)
		return (size_t)strtoul(sim, NULL, 0);
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- deterministic values --------------------------------------------------- */

static uint64_t value_hash(uint64_t key, uint32_t version)
{
	return tu_mix(tu_mix(key) ^ ((uint64_t)version * 0xd6e8feb86659fd93ull));
}

size_t tu_value(uint64_t key, uint32_t version, char *buf)
{
	uint64_t h = value_hash(key, version);
	struct tu_rng r = {h};
	unsigned cls = (unsigned)(h % 100);
	int nuls = (h >> 40) % 8 == 0;
	size_t len;

	if (cls < 4)
		len = 0;
	else if (cls < 64)
		len = 1 + (size_t)tu_below(&r, 64);
	else if (cls < 92)
		len = 65 + (size_t)tu_below(&r, 960);
	else
		len = 1025 + (size_t)tu_below(&r, TU_VALUE_CAP - 1025);
	tu_fill(&r, buf, len);
	if (!nuls)
		for (size_t i = 0; i < len; i++)
			if (!buf[i])
				buf[i] = (char)(1 + i % 255);
	buf[len] = '\0';
	return len;
}

int tu_value_is(uint64_t key, uint32_t version, const char *p, size_t len)
{
	char want[TU_VALUE_CAP + 1];
	size_t n = tu_value(key, version, want);
	return n == len && memcmp(want, p, n) == 0 && p[n] == '\0';
}

/* ---- a model of a map --------------------------------------------------------- */

void tu_model_init(struct tu_model *md)
{
	memset(md, 0, sizeof *md);
}

void tu_model_free(struct tu_model *md)
{
	for (uint64_t i = 0; i < md->n; i++)
		free(md->e[i].val);
	free(md->e);
	memset(md, 0, sizeof *md);
}

void tu_model_copy(struct tu_model *dst, const struct tu_model *src)
{
	*dst = *src;
	dst->e = malloc((size_t)(src->cap ? src->cap : 1) * sizeof *dst->e);
	if (!dst->e)
		abort();
	for (uint64_t i = 0; i < src->n; i++) {
		dst->e[i] = src->e[i];
		dst->e[i].val = malloc(src->e[i].len + 1);
		if (!dst->e[i].val)
			abort();
		memcpy(dst->e[i].val, src->e[i].val, src->e[i].len + 1);
	}
}

uint64_t tu_model_next(const struct tu_model *md)
{
	return md->n && !md->spent ? md->first + md->n : 0;
}

static char *dup_value(const void *val, size_t len)
{
	char *p = malloc(len + 1);
	if (!p)
		abort();
	if (len)
		memcpy(p, val, len);
	p[len] = '\0';
	return p;
}

void tu_model_append(struct tu_model *md, uint64_t key, const void *val, size_t len)
{
	if (md->n == md->cap) {
		md->cap = md->cap ? md->cap * 2 : 1024;
		md->e = realloc(md->e, (size_t)md->cap * sizeof *md->e);
		if (!md->e)
			abort();
	}
	if (!md->n)
		md->first = key;
	md->e[md->n].val = dup_value(val, len);
	md->e[md->n].len = len;
	md->e[md->n].live = 1;
	md->n++;
	md->live++;
	md->value_bytes += len;
	if (key == UINT64_MAX)
		md->spent = 1;
}

static struct tu_entry *model_entry(const struct tu_model *md, uint64_t key)
{
	uint64_t i = key - md->first;
	return md->n && key >= md->first && i < md->n ? &md->e[i] : NULL;
}

void tu_model_replace(struct tu_model *md, uint64_t key, const void *val, size_t len)
{
	struct tu_entry *e = model_entry(md, key);
	if (!e || !e->live)
		abort();
	md->value_bytes = md->value_bytes + len - e->len; /* no size_t wrap */
	free(e->val);
	e->val = dup_value(val, len);
	e->len = len;
}

void tu_model_remove(struct tu_model *md, uint64_t key)
{
	struct tu_entry *e = model_entry(md, key);
	if (!e || !e->live)
		abort();
	md->value_bytes -= e->len;
	e->live = 0;
	md->live--;
	md->removed++;
}

const struct tu_entry *tu_model_get(const struct tu_model *md, uint64_t key)
{
	return model_entry(md, key);
}

#define LEN_SENTINEL ((size_t)0x5a5a5a5a)

int tu_model_diff_key(const vmap *m, const struct tu_model *md, uint64_t key, char *why,
		      size_t n)
{
	const struct tu_entry *e = model_entry(md, key);
	size_t len = LEN_SENTINEL;
	const char *p = vmap_get(m, key, &len);

	if (!e || !e->live) {
		if (p) {
			snprintf(why, n, "key %" PRIu64 ": expected no value, got %zu bytes", key,
				 len);
			return -1;
		}
		if (len != LEN_SENTINEL) {
			snprintf(why, n, "key %" PRIu64 ": NULL but len was written", key);
			return -1;
		}
		return 0;
	}
	if (!p) {
		snprintf(why, n, "key %" PRIu64 ": expected %zu bytes, got NULL", key, e->len);
		return -1;
	}
	if (len != e->len) {
		snprintf(why, n, "key %" PRIu64 ": expected %zu bytes, got %zu", key, e->len, len);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		if (p[i] != e->val[i]) {
			snprintf(why, n, "key %" PRIu64 ": byte %zu of %zu is %#x, expected %#x",
				 key, i, len, (unsigned char)p[i], (unsigned char)e->val[i]);
			return -1;
		}
	}
	if (p[len]) {
		snprintf(why, n, "key %" PRIu64 ": value of %zu bytes not NUL-terminated", key,
			 len);
		return -1;
	}
	if (vmap_get(m, key, NULL) != p) {
		snprintf(why, n, "key %" PRIu64 ": get with NULL len gave another pointer", key);
		return -1;
	}
	return 0;
}

#define DIFF(cond, ...)                               \
	do {                                          \
		if (cond) {                           \
			snprintf(why, n, __VA_ARGS__); \
			return -1;                    \
		}                                     \
	} while (0)

static int diff_counters(const vmap *m, const struct tu_model *md, char *why, size_t n)
{
	struct vmap_stat st;
	uint64_t first = md->n ? md->first : 0;
	int err;

	DIFF(vmap_first_key(m) != first, "first_key %" PRIu64 ", expected %" PRIu64,
	     vmap_first_key(m), first);
	DIFF(vmap_next_key(m) != tu_model_next(md), "next_key %" PRIu64 ", expected %" PRIu64,
	     vmap_next_key(m), tu_model_next(md));
	DIFF(vmap_count(m) != md->live, "count %" PRIu64 ", expected %" PRIu64, vmap_count(m),
	     md->live);
	err = vmap_stat(m, &st);
	DIFF(err, "vmap_stat: %d", err);
	DIFF(st.first_key != first || st.next_key != tu_model_next(md),
	     "stat keys %" PRIu64 "..%" PRIu64, st.first_key, st.next_key);
	DIFF(st.live != md->live, "stat.live %" PRIu64 ", expected %" PRIu64, st.live, md->live);
	DIFF(st.removed != md->removed, "stat.removed %" PRIu64 ", expected %" PRIu64,
	     st.removed, md->removed);
	DIFF(st.value_bytes != md->value_bytes, "stat.value_bytes %" PRIu64 ", expected %" PRIu64,
	     st.value_bytes, md->value_bytes);
	DIFF(st.used_bytes > st.total_bytes, "stat.used_bytes %" PRIu64 " > total %" PRIu64,
	     st.used_bytes, st.total_bytes);
	return 0;
}

static int diff_ends(const vmap *m, const struct tu_model *md, char *why, size_t n);

int tu_model_diff(const vmap *m, const struct tu_model *md, char *why, size_t n)
{
	if (diff_counters(m, md, why, n))
		return -1;
	for (uint64_t i = 0; i < md->n; i++)
		if (tu_model_diff_key(m, md, md->first + i, why, n))
			return -1;
	return diff_ends(m, md, why, n);
}

int tu_model_diff_sampled(const vmap *m, const struct tu_model *md, uint64_t sample,
			  struct tu_rng *r, char *why, size_t n)
{
	if (md->n <= 2048 + sample)
		return tu_model_diff(m, md, why, n);
	if (diff_counters(m, md, why, n))
		return -1;
	for (uint64_t i = 0; i < 1024; i++)
		if (tu_model_diff_key(m, md, md->first + i, why, n) ||
		    tu_model_diff_key(m, md, md->first + md->n - 1 - i, why, n))
			return -1;
	for (uint64_t i = 0; i < sample; i++)
		if (tu_model_diff_key(m, md, md->first + tu_below(r, md->n), why, n))
			return -1;
	return diff_ends(m, md, why, n);
}

/* Keys just outside the map, and vmap_check. */
static int diff_ends(const vmap *m, const struct tu_model *md, char *why, size_t n)
{
	int err;

	if (md->n && md->first > 0 && tu_model_diff_key(m, md, md->first - 1, why, n))
		return -1;
	if (tu_model_diff_key(m, md, tu_model_next(md), why, n))
		return -1;
	if (md->n && !md->spent && tu_model_diff_key(m, md, md->first + md->n + 1000, why, n))
		return -1;
	err = vmap_check(m);
	DIFF(err, "vmap_check: %d (%s)", err, vmap_strerror(err));
	return 0;
}

/* ---- one test on both kinds of map ------------------------------------------- */

int tu_kind_mem = TU_MEM, tu_kind_file = TU_FILE;
static uint64_t fx_cases;

static void fx_create(struct tu_fx *fx)
{
	int err;
	if (fx->kind == TU_MEM) {
		err = vmap_new(&fx->m);
	} else {
		unlink(fx->path);
		err = vmap_open(&fx->m, fx->path, VMAP_CREATE);
	}
	if (err)
		fail_msg("creating a %s map: %d (%s)", tu_fx_kind(fx), err, vmap_strerror(err));
	tu_model_init(&fx->md);
}

int tu_fx_setup(void **state)
{
	struct tu_fx *fx = calloc(1, sizeof *fx);
	if (!fx)
		return -1;
	fx->kind = *(int *)*state;
	fx->rng.s = tu_mix(tu_seed() + ++fx_cases);
	if (fx->kind == TU_FILE) {
		fx->dir = tu_tmpdir();
		fx->path = tu_join(fx->dir, "map.vmap");
	}
	fx_create(fx);
	*state = fx;
	return 0;
}

int tu_fx_teardown(void **state)
{
	struct tu_fx *fx = *state;
	vmap_close(fx->m);
	tu_model_free(&fx->md);
	tu_rmtree(fx->dir);
	free(fx->dir);
	free(fx->path);
	free(fx);
	return 0;
}

void tu_fx_fresh(struct tu_fx *fx)
{
	vmap_close(fx->m);
	fx->m = NULL;
	tu_model_free(&fx->md);
	fx_create(fx);
}

void tu_fx_reopen(struct tu_fx *fx)
{
	int err;
	if (fx->kind != TU_FILE)
		return;
	vmap_close(fx->m);
	fx->m = NULL;
	err = vmap_open(&fx->m, fx->path, 0);
	if (err)
		fail_msg("reopening %s: %d (%s)", fx->path, err, vmap_strerror(err));
}

const char *tu_fx_kind(const struct tu_fx *fx)
{
	return fx->kind == TU_MEM ? "in-memory" : "file-backed";
}

void tu_fx_append(struct tu_fx *fx, const void *val, size_t len)
{
	uint64_t key = tu_model_next(&fx->md);
	int err = vmap_append(fx->m, key, val, len);
	if (err)
		fail_msg("append of key %" PRIu64 " (%zu bytes): %d (%s)", key, len, err,
			 vmap_strerror(err));
	tu_model_append(&fx->md, key, val, len);
}
