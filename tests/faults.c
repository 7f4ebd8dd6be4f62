/* SPDX-License-Identifier: MIT */
/*
 * faults.c - failure injection. For every operation below, every kind of
 * system call in src/sys.h, and k = 0, 1, 2, ... until the operation no longer
 * reaches a k-th call: the k-th call fails; the operation must return that
 * error and leave the map exactly as it was (counters, every value, check);
 * after vmi_sys_reset the same operation must succeed. Leaks show up in the
 * ASan build. A fault the library can work around (a boot id it cannot read,
 * a short fallocate it retries) may let the operation succeed; then the result
 * must be right.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>
#include <unistd.h>

struct ctx {
	int kind;
	char *dir, *path, *tmpl;
	vmap *m;
	struct tu_model md;
	/* the operation's argument */
	uint64_t key;
	char *val;
	size_t len;
	uint64_t before; /* scenario's own note, taken before the clean run */
	long counts[VMI_SYS_NCALLS]; /* calls the last op made */
	size_t index;    /* of the scenario */
};

struct scenario {
	const char *name;
	int kinds; /* 1: memory, 2: file, 3: both */
	void (*build)(struct ctx *c);
	int (*op)(struct ctx *c);
	void (*apply)(struct ctx *c); /* the op's effect on the model */
	/* optional: prove the clean run did what the scenario is about */
	void (*note)(struct ctx *c);
	const char *(*exercised)(struct ctx *c); /* NULL if fine, else what is missing */
	int opens; /* the op is vmap_open/vmap_new: c->m is its result */
};

/* ---- building states ------------------------------------------------------ */

static void open_map(struct ctx *c)
{
	int err;
	if (c->kind == TU_MEM) {
		err = vmap_new(&c->m);
	} else {
		unlink(c->path);
		err = vmap_open(&c->m, c->path, VMAP_CREATE);
	}
	if (err)
		fail_msg("creating the map: %d", err);
	tu_model_init(&c->md);
}

static void add(struct ctx *c, const void *val, size_t len)
{
	uint64_t key = c->md.n ? tu_model_next(&c->md) : 1000;
	int err = vmap_append(c->m, key, val, len);
	if (err)
		fail_msg("building: append %" PRIu64 ": %d", key, err);
	tu_model_append(&c->md, key, val, len);
}

static void add_values(struct ctx *c, uint64_t n)
{
	char buf[TU_VALUE_CAP + 1];
	for (uint64_t i = 0; i < n; i++) {
		uint64_t key = c->md.n ? tu_model_next(&c->md) : 1000;
		add(c, buf, tu_value(key, 0, buf));
	}
}

static void set_value(struct ctx *c, size_t len, int nul)
{
	free(c->val);
	c->val = malloc(len + 1);
	for (size_t i = 0; i < len; i++)
		c->val[i] = (char)('a' + i % 26);
	if (nul && len)
		c->val[len / 2] = '\0';
	c->val[len] = '\0';
	c->len = len;
}

static void build_empty(struct ctx *c)
{
	open_map(c);
}

static void build_small(struct ctx *c)
{
	open_map(c);
	add_values(c, 10);
	c->key = c->md.first + 4;
}

static void build_group_full(struct ctx *c)
{
	open_map(c);
	add_values(c, GROUP_KEYS);
}

static void build_2000(struct ctx *c)
{
	open_map(c);
	add_values(c, 2000);
	c->key = c->md.first + 1500;
}

/* 256 groups fill the first chunk of the group directory. */
static void build_dir_full(struct ctx *c)
{
	open_map(c);
	for (uint64_t i = 0; i < 256 * GROUP_KEYS; i++)
		add(c, "d", 1);
}

/* 256 far records fill the first chunk of the far table. */
static void build_far_full(struct ctx *c)
{
	open_map(c);
	for (int i = 0; i < 256; i++)
		add(c, "n\0l", 3);
}

/* Values up to just under 4 MiB: the first crc chunk covers 1024 blocks. */
static void build_near_4m(struct ctx *c)
{
	static char chunk[64 << 10];
	open_map(c);
	memset(chunk, 'c', sizeof chunk);
	while (LOAD(&c->m->hdr->live.bump) < (4u << 20) - (200u << 10))
		add(c, chunk, sizeof chunk);
}

