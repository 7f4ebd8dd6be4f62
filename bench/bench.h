/* SPDX-License-Identifier: MIT */
/*
 * bench.h - the harness's own types: what is measured, one child's figures,
 * and the medians the reports are made from.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "peer.h"

enum metric {
	METRIC_APPEND,    /* ns per append, creating and committing included */
	METRIC_GET,       /* ns per get, uniform keys */
	METRIC_ZIPF,      /* ns per get, Zipf-skewed keys */
	METRIC_DEPENDENT, /* ns per get when each key depends on the last value */
	METRIC_SCAN,      /* ns per entry of a full scan */
	METRIC_MEMORY,    /* resident bytes per entry beyond the value bytes */
	METRIC_FILE,      /* file bytes per entry beyond the value bytes */
	METRIC_OPEN,      /* us to open a file and get one value, in a new process */
	METRICS
};

struct metric_info {
	const char *key;   /* CSV and file names */
	const char *title; /* table headers and plot titles */
	const char *unit;
};

extern const struct metric_info metric_info[METRICS];

/* The workloads whose checksums are compared across contenders. */
enum checksum { SUM_GET, SUM_ZIPF, SUM_DEPENDENT, SUM_SCAN, SUMS };

/* One child process's figures for one contender; NAN where not measured. */
struct sample {
	double value[METRICS];
	uint64_t sum[SUMS];
	uint64_t ops;         /* gets per pass of a get workload */
	uint64_t steps;       /* dependent gets: checksums compare only like with like */
	uint64_t value_bytes; /* sum of the value lengths stored */
};

/* The medians over the repetitions of one contender in one cell. */
struct summary {
	double median[METRICS], min[METRICS], max[METRICS];
	int runs[METRICS];
	int ran;        /* the contender took part in this cell */
	int wrong;      /* a checksum differed from the reference contender's */
};

/* No more contenders than this are built in. */
#define MAX_PEERS 64

/* One (value set, N) of the grid. */
struct cell {
	int kind;
	uint64_t n;
	int large_only; /* only PEER_LARGE contenders */
	double mean_value; /* mean value length, bytes */
	struct summary *summaries; /* one per peers[] entry */
};

/* What the command line asked for (options.c). */
struct options {
	int reps;
	int full;
	uint64_t ops;
	const char *csv, *plots, *only, *tmp, *sizes, *values;
};

/* A run's options and its scratch space (main.c). */
struct context {
	const struct options *o;
	char base[4096];     /* the scratch directory */
	char usr_file[4200]; /* the gathered /usr paths, or "-" */
};

/* options.c: the command line, and the grid of cells it asks for. 0 to run,
 * 1 when help was printed, -1 on a usage error. */
int options_parse(int argc, char **argv, struct options *o);
int grid_build(const struct options *o, struct cell **cells, size_t *count);
/* Append the cell (kind, n) to *cells. 0, or -1 out of memory. */
int cell_add(struct cell **cells, size_t *count, int kind, uint64_t n, int large_only);

/* run.c: every repetition of every contender of one cell, then the medians. */
void run_cell(const struct context *x, struct cell *c);

/* replot.c: read back a CSV that report_csv wrote, for plot_all. */
int replot_read(const char *path, struct cell **cells, size_t *count);

/* child.c: the --child modes, run in a fresh process by the harness. */
int child_main(int argc, char **argv);

/* spawn.c: run this program again with argv, capture its stdout. */
int spawn_self(char *const argv[], char *out, size_t out_size);

/* files.c: the scratch directory. */
int dir_make(const char *path);
int dir_remove(const char *path);
int dir_bytes(const char *path, uint64_t *bytes);

/* stats.c */
void summarize(struct summary *s, const struct sample *samples, int count);

/* The index in peers[] of the reference every ratio is taken to: the flat
 * limit behind a call. -1 if it is not built (it always is). */
int reference_peer(void);

/* report.c: the Markdown table of one cell, and the CSV of all of them. */
void report_cell(FILE *out, const struct cell *c, int reps);
int report_csv(const char *path, const struct cell *cells, size_t count);

/* plot.c: data, gnuplot scripts and PNGs under dir. 0, or -1 if gnuplot failed. */
int plot_all(const char *dir, const struct cell *cells, size_t count);

#endif
