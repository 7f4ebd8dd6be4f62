/* SPDX-License-Identifier: MIT */
/*
 * replot.c - read back the CSV that report_csv wrote, so the plots can be
 * restyled and redrawn without measuring again (vmap_bench --replot).
 * Only what plot_all needs is restored: which contender ran where, and the
 * medians.
 */
#include "bench.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int peer_named(const char *name)
{
	for (int p = 0; peers[p]; p++)
		if (strcmp(peers[p]->name, name) == 0)
			return p;
	return -1;
}

static int metric_named(const char *key)
{
	for (int m = 0; m < METRICS; m++)
		if (strcmp(metric_info[m].key, key) == 0)
			return m;
	return -1;
}

static struct summary *summary_for(struct cell **cells, size_t *count, int kind, uint64_t n,
				   int peer)
{
	struct cell *c;

	for (size_t i = 0; i < *count; i++)
		if ((*cells)[i].kind == kind && (*cells)[i].n == n)
			return &(*cells)[i].summaries[peer];
	if (cell_add(cells, count, kind, n, 0))
		return NULL;
	c = &(*cells)[*count - 1];
	for (int p = 0; peers[p]; p++)
		for (int m = 0; m < METRICS; m++)
			c->summaries[p].median[m] = NAN;
	return &c->summaries[peer];
}

/* One line: values,n,"contender",metric,unit,median,... */
static int read_line(char *line, struct cell **cells, size_t *count)
{
	char kind[32], name[128], key[32];
	unsigned long long n;
	double median;
	int p, m, k;
	struct summary *s;

	if (sscanf(line, "%31[^,],%llu,\"%127[^\"]\",%31[^,],%*[^,],%lf", kind, &n, name, key,
		   &median) != 5)
		return -1;
	k = values_kind_parse(kind);
	p = peer_named(name);
	m = metric_named(key);
	if (k < 0 || p < 0 || m < 0)
		return 0; /* a contender or measure this build does not have */
	s = summary_for(cells, count, k, n, p);
	if (!s)
		return -1;
	s->ran = 1;
	s->median[m] = median;
	s->runs[m] = 1;
	return 0;
}

int replot_read(const char *path, struct cell **cells, size_t *count)
{
	char line[512];
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof line, f)) /* the header */
		rc = -1;
	while (rc == 0 && fgets(line, sizeof line, f))
		rc = read_line(line, cells, count);
	fclose(f);
	return rc;
}