static void build_synced(struct ctx *c)
{
	build_small(c);
	assert_int_equal(vmap_sync(c->m), 0);
}

/* For the open scenarios: a closed map of several extents, copied per try. */
static void make_template(struct ctx *c)
{
	if (!access(c->tmpl, F_OK))
		return;
	build_2000(c);
	add_values(c, 4000);
	vmap_close(c->m);
	c->m = NULL;
	rename(c->path, c->tmpl);
	tu_model_free(&c->md);
}

static void build_closed(struct ctx *c)
{
	char buf[TU_VALUE_CAP + 1];
	make_template(c);
	assert_int_equal(tu_copy_file(c->tmpl, c->path), 0);
	tu_model_init(&c->md);
	for (uint64_t i = 0; i < 2000 + 4000; i++)
		tu_model_append(&c->md, 1000 + i, buf, tu_value(1000 + i, 0, buf));
}

/* The template reopened: a writer (or reader) that has mapped only what
 * opening needs, so its first writes and reads map the rest. */
static void build_reopened(struct ctx *c)
{
	build_closed(c);
	assert_int_equal(vmap_open(&c->m, c->path, 0), 0);
	c->key = c->md.first + c->md.n - 2;
}

static void build_reopened_rdonly(struct ctx *c)
{
	build_closed(c);
	assert_int_equal(vmap_open(&c->m, c->path, VMAP_RDONLY), 0);
}

static void build_missing(struct ctx *c)
{
	unlink(c->path);
	tu_model_init(&c->md);
}

static void build_empty_file(struct ctx *c)
{
	assert_int_equal(tu_write_file(c->path, "", 0), 0);
	tu_model_init(&c->md);
}

/* ---- operations ---------------------------------------------------------------- */

static int op_new(struct ctx *c)
{
	return vmap_new(&c->m);
}

static int op_create(struct ctx *c)
{
	return vmap_open(&c->m, c->path, VMAP_CREATE);
}

static int op_reopen(struct ctx *c)
{
	return vmap_open(&c->m, c->path, 0);
}

static int op_rdonly(struct ctx *c)
{
	return vmap_open(&c->m, c->path, VMAP_RDONLY);
}

static int op_append(struct ctx *c)
{
	return vmap_append(c->m, c->md.n ? tu_model_next(&c->md) : 5, c->val, c->len);
}

static void apply_append(struct ctx *c)
{
	tu_model_append(&c->md, c->md.n ? tu_model_next(&c->md) : 5, c->val, c->len);
}

static int op_replace(struct ctx *c)
{
	return vmap_replace(c->m, c->key, c->val, c->len);
}

static void apply_replace(struct ctx *c)
{
	tu_model_replace(&c->md, c->key, c->val, c->len);
}

static int op_remove(struct ctx *c)
{
	return vmap_remove(c->m, c->key);
}

static void apply_remove(struct ctx *c)
{
	tu_model_remove(&c->md, c->key);
}

static int op_sync(struct ctx *c)
{
	return vmap_sync(c->m);
}

static int op_check(struct ctx *c)
{
	return vmap_check(c->m);
}

/* vmap_close cannot fail; what it could not do must not lose anything. */
static int op_close(struct ctx *c)
{
	int err = vmap_close(c->m);
	c->m = NULL;
	return err;
}

static void apply_nothing(struct ctx *c)
{
	(void)c;
}

/* ---- scenario-specific values and proofs ------------------------------------------ */

#define VALUE_BUILD(name, base, len, nul)   \
	static void name(struct ctx *c)     \
	{                                   \
		base(c);                    \
		set_value(c, len, nul);     \
	}

