/* SPDX-License-Identifier: MIT */
/*
 * loop.c - vmap_loop: the plain-loop check. Where vmap_bench gives every
 * measurement a fresh process, this program does what a user's program (or
 * a quick check written in an afternoon) does: ONE process that builds
 * vector_map, the flat limit and a char** of strdups side by side, and times
 * them in turns. Heaps that grew and shrank, page faults and the allocator's
 * adaptive thresholds are all shared, as they are in real programs.
 *
 *   vmap_loop [--reps R] [--sizes 1e6,1e7] [--gets G] [--raw-heap]
 *
 * For each N: appends (each store built from scratch, empty to N entries,
 * the three in rotated order, R times), with the minor page faults and the
 * user and system CPU time of each build from getrusage, to show where
 * append time goes; then G random gets (uniform over all N) through
 * vmap_get, vmap_get_inline, vmap_get_many, the flat limit behind a call
 * and in batches, and char** (strlen included), rotated, R times. Medians,
 * and ratios to the flat limit behind a call, of the wall-clock time and of
 * the CPU time (CLOCK_THREAD_CPUTIME_ID: on a shared machine, the time this
 * process was preempted is not the contender's).
 *
 * The loops themselves are the benchmark's (workload.h through each
 * contender's file): one direct call, or the inlined get, per key, and the
 * same checksum, compared across contenders.
 *
 * One thing is not shared: the bill for the previous store's frees. glibc
 * puts ten million freed strdup chunks into its fast bins and merges them
 * only at the next large malloc, so whoever builds after char** would pay
 * for char**'s free (a second or more, at N = 1e7); and freeing char**'s
 * 80 MB array raises glibc's mmap threshold to 32 MiB, so whoever grows an
 * array next copies it in the heap instead of moving a mapping. After each
 * destroy, malloc_trim(0) settles the heap outside the clock, and the mmap
 * threshold is pinned at its initial 128 KiB, so each build meets the
 * allocator as a fresh program would. --raw-heap leaves both out, to show
 * the effect.
 */
#include "bench.h"
#include "clock.h"
#include "keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#define MAX_REPS 64

static int raw_heap; /* --raw-heap: no settling of the heap between builds */

/* glibc's initial M_MMAP_THRESHOLD (mallopt(3)). */
#define MMAP_THRESHOLD (128 * 1024)

/* Destroy a store and settle the heap its frees left (see the top). */
static void destroy(const struct peer *p, void *s)
{
	p->destroy(s);
#ifdef __GLIBC__
	if (!raw_heap)
		malloc_trim(0);
#endif
}

/* What the gets read through, and the store each one reads. */
static const struct peer *const getters[] = {
	&peer_vmap_memory, &peer_vmap_inline, &peer_vmap_batch,
	&peer_flat_call,   &peer_flat_batch,  &peer_charpp,
};
#define GETTERS (sizeof getters / sizeof getters[0])

/* The stores appended to; getters[i] reads builders[built_by[i]]'s store. */
static const struct peer *const builders[] = { &peer_vmap_memory, &peer_flat_call,
					       &peer_charpp };
#define BUILDERS (sizeof builders / sizeof builders[0])
static const int built_by[GETTERS] = { 0, 0, 0, 1, 1, 2 };
#define REFERENCE 3 /* getters[3], builders[1]: the flat limit behind a call */
#define REFERENCE_BUILDER 1

/* A figure measured in every repetition: wall-clock and CPU time (what the
 * process ran, so a loaded machine's preemptions do not count), and for
 * appends the page faults and the user/system split of the CPU time. */
enum { WALL, CPU, FAULTS, USER, SYS, FIGURES };
struct figures {
	double v[FIGURES][MAX_REPS];
};

static double tv_ns(struct timeval t)
{
	return (double)t.tv_sec * 1e9 + (double)t.tv_usec * 1e3;
}

