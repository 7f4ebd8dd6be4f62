/* SPDX-License-Identifier: MIT */
/*
 * child.c - one measurement, in a fresh process (see spawn.c).
 *
 *   bench --child run  PEER KIND N OPS DIR USRFILE
 *       build the store, then time every workload once; prints
 *       "ok APPEND GET ZIPF DEPENDENT SCAN MEMORY OPS STEPS VALUEBYTES" and
 *       the four checksums (those of repeated passes divided by the passes,
 *       so contenders that repeat a different number of times compare)
 *   bench --child open PEER N DIR
 *       open what a run left in DIR and get one value; prints "ok US"
 *   bench --child durable PEER EVERY COUNT DIR
 *       durable appends (durable.c)
 *
 * PEER is an index into peers[]; the parent is the same binary, so the two
 * agree on it. Everything the workloads read (values, keys) is made before
 * the baseline of resident memory is taken, so the difference after the
 * appends is the store alone.
 */
#include "bench.h"
#include "clock.h"
#include "keys.h"
#include "rss.h"
#include "workload.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A get workload on a small N is repeated until it has done this many gets:
 * a few thousand gets take microseconds, too short to time alone. The
 * repeated passes find the data in cache, which is the truth at that size.
 */
#define WORK_FLOOR 200000

#define ZIPF_THETA 0.99

struct run {
	const struct peer *peer;
	uint64_t n, ops, rounds, scan_rounds;
	uint32_t *uniform, *zipf;
	struct values values;
};

static int peer_index(const char *arg, const struct peer **p)
{
	int count = 0, i = atoi(arg);

	while (peers[count])
		count++;
	if (i < 0 || i >= count)
		return -1;
	*p = peers[i];
	return 0;
}

/* ns per operation of one batch call, repeated rounds times. */
#define TIME_ROUNDS(result, rounds, ops, sum, call)                                \
	do {                                                                       \
		uint64_t t0_ = now_ns();                                           \
		for (uint64_t r_ = 0; r_ < (rounds); r_++)                         \
			(sum) += (call);                                           \
		(result) = (double)(now_ns() - t0_) / (double)((rounds) * (ops)); \
	} while (0)

/*
 * The first pass over the keys is not timed: it sets up what a process sets
 * up once, not once per get (page-table entries for memory mapped lazily:
 * vector_map's slot window, LMDB's and tinycdb's file maps). At N = 1e7 that
 * first pass costs vector_map about 20 ns more per get (the window's faults,
 * and prefetches dropped on pages not yet mapped); docs/BENCHMARKS.md has it.
 * Its checksum goes to a volatile, so no compiler drops the pass.
 */
static volatile uint64_t warm_sum;

static void warm_up(const struct peer *p, void *s, const struct run *r)
{
	warm_sum = p->gets(s, r->uniform, r->ops);
}

static void run_workloads(struct run *r, void *s, struct sample *out)
{
	const struct peer *p = r->peer;
	uint64_t steps = r->ops * r->rounds;

	warm_up(p, s, r);
	TIME_ROUNDS(out->value[METRIC_GET], r->rounds, r->ops, out->sum[SUM_GET],
		    p->gets(s, r->uniform, r->ops));
	TIME_ROUNDS(out->value[METRIC_ZIPF], r->rounds, r->ops, out->sum[SUM_ZIPF],
		    p->gets(s, r->zipf, r->ops));
	if (p->chase)
		TIME_ROUNDS(out->value[METRIC_DEPENDENT], 1, steps, out->sum[SUM_DEPENDENT],
			    p->chase(s, r->n, steps));
	else
		out->value[METRIC_DEPENDENT] = NAN;
	TIME_ROUNDS(out->value[METRIC_SCAN], r->scan_rounds, r->n, out->sum[SUM_SCAN],
		    p->scan(s, r->n));
	out->sum[SUM_GET] /= r->rounds;
	out->sum[SUM_ZIPF] /= r->rounds;
	out->sum[SUM_SCAN] /= r->scan_rounds;
	out->ops = r->ops;
	out->steps = p->chase ? steps : 0; /* nothing to compare with the reference */
}

