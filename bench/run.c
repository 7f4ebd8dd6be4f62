/* SPDX-License-Identifier: MIT */
/*
 * run.c - one cell of the grid: every repetition runs each contender once,
 * in a fresh child process (spawn.c, child.c), starting the round at a
 * different contender each time so that no one always runs first or last
 * while the neighbours on a shared machine come and go. Then the medians,
 * and a comparison of every contender's checksums with the reference's.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Does any comma-separated word of list occur in name (ignoring case)? */
static int name_matches(const char *name, const char *list)
{
	char words[256], *save;

	snprintf(words, sizeof words, "%s", list);
	for (char *w = strtok_r(words, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (const char *p = name; *p; p++)
			if (strncasecmp(p, w, strlen(w)) == 0)
				return 1;
	}
	return 0;
}

static int runs_in(const struct peer *p, const struct cell *c, const char *only)
{
	if (c->large_only && !(p->flags & PEER_LARGE))
		return 0;
	if (p->max_n && c->n > p->max_n)
		return 0;
	return !only || p == &peer_flat_call || name_matches(p->name, only);
}

static int parse_run(const char *text, struct sample *s)
{
	unsigned long long ops, steps, bytes, sum[SUMS];
	double *v = s->value;

	if (sscanf(text, "ok %lf %lf %lf %lf %lf %lf %llu %llu %llu %llu %llu %llu %llu",
		   &v[METRIC_APPEND], &v[METRIC_GET], &v[METRIC_ZIPF], &v[METRIC_DEPENDENT],
		   &v[METRIC_SCAN], &v[METRIC_MEMORY], &ops, &steps, &bytes, &sum[0], &sum[1],
		   &sum[2], &sum[3]) != 13)
		return -1;
	s->ops = ops;
	s->steps = steps;
	s->value_bytes = bytes;
	for (int k = 0; k < SUMS; k++)
		s->sum[k] = sum[k];
	return 0;
}

/* File bytes per entry, and open + first get in one more fresh process. */
static void measure_file(const struct cell *c, const char *dir, char *idx, char *n,
			 struct sample *s)
{
	char *argv[] = { "vmap_bench", "--child", "open", idx, n, (char *)dir, NULL };
	char out[256];
	uint64_t bytes;

	if (dir_bytes(dir, &bytes) == 0)
		s->value[METRIC_FILE] =
			((double)bytes - (double)s->value_bytes) / (double)c->n;
	if (spawn_self(argv, out, sizeof out) == 0)
		sscanf(out, "ok %lf", &s->value[METRIC_OPEN]);
}

/* One contender, one repetition: a child that builds and times, and for
 * file-backed contenders the open measurement, then the files go. */
static int measure(const struct context *x, int peer, const struct cell *c, struct sample *s)
{
	char idx[16], n[32], ops[32], dir[4200], out[1024];
	char *argv[] = { "vmap_bench", "--child", "run", idx, (char *)values_kind_name(c->kind),
			 n, ops, dir, (char *)x->usr_file, NULL };
	int rc;

	for (int m = 0; m < METRICS; m++)
		s->value[m] = NAN;
	snprintf(idx, sizeof idx, "%d", peer);
	snprintf(n, sizeof n, "%llu", (unsigned long long)c->n);
	snprintf(ops, sizeof ops, "%llu", (unsigned long long)x->o->ops);
	snprintf(dir, sizeof dir, "%s/store", x->base);
	if (dir_make(dir))
		return -1;
	rc = spawn_self(argv, out, sizeof out);
	if (rc == 0 && parse_run(out, s) == 0 && (peers[peer]->flags & PEER_FILE))
		measure_file(c, dir, idx, n, s);
	dir_remove(dir);
	if (rc || isnan(s->value[METRIC_APPEND])) {
		fprintf(stderr, "bench: %s failed at %s N=%s (exit %d)\n", peers[peer]->name,
			values_kind_name(c->kind), n, rc);
		return -1;
	}
	return 0;
}

/* Flag a contender whose values differ from the reference's. */
static int checksums_differ(const struct sample *a, const struct sample *ref)
{
	int differ = a->sum[SUM_SCAN] != ref->sum[SUM_SCAN];

	if (a->ops == ref->ops)
		differ |= a->sum[SUM_GET] != ref->sum[SUM_GET] ||
			  a->sum[SUM_ZIPF] != ref->sum[SUM_ZIPF];
	if (a->steps == ref->steps)
		differ |= a->sum[SUM_DEPENDENT] != ref->sum[SUM_DEPENDENT];
	return differ;
}

/* Compare every contender's first good sample with the reference's. */
static void check_values(struct cell *c, const int *list, int count,
			 const struct sample *samples, int reps)
{
	int ref = reference_peer(), rj = -1;

	for (int j = 0; j < count; j++)
		if (list[j] == ref && c->summaries[ref].ran)
			rj = j;
	for (int j = 0; rj >= 0 && j < count; j++) {
		if (!c->summaries[list[j]].ran ||
		    !checksums_differ(&samples[j * reps], &samples[rj * reps]))
			continue;
		c->summaries[list[j]].wrong = 1;
		fprintf(stderr, "\nbench: %s returned wrong values at %s N=%llu\n",
			peers[list[j]]->name, values_kind_name(c->kind), (unsigned long long)c->n);
	}
}

void run_cell(const struct context *x, struct cell *c)
{
	int list[MAX_PEERS], count = 0, reps = x->o->reps;
	struct sample *samples;
	int *ok;

	for (int p = 0; peers[p] && count < MAX_PEERS; p++)
		if (runs_in(peers[p], c, x->o->only))
			list[count++] = p;
	samples = calloc((size_t)(count * reps), sizeof *samples);
	ok = calloc((size_t)(count * reps), sizeof *ok);
	if (!samples || !ok) {
		free(samples);
		free(ok);
		return;
	}
	for (int r = 0; r < reps; r++) {
		for (int j = 0; j < count; j++) {
			int slot = (j + r) % count; /* rotate who goes first */

			ok[slot * reps + r] =
				measure(x, list[slot], c, &samples[slot * reps + r]) == 0;
		}
		fprintf(stderr, ".");
	}
	for (int j = 0; j < count; j++) {
		struct summary *s = &c->summaries[list[j]];
		struct sample *mine = &samples[j * reps];
		int good = 0;

		for (int r = 0; r < reps; r++)
			if (ok[j * reps + r])
				mine[good++] = mine[r];
		s->ran = good > 0;
		summarize(s, mine, good);
		if (good && c->mean_value == 0)
			c->mean_value = (double)mine[0].value_bytes / (double)c->n;
	}
	check_values(c, list, count, samples, reps);
	free(samples);
	free(ok);
}