/* This thread's CPU time, ns: exact, from the scheduler. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Create and fill one store; per append figures into f at repetition r. */
static void *build(const struct peer *p, const struct values *v, uint64_t n,
		   struct figures *f, int r)
{
	struct rusage r0, r1;
	uint64_t t0, c0;
	void *s;

	getrusage(RUSAGE_SELF, &r0);
	c0 = cpu_ns();
	t0 = now_ns();
	s = p->create(NULL);
	if (!s || p->append_all(s, v, n)) {
		fprintf(stderr, "vmap_loop: %s: append failed\n", p->name);
		exit(1);
	}
	f->v[WALL][r] = (double)(now_ns() - t0) / (double)n;
	f->v[CPU][r] = (double)(cpu_ns() - c0) / (double)n;
	getrusage(RUSAGE_SELF, &r1);
	f->v[FAULTS][r] = (double)(r1.ru_minflt - r0.ru_minflt) / (double)n;
	f->v[USER][r] = (tv_ns(r1.ru_utime) - tv_ns(r0.ru_utime)) / (double)n;
	f->v[SYS][r] = (tv_ns(r1.ru_stime) - tv_ns(r0.ru_stime)) / (double)n;
	return s;
}

static double median_of(const double *v, int count)
{
	double copy[MAX_REPS];

	memcpy(copy, v, (size_t)count * sizeof *v);
	return median(copy, count);
}

/* "| median | ratio to the reference's median |" */
static void print_with_ratio(const struct figures *f, const struct figures *ref, int figure,
			     int reps)
{
	double m = median_of(f->v[figure], reps);

	printf(" %.1f | %.2fx |", m, m / median_of(ref->v[figure], reps));
}

static void report_appends(const struct figures *f, int reps)
{
	printf("| appends | ns/append | vs flat (call) | CPU ns/append | vs flat (call) | minor "
	       "faults/append | user ns/append | system ns/append |\n"
	       "|:--|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < BUILDERS; i++) {
		printf("| %s |", builders[i]->name);
		print_with_ratio(&f[i], &f[REFERENCE_BUILDER], WALL, reps);
		print_with_ratio(&f[i], &f[REFERENCE_BUILDER], CPU, reps);
		printf(" %.4f | %.1f | %.1f |\n", median_of(f[i].v[FAULTS], reps),
		       median_of(f[i].v[USER], reps), median_of(f[i].v[SYS], reps));
	}
}

/* Appends: every store built from scratch reps times, in rotated order. */
static void appends(const struct values *v, uint64_t n, int reps)
{
	static struct figures f[BUILDERS];

	for (int r = 0; r < reps; r++) {
		for (size_t j = 0; j < BUILDERS; j++) {
			size_t i = (j + (size_t)r) % BUILDERS;

			destroy(builders[i], build(builders[i], v, n, &f[i], r));
		}
		fprintf(stderr, ".");
	}
	report_appends(f, reps);
}

static void report_gets(const struct figures *f, const uint64_t *sums, int reps)
{
	printf("\n| gets | ns/get | vs flat (call) | CPU ns/get | vs flat (call) | checksum |\n"
	       "|:--|--:|--:|--:|--:|:--|\n");
	for (size_t i = 0; i < GETTERS; i++) {
		printf("| %s |", getters[i]->name);
		print_with_ratio(&f[i], &f[REFERENCE], WALL, reps);
		print_with_ratio(&f[i], &f[REFERENCE], CPU, reps);
		printf(" %s |\n",
		       sums[i] == sums[REFERENCE] ? "same" : "DIFFERENT: WRONG VALUES");
	}
}

/*
 * The first pass of gets over a store just built is not in the medians: it
 * also sets up what is set up once (vector_map's slot window is mapped
 * lazily, a page-table entry at a time). Each store's first reader reports
 * that pass, so its cost is seen.
 */
/* Where the first passes' checksums go, so no compiler drops a pass. */
static volatile uint64_t first_sum;

