/* SPDX-License-Identifier: MIT */
/*
 * plot.c - PNG plots with gnuplot: for each value set and measure, the
 * median against N, one line per contender, both axes logarithmic (N spans
 * four decades, and the contenders' costs span three).
 *
 * For each plot the directory gets NAME.dat (one gnuplot data block per
 * contender), NAME.gp (the script) and NAME.png, so a plot can be restyled
 * and redrawn without running the benchmark again.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Write one block per contender that has figures; returns how many. */
static int write_data(FILE *f, const struct cell *cells, size_t count, int kind, int m,
		      int *which)
{
	int blocks = 0;

	for (int p = 0; peers[p] && blocks < MAX_PEERS; p++) {
		int points = 0;

		for (size_t i = 0; i < count; i++) {
			const struct summary *s = &cells[i].summaries[p];

			if (cells[i].kind != kind || !s->ran || s->wrong || isnan(s->median[m]))
				continue;
			if (points++ == 0)
				fprintf(f, "# %s\n", peers[p]->name);
			fprintf(f, "%llu %.6g\n", (unsigned long long)cells[i].n, s->median[m]);
		}
		if (points) {
			fprintf(f, "\n\n");
			which[blocks++] = p;
		}
	}
	return blocks;
}

/* Every contender its own colour (gnuplot's default cycle has eight). */
static const char *const colors[] = {
	"#d62728", "#ff7f0e", "#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#000000", "#aec7e8", "#98df8a", "#c5b0d5",
	"#393b79", "#e7ba52", "#843c39", "#637939", "#7b4173", "#5254a3",
};
#define COLORS (sizeof colors / sizeof colors[0])

static int write_script(const char *path, const char *name, int kind, int m,
			const int *which, int blocks)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "set terminal pngcairo size 1000,600 noenhanced\n"
		   "set output '%s.png'\n"
		   "set title '%s, %s values'\n"
		   "set xlabel 'N (entries)'\nset ylabel '%s'\n"
		   "set logscale xy\nset autoscale xfix\nset offsets graph 0.03, graph 0.03\nset grid\nset key outside right\n"
		   "set format x '1e%%T'\n",
		name, metric_info[m].title, values_kind_name(kind), metric_info[m].unit);
	fprintf(f, "plot");
	/* A contender keeps its colour in every plot; vector_map's own lines
	 * are drawn thicker: they are what is compared. */
	for (int b = 0; b < blocks; b++) {
		const char *who = peers[which[b]]->name;

		fprintf(f, "%s '%s.dat' index %d using 1:2 with linespoints lw %d pt %d "
			   "lc rgb '%s' title '%s'",
			b ? ", \\\n    " : " ", name, b, strncmp(who, "vector_map", 10) ? 2 : 4,
			which[b] % 13 + 1, colors[(size_t)which[b] % COLORS], who);
	}
	fprintf(f, "\n");
	return fclose(f) ? -1 : 0;
}

/* The script names its files relative to dir, so gnuplot runs there. */
static int run_gnuplot(const char *dir, const char *name)
{
	char script[80];
	int status;
	pid_t pid;

	snprintf(script, sizeof script, "%s.gp", name);
	pid = fork();
	if (pid == 0) {
		if (chdir(dir) == 0)
			execlp("gnuplot", "gnuplot", script, (char *)NULL);
		perror("bench: gnuplot");
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* Plot one measure of one value set, if it has at least two sizes. */
static int plot_one(const char *dir, const struct cell *cells, size_t count, int kind, int m)
{
	int which[MAX_PEERS];
	char name[64], path[4096];
	int sizes = 0, blocks;
	FILE *f;

	for (size_t i = 0; i < count; i++)
		sizes += cells[i].kind == kind;
	if (sizes < 2)
		return 0;
	snprintf(name, sizeof name, "%s-%s", values_kind_name(kind), metric_info[m].key);
	snprintf(path, sizeof path, "%s/%s.dat", dir, name);
	if (!(f = fopen(path, "w")))
		return -1;
	blocks = write_data(f, cells, count, kind, m, which);
	if (fclose(f) || blocks == 0)
		return blocks ? -1 : 0;
	snprintf(path, sizeof path, "%s/%s.gp", dir, name);
	if (write_script(path, name, kind, m, which, blocks))
		return -1;
	return run_gnuplot(dir, name);
}

int plot_all(const char *dir, const struct cell *cells, size_t count)
{
	int rc = 0;

	if (dir_make(dir))
		return -1;
	for (int kind = 0; kind < VALUES_KINDS; kind++)
		for (int m = 0; m < METRICS; m++)
			if (plot_one(dir, cells, count, kind, m))
				rc = -1;
	return rc;
}
