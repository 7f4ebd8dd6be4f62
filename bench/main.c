/*
 * main.c - the benchmark harness: vector_map against what users would pick
 * instead, the same workloads on each, interleaved and repeated.
 *
 * For each cell of the grid (a value set and a size N), every repetition
 * runs each contender once, in a fresh child process (spawn.c, child.c),
 * starting the round at a different contender each time so that no one
 * always runs first or last while the neighbours on a shared machine come
 * and go. The reports (report.c, plot.c) give medians.
 */
#include "bench.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"

#define DEFAULT_REPS 5
/*
 * Gets per workload at most. The keys still span all of N, so a get at
 * N = 1e7 still misses the cache as it should; 200,000 of them are enough
 * for a stable median and keep the default run under three minutes.
 */
#define DEFAULT_OPS 200000

struct options {
	int reps;
	int full;
	uint64_t ops;
	const char *csv, *plots, *only, *tmp, *sizes, *values;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmap_bench [options]\n"
		"  --reps R        repetitions of every measurement (default %d)\n"
		"  --full          the whole grid: all value sets, N = 1e3..1e7, all contenders\n"
		"  --sizes LIST    sizes, e.g. 1e3,1e5 (instead of the default grid)\n"
		"  --values LIST   value sets: path48,fixed16,fixed256,usr\n"
		"  --only LIST     contenders whose names contain one of these words\n"
		"                  (the flat limit behind a call always runs: ratios need it)\n"
		"  --ops N         gets per workload at most (default %d; 0: N)\n"
		"  --csv FILE      also write every median as CSV\n"
		"  --plots DIR     also write PNG plots (gnuplot) into DIR\n"
		"  --tmp DIR       where file-backed contenders write (default $TMPDIR or /tmp)\n"
		"  --list          list the contenders and exit\n"
		"  --replot CSV    only redraw the plots (--plots DIR) from a CSV it wrote\n"
		"The default run: path48 values at N = 1e3..1e6 for every contender, and\n"
		"1e7 for vector_map, the flat limit and char**.\n",
		DEFAULT_REPS, DEFAULT_OPS);
}

/* "1e6", "1000000" and "1,000,000" are all a million. */
static uint64_t parse_count(const char *s)
{
	char digits[64];
	size_t k = 0;

	for (; *s && k + 1 < sizeof digits; s++)
		if (*s != ',')
			digits[k++] = *s;
	digits[k] = '\0';
	return (uint64_t)strtod(digits, NULL);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	o->reps = DEFAULT_REPS;
	o->ops = DEFAULT_OPS;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--full") == 0)
			o->full = 1;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return usage(stdout), 1;
		else if (!next)
			return usage(stderr), -1;
		else if (strcmp(a, "--reps") == 0)
			o->reps = atoi(argv[++i]);
		else if (strcmp(a, "--ops") == 0)
			o->ops = parse_count(argv[++i]);
		else if (strcmp(a, "--csv") == 0)
			o->csv = argv[++i];
		else if (strcmp(a, "--plots") == 0)
			o->plots = argv[++i];
		else if (strcmp(a, "--only") == 0)
			o->only = argv[++i];
		else if (strcmp(a, "--tmp") == 0)
			o->tmp = argv[++i];
		else if (strcmp(a, "--sizes") == 0)
			o->sizes = argv[++i];
		else if (strcmp(a, "--values") == 0)
			o->values = argv[++i];
		else
			return usage(stderr), -1;
	}
	return o->reps > 0 ? 0 : (usage(stderr), -1);
}

int cell_add(struct cell **cells, size_t *count, int kind, uint64_t n, int large_only)
{
	struct cell *c = realloc(*cells, (*count + 1) * sizeof *c);
	int npeers = 0;

	if (!c)
		return -1;
	*cells = c;
	while (peers[npeers])
		npeers++;
	c[*count] = (struct cell){ .kind = kind, .n = n, .large_only = large_only };
	c[*count].summaries = calloc((size_t)npeers, sizeof(struct summary));
	return c[(*count)++].summaries ? 0 : -1;
}

/* The cross product of two comma-separated lists, or the default grid. */
static int build_grid(const struct options *o, struct cell **cells, size_t *count)
{
	char kinds[128], sizes[256], *k_save, *s_save;
	const char *dk = o->full ? "path48,fixed16,fixed256,usr" : "path48";
	const char *ds = o->full ? "1e3,1e4,1e5,1e6,1e7" : "1e3,1e4,1e5,1e6";

	snprintf(kinds, sizeof kinds, "%s", o->values ? o->values : dk);
	for (char *k = strtok_r(kinds, ",", &k_save); k; k = strtok_r(NULL, ",", &k_save)) {
		int kind = values_kind_parse(k);

		if (kind < 0) {
			fprintf(stderr, "bench: unknown value set '%s'\n", k);
			return -1;
		}
		snprintf(sizes, sizeof sizes, "%s", o->sizes ? o->sizes : ds);
		for (char *s = strtok_r(sizes, ",", &s_save); s; s = strtok_r(NULL, ",", &s_save))
			if (parse_count(s) < 2 || parse_count(s) > UINT32_MAX ||
			    cell_add(cells, count, kind, parse_count(s), 0))
				return -1;
	}
	/* The short run adds the largest size for the contenders that matter most. */
	if (!o->full && !o->sizes && !o->values)
		return cell_add(cells, count, VALUES_PATH48, 10000000, 1);
	return 0;
}

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

