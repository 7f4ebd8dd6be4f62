/* SPDX-License-Identifier: MIT */
/*
 * options.c - the command line, and the grid of cells (value set, N) it
 * asks for: the default short run, --full, or lists of one's own.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_REPS 5
/*
 * Gets per workload at most. The keys still span all of N, so a get at
 * N = 1e7 still misses the cache as it should; 200,000 of them are enough
 * for a stable median and keep the default run under three minutes.
 */
#define DEFAULT_OPS 200000

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

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "vmap_bench: %s %s\n", what, arg);
	usage(stderr);
	return -1;
}

int options_parse(int argc, char **argv, struct options *o)
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
			return bad_usage("unknown option, or one without its value:", a);
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
			return bad_usage("unknown option", a);
	}
	return o->reps > 0 ? 0 : bad_usage("--reps must be at least", "1");
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
int grid_build(const struct options *o, struct cell **cells, size_t *count)
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
