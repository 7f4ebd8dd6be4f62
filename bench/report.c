/* SPDX-License-Identifier: MIT */
/*
 * report.c - the results as a Markdown table per cell (for people and the
 * README) and as one long CSV (for scripts and spreadsheets).
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const struct metric_info metric_info[METRICS] = {
	[METRIC_APPEND] = { "append", "append", "ns/op" },
	[METRIC_GET] = { "get", "get", "ns/op" },
	[METRIC_ZIPF] = { "get_zipf", "get Zipf", "ns/op" },
	[METRIC_DEPENDENT] = { "get_dependent", "dependent get", "ns/op" },
	[METRIC_SCAN] = { "scan", "scan", "ns/entry" },
	[METRIC_MEMORY] = { "memory", "memory", "B/entry" },
	[METRIC_FILE] = { "file", "file", "B/entry" },
	[METRIC_OPEN] = { "open_get", "open + get", "us" },
};

int reference_peer(void)
{
	for (int i = 0; peers[i]; i++)
		if (peers[i] == &peer_flat_call)
			return i;
	return -1;
}

/* Three significant digits, never a exponent: tables are read by people. */
static void format_number(char *buf, size_t size, double v)
{
	double a = fabs(v);

	snprintf(buf, size, a < 10 ? "%.2f" : a < 100 ? "%.1f" : "%.0f", v);
}

static double ratio_to_reference(const struct cell *c, int peer, int m)
{
	int ref = reference_peer();
	double base;

	if (ref < 0 || !c->summaries[ref].ran)
		return NAN;
	base = c->summaries[ref].median[m];
	return base > 0 ? c->summaries[peer].median[m] / base : NAN;
}

static void print_value(FILE *out, const struct cell *c, int peer, int m)
{
	double v = c->summaries[peer].median[m], r = ratio_to_reference(c, peer, m);
	char num[32];

	if (isnan(v)) {
		fprintf(out, " – |");
		return;
	}
	format_number(num, sizeof num, v);
	if (isnan(r))
		fprintf(out, " %s |", num);
	else
		fprintf(out, " %s (%.2fx) |", num, r);
}

void report_cell(FILE *out, const struct cell *c, int reps)
{
	fprintf(out, "\n### %s values (mean %.1f bytes), N = %llu\n\n", values_kind_name(c->kind),
		c->mean_value, (unsigned long long)c->n);
	fprintf(out, "Medians of %d runs; in brackets, the ratio to the flat limit behind "
		     "a call (lower is better).\n\n| contender |", reps);
	for (int m = 0; m < METRICS; m++)
		fprintf(out, " %s %s |", metric_info[m].title, metric_info[m].unit);
	fprintf(out, "\n|:--|");
	for (int m = 0; m < METRICS; m++)
		fprintf(out, "--:|");
	fprintf(out, "\n");
	for (int p = 0; peers[p]; p++) {
		const struct summary *s = &c->summaries[p];

		if (!s->ran)
			continue;
		fprintf(out, "| %s%s |", peers[p]->name, s->wrong ? " (WRONG VALUES)" : "");
		for (int m = 0; m < METRICS; m++)
			print_value(out, c, p, m);
		fprintf(out, "\n");
	}
	fflush(out);
}

int report_csv(const char *path, const struct cell *cells, size_t count)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "values,n,contender,metric,unit,median,min,max,runs,ratio_to_flat_call\n");
	for (size_t i = 0; i < count; i++)
		for (int p = 0; peers[p]; p++) {
			const struct summary *s = &cells[i].summaries[p];

			for (int m = 0; s->ran && m < METRICS; m++) {
				if (s->runs[m] == 0)
					continue;
				fprintf(f, "%s,%llu,\"%s\",%s,%s,%.6g,%.6g,%.6g,%d,%.6g\n",
					values_kind_name(cells[i].kind),
					(unsigned long long)cells[i].n, peers[p]->name,
					metric_info[m].key, metric_info[m].unit, s->median[m],
					s->min[m], s->max[m], s->runs[m],
					ratio_to_reference(&cells[i], p, m));
			}
		}
	return fclose(f) ? -1 : 0;
}