VALUE_BUILD(small_value, build_small, 10, 0)
VALUE_BUILD(nul_value, build_small, 40, 1)
VALUE_BUILD(large_value, build_small, 64 << 10, 0)
VALUE_BUILD(huge_value, build_small, 3 << 20, 0)
VALUE_BUILD(first_value, build_empty, 7, 0)
VALUE_BUILD(group_value, build_group_full, 10, 0)
VALUE_BUILD(dir_value, build_dir_full, 10, 0)
VALUE_BUILD(far_value, build_far_full, 5, 1)
VALUE_BUILD(crc_value, build_near_4m, 256 << 10, 0)
VALUE_BUILD(replace_inline, build_small, 12, 0)
VALUE_BUILD(replace_far, build_small, 5000, 1)
VALUE_BUILD(replace_synced, build_synced, 30, 0)
VALUE_BUILD(replace_synced_far, build_synced, 5000, 1)
VALUE_BUILD(replace_synced_huge, build_synced, 3 << 20, 0)
VALUE_BUILD(reopened_small, build_reopened, 10, 0)
VALUE_BUILD(reopened_huge, build_reopened, 3 << 20, 0)
VALUE_BUILD(reopened_replace, build_reopened, 20, 0)

static uint64_t chunk_pos(struct ctx *c, int table, unsigned chunk)
{
	const uint64_t *pos =
		(const uint64_t *)((const char *)c->m->hdr + vmi_table_shapes[table].chunks_offset);
	return LOAD(&pos[chunk]);
}

static void note_dir(struct ctx *c) { c->before = chunk_pos(c, TABLE_DIR, 1); }
static void note_far(struct ctx *c) { c->before = chunk_pos(c, TABLE_FAR, 1); }
static void note_crc(struct ctx *c) { c->before = chunk_pos(c, TABLE_CRC, 1); }

static const char *grew_dir(struct ctx *c)
{
	return !c->before && chunk_pos(c, TABLE_DIR, 1) ? NULL : "a second directory chunk";
}

static const char *grew_far(struct ctx *c)
{
	return !c->before && chunk_pos(c, TABLE_FAR, 1) ? NULL : "a second far-table chunk";
}

static const char *grew_crc(struct ctx *c)
{
	return !c->before && chunk_pos(c, TABLE_CRC, 1) ? NULL : "a second crc-table chunk";
}

static const char *new_group(struct ctx *c)
{
	return LOAD(&c->m->hdr->live.count) == GROUP_KEYS + 1 ? NULL : "a second group";
}

static const char *grew_file(struct ctx *c)
{
	if (c->kind == TU_MEM)
		return c->counts[VMI_SYS_MMAP] ? NULL : "a new extent";
	return c->counts[VMI_SYS_FALLOCATE] ? NULL : "a larger file";
}

static const char *far_record(struct ctx *c)
{
	struct vmap_stat st;
	vmap_stat(c->m, &st);
	return st.far_values ? NULL : "a far record";
}

static const char *flushed(struct ctx *c)
{
	if (c->kind == TU_MEM)
		return NULL;
	return c->counts[VMI_SYS_FDATASYNC] ? NULL : "a flush";
}