struct context {
	const struct options *o;
	char base[4096];     /* the scratch directory */
	char usr_file[4200]; /* the gathered /usr paths, or "-" */
};

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

static void run_cell(const struct context *x, struct cell *c)
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

static int make_scratch(struct context *x)
{
	const char *root = x->o->tmp ? x->o->tmp : getenv("TMPDIR");

	snprintf(x->base, sizeof x->base, "%s/vmap-bench-XXXXXX", root && *root ? root : "/tmp");
	if (!mkdtemp(x->base)) {
		perror(x->base);
		return -1;
	}
	snprintf(x->usr_file, sizeof x->usr_file, "-");
	return 0;
}

/* Walk /usr once, if any cell uses its paths. */
static int gather_usr(struct context *x, const struct cell *cells, size_t count)
{
	uint64_t found;

	for (size_t i = 0; i < count; i++)
		if (cells[i].kind == VALUES_USR) {
			snprintf(x->usr_file, sizeof x->usr_file, "%s/usr.paths", x->base);
			if (values_gather_usr("/usr", x->usr_file, &found))
				return -1;
			fprintf(stderr, "bench: %llu paths found under /usr\n",
				(unsigned long long)found);
			return 0;
		}
	return 0;
}

static void print_header(const struct options *o)
{
	printf("# vector_map benchmark\n\n");
	printf("%d runs of every measurement, each in a fresh process; gets per workload: "
	       "at most %llu (keys drawn from all N).\n",
	       o->reps, (unsigned long long)o->ops);
	for (int i = 0; missing_peers[i]; i++) {
		printf("Skipped, not found at build time: %s.\n", missing_peers[i]);
		fprintf(stderr, "bench: skipped %s: not found at build time\n", missing_peers[i]);
	}
	fflush(stdout);
}

static int list_peers(void)
{
	for (int i = 0; peers[i]; i++)
		printf("%s%s\n", peers[i]->name, peers[i]->flags & PEER_FILE ? " (file)" : "");
	for (int i = 0; missing_peers[i]; i++)
		printf("skipped: %s\n", missing_peers[i]);
	return 0;
}

static int finish(const struct context *x, const struct cell *cells, size_t count)
{
	int rc = 0;

	if (x->o->csv && report_csv(x->o->csv, cells, count)) {
		perror(x->o->csv);
		rc = 1;
	}
	if (x->o->plots && plot_all(x->o->plots, cells, count)) {
		fprintf(stderr, "bench: some plots failed (is gnuplot installed?)\n");
		rc = 1;
	}
	return rc;
}

/* Plots again from a CSV, without measuring: for restyling them. */
static int replot(const char *csv, const char *dir)
{
	struct cell *cells = NULL;
	size_t count = 0;
	int rc = replot_read(csv, &cells, &count) || plot_all(dir, cells, count);

	for (size_t i = 0; i < count; i++)
		free(cells[i].summaries);
	free(cells);
	if (rc)
		fprintf(stderr, "bench: cannot replot %s into %s\n", csv, dir);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct context x = { .o = &o };
	struct cell *cells = NULL;
	size_t count = 0;
	uint64_t t0 = now_ns();
	int rc;

	if (argc > 2 && strcmp(argv[1], "--child") == 0)
		return child_main(argc - 2, argv + 2);
	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		return list_peers();
	if (argc == 5 && strcmp(argv[1], "--replot") == 0 && strcmp(argv[3], "--plots") == 0)
		return replot(argv[2], argv[4]);
	if ((rc = parse_options(argc, argv, &o)))
		return rc < 0 ? 2 : 0;
	if (build_grid(&o, &cells, &count) || make_scratch(&x))
		return 1;
	if (gather_usr(&x, cells, count)) {
		fprintf(stderr, "bench: cannot gather the paths under /usr\n");
		dir_remove(x.base);
		return 1;
	}
	print_header(&o);
	for (size_t i = 0; i < count; i++) {
		fprintf(stderr, "bench: %s N=%llu ", values_kind_name(cells[i].kind),
			(unsigned long long)cells[i].n);
		run_cell(&x, &cells[i]);
		fprintf(stderr, " %.0f s so far\n", (double)(now_ns() - t0) / 1e9);
		report_cell(stdout, &cells[i], o.reps);
	}
	rc = finish(&x, cells, count);
	dir_remove(x.base);
	for (size_t i = 0; i < count; i++)
		free(cells[i].summaries);
	free(cells);
	return rc;
}