static int run_setup(struct run *r, char **argv)
{
	int kind = values_kind_parse(argv[1]);
	uint64_t cap;

	if (peer_index(argv[0], &r->peer) || kind < 0)
		return -1;
	r->n = strtoull(argv[2], NULL, 10);
	cap = strtoull(argv[3], NULL, 10);
	if (r->n == 0 || values_make(&r->values, kind, r->n, argv[5]))
		return -1;
	r->ops = cap && cap < r->n ? cap : r->n;
	if (r->peer->max_ops && r->ops > r->peer->max_ops)
		r->ops = r->peer->max_ops;
	/* Peers with their own cap are slow ones: never repeat their passes. */
	r->rounds = r->peer->max_ops ? 1 : (WORK_FLOOR + r->ops - 1) / r->ops;
	r->scan_rounds = r->peer->max_ops ? 1 : (WORK_FLOOR + r->n - 1) / r->n;
	r->uniform = keys_uniform(r->ops, r->n, 1);
	r->zipf = keys_zipf(r->ops, r->n, ZIPF_THETA, 2);
	return r->uniform && r->zipf ? 0 : -1;
}

static int child_run(char **argv, const char *dir)
{
	struct run r = { 0 };
	struct sample out;
	uint64_t base, t0;
	void *s;

	memset(&out, 0, sizeof out);
	if (run_setup(&r, argv))
		return 2;
	base = rss_bytes();
	t0 = now_ns();
	s = r.peer->create(dir);
	if (!s || r.peer->append_all(s, &r.values, r.n)) {
		fprintf(stderr, "bench: %s failed to append %llu values\n", r.peer->name,
			(unsigned long long)r.n);
		return 1;
	}
	out.value[METRIC_APPEND] = (double)(now_ns() - t0) / (double)r.n;
	/* File-backed stores keep their values in the page cache, mapped or not
	 * as each library chooses: their figure is the file's size, not this. */
	out.value[METRIC_MEMORY] =
		r.peer->flags & PEER_FILE
			? NAN
			: ((double)rss_bytes() - (double)base - (double)r.values.entry_bytes) /
				  (double)r.n;
	run_workloads(&r, s, &out);
	/* A file store must be closed to be complete. A memory store goes with
	 * the process: freeing ten million strings one by one only costs time. */
	if (r.peer->flags & PEER_FILE)
		r.peer->destroy(s);
	printf("ok %.4f %.4f %.4f %.4f %.4f %.4f %llu %llu %llu", out.value[METRIC_APPEND],
	       out.value[METRIC_GET], out.value[METRIC_ZIPF], out.value[METRIC_DEPENDENT],
	       out.value[METRIC_SCAN], out.value[METRIC_MEMORY], (unsigned long long)out.ops,
	       (unsigned long long)out.steps, (unsigned long long)r.values.entry_bytes);
	for (int k = 0; k < SUMS; k++)
		printf(" %llu", (unsigned long long)out.sum[k]);
	printf("\n");
	return 0;
}

/*
 * Open and first get. The file was just written, so it is in the page cache:
 * this is the cost of the open itself (mapping, reading headers, the first
 * page faults), not of a disk.
 */
static int child_open(char **argv)
{
	const struct peer *p;
	uint64_t n, t0, sum;
	uint32_t key;
	double us;
	void *s;

	if (peer_index(argv[0], &p) || !p->open)
		return 2;
	n = strtoull(argv[1], NULL, 10);
	key = (uint32_t)(n / 2);
	t0 = now_ns();
	s = p->open(argv[2]);
	sum = s ? p->gets(s, &key, 1) : MISSING_VALUE;
	us = (double)(now_ns() - t0) / 1e3;
	if (!s || sum >= MISSING_VALUE) {
		fprintf(stderr, "bench: %s: open and get failed\n", p->name);
		return 1;
	}
	p->destroy(s);
	printf("ok %.3f\n", us);
	return 0;
}

int child_main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[0], "run") == 0)
		return child_run(argv + 1, argv[5]);
	if (argc == 4 && strcmp(argv[0], "open") == 0)
		return child_open(argv + 1);
	if (argc == 5 && strcmp(argv[0], "durable") == 0)
		return durable_child(argv + 1);
	fprintf(stderr, "bench: bad --child arguments\n");
	return 2;
}