static const struct scenario scenarios[] = {
	{"vmap_new", 1, build_missing, op_new, apply_nothing, NULL, NULL, 1},
	{"open create (missing file)", 2, build_missing, op_create, apply_nothing, NULL, NULL, 1},
	{"open create (empty file)", 2, build_empty_file, op_create, apply_nothing, NULL, NULL, 1},
	{"open writer (existing map)", 2, build_closed, op_reopen, apply_nothing, NULL, NULL, 1},
	{"open read-only", 2, build_closed, op_rdonly, apply_nothing, NULL, NULL, 1},
	{"first append", 3, first_value, op_append, apply_append, NULL, NULL, 0},
	{"append small", 3, small_value, op_append, apply_append, NULL, NULL, 0},
	{"append with NUL (far)", 3, nul_value, op_append, apply_append, NULL, far_record, 0},
	{"append 64 KiB", 3, large_value, op_append, apply_append, NULL, far_record, 0},
	{"append 3 MiB (grows)", 3, huge_value, op_append, apply_append, NULL, grew_file, 0},
	{"append opening a group", 3, group_value, op_append, apply_append, NULL, new_group, 0},
	{"append growing the directory", 3, dir_value, op_append, apply_append, note_dir, grew_dir,
	 0},
	{"append growing the far table", 3, far_value, op_append, apply_append, note_far, grew_far,
	 0},
	{"append growing the crc table", 3, crc_value, op_append, apply_append, note_crc, grew_crc,
	 0},
	{"replace (inline value)", 3, replace_inline, op_replace, apply_replace, NULL, NULL, 0},
	{"replace (far value)", 3, replace_far, op_replace, apply_replace, NULL, NULL, 0},
	{"replace a synced key", 2, replace_synced, op_replace, apply_replace, NULL, flushed, 0},
	{"replace a synced key (far)", 2, replace_synced_far, op_replace, apply_replace, NULL,
	 flushed, 0},
	{"replace a synced key (3 MiB)", 2, replace_synced_huge, op_replace, apply_replace, NULL,
	 flushed, 0},
	{"remove a synced key", 2, build_synced, op_remove, apply_remove, NULL, NULL, 0},
	{"sync after a sync", 2, build_synced, op_sync, apply_nothing, NULL, flushed, 0},
	{"remove", 3, build_small, op_remove, apply_remove, NULL, NULL, 0},
	{"sync", 2, build_2000, op_sync, apply_nothing, NULL, flushed, 0},
	{"check", 3, build_2000, op_check, apply_nothing, NULL, NULL, 0},
	{"close", 2, build_2000, op_close, apply_nothing, NULL, NULL, 0},
	{"reopened: append small", 2, reopened_small, op_append, apply_append, NULL, NULL, 0},
	{"reopened: append 3 MiB", 2, reopened_huge, op_append, apply_append, NULL, grew_file, 0},
	{"reopened: replace", 2, reopened_replace, op_replace, apply_replace, NULL, NULL, 0},
	{"reopened: remove", 2, build_reopened, op_remove, apply_remove, NULL, NULL, 0},
	{"reopened: sync", 2, build_reopened, op_sync, apply_nothing, NULL, NULL, 0},
	{"reopened: check", 2, build_reopened, op_check, apply_nothing, NULL, NULL, 0},
	{"read-only: check", 2, build_reopened_rdonly, op_check, apply_nothing, NULL, NULL, 0},
	{"reopened: close", 2, build_reopened, op_close, apply_nothing, NULL, NULL, 0},
};

/* The errors injected into each kind of call. */
static const int call_errors[VMI_SYS_NCALLS][3] = {
	[VMI_SYS_OPEN] = {EACCES, EMFILE},
	[VMI_SYS_FLOCK] = {ENOLCK},
	[VMI_SYS_FSTAT] = {EIO},
	[VMI_SYS_FALLOCATE] = {EIO, ENOSPC, EFBIG},
	[VMI_SYS_FTRUNCATE] = {EIO, EFBIG},
	[VMI_SYS_MMAP] = {ENOMEM},
	[VMI_SYS_FDATASYNC] = {EIO},
	[VMI_SYS_MALLOC] = {ENOMEM},
	[VMI_SYS_BOOT_ID] = {EIO},
};

/* ---- the loop ------------------------------------------------------------------------ */

/*
 * What a failed call must leave as it was: the counters, and the header's
 * live state, synced state, boot ids and table positions. (The journal and
 * the count of writes are scratch; the checksums of the partly filled
 * blocks are derived from the bytes and may be taken again.)
 */
struct counters {
	uint64_t used_bytes, far_values;
	struct vmap_state live, synced;
	unsigned char boots[32];
	uint64_t chunks[TABLES * TABLE_CHUNKS];
};

static void state_without_crcs(struct vmap_state *dst, const struct vmap_state *src)
{
	*dst = *src;
	dst->tail_crc = dst->gap_crc = dst->crcs_valid = 0;
}

static void take_counters(struct ctx *c, struct counters *k)
{
	struct vmap_stat st;
	memset(k, 0, sizeof *k);
	if (c->m && !vmap_stat(c->m, &st)) {
		k->used_bytes = st.used_bytes;
		k->far_values = st.far_values;
	}
	if (!c->m)
		return;
	state_without_crcs(&k->live, &c->m->hdr->live);
	state_without_crcs(&k->synced, &c->m->hdr->synced);
	memcpy(k->boots, c->m->hdr->writer_boot, 32);
	memcpy(k->chunks, c->m->hdr->dir_chunks, sizeof k->chunks);
}

