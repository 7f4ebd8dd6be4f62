/* SPDX-License-Identifier: MIT */
/*
 * main.c - the benchmark harness: vector_map against what users would pick
 * instead, the same workloads on each, interleaved and repeated
 * (bench/README.md). This file sets a run up and hands its results to the
 * reports: options.c reads the command line, run.c measures one cell,
 * report.c and plot.c write the tables and plots.
 */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

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
	if ((rc = options_parse(argc, argv, &o)))
		return rc < 0 ? 2 : 0;
	if (grid_build(&o, &cells, &count) || make_scratch(&x))
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