static void first_passes(void *const *stores, const uint32_t *keys, uint64_t count)
{
	int seen[BUILDERS] = { 0 };

	printf("\nFirst pass after building (not in the medians below):");
	for (size_t i = 0; i < GETTERS; i++) {
		uint64_t t0 = now_ns();

		first_sum = getters[i]->gets(stores[built_by[i]], keys, count);
		if (!seen[built_by[i]]++)
			printf(" %s %.1f ns/get;", getters[i]->name,
			       (double)(now_ns() - t0) / (double)count);
	}
	printf("\n");
}

/* Gets: the stores built once more and kept side by side. 0, or 1 if any
 * getter returned other values than the reference. */
static int gets(const struct values *v, uint64_t n, uint64_t count, int reps)
{
	static struct figures f[GETTERS], unused;
	uint64_t sums[GETTERS];
	uint32_t *keys = keys_uniform(count, n, 1);
	void *stores[BUILDERS];
	int wrong = 0;

	if (!keys)
		exit(1);
	for (size_t i = 0; i < BUILDERS; i++)
		stores[i] = build(builders[i], v, n, &unused, 0);
	first_passes(stores, keys, count);
	for (int r = 0; r < reps; r++) {
		for (size_t j = 0; j < GETTERS; j++) {
			size_t i = (j + (size_t)r) % GETTERS;
			uint64_t t0 = now_ns(), c0 = cpu_ns();

			sums[i] = getters[i]->gets(stores[built_by[i]], keys, count);
			f[i].v[CPU][r] = (double)(cpu_ns() - c0) / (double)count;
			f[i].v[WALL][r] = (double)(now_ns() - t0) / (double)count;
		}
		fprintf(stderr, ".");
	}
	report_gets(f, sums, reps);
	for (size_t i = 0; i < GETTERS; i++)
		wrong |= sums[i] != sums[REFERENCE];
	for (size_t i = 0; i < BUILDERS; i++)
		destroy(builders[i], stores[i]);
	free(keys);
	return wrong;
}

static int usage(void)
{
	fprintf(stderr, "usage: vmap_loop [--reps R (1..%d, default 5)] [--sizes 1e6,1e7] "
			"[--gets 1e6] [--raw-heap]\n", MAX_REPS);
	return 2;
}

int main(int argc, char **argv)
{
	char sizes[256] = "1e6,1e7", *save;
	uint64_t count = 1000000;
	int reps = 5, wrong = 0;

	if (argc > 1 && strcmp(argv[argc - 1], "--raw-heap") == 0)
		raw_heap = 1, argc--;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--reps") == 0)
			reps = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--sizes") == 0)
			snprintf(sizes, sizeof sizes, "%s", argv[i + 1]);
		else if (strcmp(argv[i], "--gets") == 0)
			count = (uint64_t)strtod(argv[i + 1], NULL);
		else
			return usage();
	}
	if (argc % 2 == 0 || reps < 1 || reps > MAX_REPS || count == 0)
		return usage();
#ifdef __GLIBC__
	if (!raw_heap)
		mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
#endif
	printf("# vmap_loop: one process, path48 values, medians of %d%s\n", reps,
	       raw_heap ? ", heap not settled between builds (--raw-heap)" : "");
	for (char *s = strtok_r(sizes, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		uint64_t n = (uint64_t)strtod(s, NULL);
		struct values v;

		if (n < 1 || n > UINT32_MAX || values_make(&v, VALUES_PATH48, n, NULL))
			return usage();
		printf("\n## N = %llu, %llu random gets\n\n", (unsigned long long)n,
		       (unsigned long long)count);
		fprintf(stderr, "vmap_loop: N=%llu ", (unsigned long long)n);
		appends(&v, n, reps);
		wrong |= gets(&v, n, count, reps);
		fprintf(stderr, "\n");
		fflush(stdout);
		values_free(&v);
	}
	return wrong;
}