/* Which part of the header changed, for the failure message. */
static const char *what_changed(const struct counters *a, const struct counters *b)
{
	if (memcmp(&a->live, &b->live, sizeof a->live))
		return "the live state";
	if (memcmp(&a->synced, &b->synced, sizeof a->synced))
		return "the synced state";
	if (memcmp(a->boots, b->boots, sizeof a->boots))
		return "the boot ids";
	if (memcmp(a->chunks, b->chunks, sizeof a->chunks))
		return "the table positions";
	return "a counter";
}

static void teardown(struct ctx *c)
{
	vmap_close(c->m);
	c->m = NULL;
	tu_model_free(&c->md);
}

/* The map after the op (or after its failure) matches the model, and so does
 * the file when opened again. */
static int diff(const vmap *m, struct ctx *c, char *why, size_t n)
{
	struct tu_rng r = {c->md.n};
	return tu_model_diff_sampled(m, &c->md, 4096, &r, why, n);
}

/* Big states are compared at their ends and at random keys in between. */
static void verify(struct ctx *c, const char *what)
{
	char why[256];
	vmap *r;
	int err;

	if (c->m && diff(c->m, c, why, sizeof why))
		fail_msg("%s: %s", what, why);
	if (c->kind != TU_FILE)
		return;
	if (c->m && !c->m->read_only) {
		vmap_close(c->m);
		c->m = NULL;
	}
	err = vmap_open(&r, c->path, c->m ? VMAP_RDONLY : 0);
	if (err == VMAP_ECORRUPT && !c->md.n && !c->m)
		return; /* a create that failed before it wrote a header: no map yet */
	if (err == -ENOENT && !c->md.n && !c->m)
		return;
	if (err)
		fail_msg("%s: reopening: %d (%s)", what, err, vmap_strerror(err));
	if (diff(r, c, why, sizeof why))
		fail_msg("%s, reopened: %s", what, why);
	vmap_close(r);
}

/* One try: fault the k-th call of `call` with err. Returns 1 if the op no
 * longer reached a k-th call (the loop is done). */
static int one_try(const struct scenario *s, struct ctx *c, int call, long k, int e,
		   long *injected, long *tolerated)
{
	char where[256];
	struct counters before, after;
	char *file = NULL, *file_after = NULL;
	size_t flen = 0, flen_after = 0;
	int rc, hit;

	vmi_sys_reset();
	s->build(c);
	take_counters(c, &before);
	if (s->opens && c->kind == TU_FILE && !access(c->path, F_OK))
		assert_int_equal(tu_read_file(c->path, &file, &flen), 0);
	if (s->note)
		s->note(c);
	snprintf(where, sizeof where, "%s (%s): %s call %ld failing with %s", s->name,
		 c->kind == TU_MEM ? "in-memory" : "file", call >= 0 ? vmi_sys_name(call) : "no",
		 k, call >= 0 ? strerror(e) : "nothing");

	vmi_sys_reset();
	if (call >= 0)
		vmi_sys_fail_nth(call, k, e);
	if (s->opens)
		c->m = NULL;
	rc = s->op(c);
	hit = call >= 0 && vmi_sys_count(call) > k;
	for (int i = 0; i < VMI_SYS_NCALLS; i++)
		c->counts[i] = vmi_sys_count(i);
	vmi_sys_reset();

	if (rc == 0) {
		if (!hit && s->exercised && s->exercised(c))
			fail_msg("%s: the scenario no longer makes %s", s->name, s->exercised(c));
		if (hit)
			++*tolerated;
		s->apply(c);
		verify(c, where);
		teardown(c);
		free(file);
		return !hit;
	}
	++*injected;
	if (!hit)
		fail_msg("%s: failed with %d (%s) without reaching the fault", where, rc,
			 vmap_strerror(rc));
	if (rc != -e)
		fail_msg("%s: returned %d (%s), expected %d", where, rc, vmap_strerror(rc), -e);
	if (s->opens) {
		c->m = NULL; /* a failed open hands out nothing */
		if (file) {
			assert_int_equal(tu_read_file(c->path, &file_after, &flen_after), 0);
			if (flen_after != flen || memcmp(file, file_after, flen))
				fail_msg("%s: the failed open changed the file", where);
			free(file_after);
		}
	} else {
		char why[256];
		take_counters(c, &after);
		if (memcmp(&before, &after, sizeof before))
			fail_msg("%s: %s changed (used_bytes %" PRIu64 " -> %" PRIu64
				 ", far_values %" PRIu64 " -> %" PRIu64 ")",
				 where, what_changed(&before, &after), before.used_bytes,
				 after.used_bytes, before.far_values, after.far_values);
		if (diff(c->m, c, why, sizeof why))
			fail_msg("%s: map changed: %s", where, why);
	}
	free(file);

	/* the same operation, without the fault */
	rc = s->op(c);
	if (rc)
		fail_msg("%s: after reset, the operation failed: %d (%s)", where, rc,
			 vmap_strerror(rc));
	s->apply(c);
	verify(c, where);
	teardown(c);
	return 0;
}

static void run_scenario(const struct scenario *s, int kind, struct ctx *c)
{
	long injected = 0, tolerated = 0, used[VMI_SYS_NCALLS];
	double t0 = tu_now();

	c->kind = kind;
	/* A clean run first: which kinds of call does the operation make? The
	 * loop below would end at k = 0 for the others. */
	if (!one_try(s, c, -1, 0, 0, &injected, &tolerated))
		fail_msg("%s: the clean run failed", s->name);
	memcpy(used, c->counts, sizeof used);
	for (int call = 0; call < VMI_SYS_NCALLS; call++) {
		if (!used[call])
			continue;
		for (int i = 0; i < 3 && call_errors[call][i]; i++) {
			long k = 0;
			while (!one_try(s, c, call, k, call_errors[call][i], &injected, &tolerated))
				if (++k > 100000)
					fail_msg("%s: more than 100000 %s calls", s->name,
						 vmi_sys_name(call));
		}
	}
	print_message("%-32s %-9s %4ld faults failed the call, %3ld worked around (%.2f s)\n",
		      s->name, kind == TU_MEM ? "in-memory" : "file", injected, tolerated,
		      tu_now() - t0);
}

static int ctx_setup(void **state)
{
	struct ctx *c = calloc(1, sizeof *c);
	c->dir = tu_tmpdir();
	c->path = tu_join(c->dir, "map.vmap");
	c->tmpl = tu_join(c->dir, "template.vmap");
	*state = c;
	return 0;
}

static int ctx_teardown(void **state)
{
	struct ctx *c = *state;
	vmi_sys_reset();
	teardown(c);
	tu_rmtree(c->dir);
	free(c->dir);
	free(c->path);
	free(c->tmpl);
	free(c->val);
	free(c);
	return 0;
}

static void test_scenario(void **state)
{
	struct ctx *c = *state;
	const struct scenario *s = &scenarios[c->index];
	/* 256 groups rebuilt for every try: left to full-scale runs */
	if (s->build == dir_value && tu_scale() < 0.5) {
		print_message("skipped at VMAP_TEST_SCALE < 0.5\n");
		skip();
		return;
	}
	for (int kind = TU_MEM; kind <= TU_FILE; kind++)
		if (s->kinds & (1 << kind))
			run_scenario(s, kind, c);
}

static int scenario_setup(void **state)
{
	size_t index = (size_t)((const struct scenario *)*state - scenarios);
	ctx_setup(state);
	((struct ctx *)*state)->index = index;
	return 0;
}

int main(void)
{
	enum { N = sizeof scenarios / sizeof scenarios[0] };
	struct CMUnitTest tests[N];

	tu_seed();
	for (size_t i = 0; i < N; i++) {
		tests[i].name = scenarios[i].name;
		tests[i].test_func = test_scenario;
		tests[i].setup_func = scenario_setup;
		tests[i].teardown_func = ctx_teardown;
		tests[i].initial_state = (void *)&scenarios[i];
	}
	return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
