/* SPDX-License-Identifier: MIT */
/*
 * stats.c - medians over repetitions. The machine is shared, so a run that a
 * neighbour's compile slowed down must not move the figure: the median
 * ignores it, the mean would not.
 */
#include "bench.h"

#include <math.h>
#include <stdlib.h>

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, int count)
{
	qsort(v, (size_t)count, sizeof *v, compare_doubles);
	return count % 2 ? v[count / 2] : (v[count / 2 - 1] + v[count / 2]) / 2;
}

void summarize(struct summary *s, const struct sample *samples, int count)
{
	double *v = malloc((count > 0 ? (size_t)count : 1) * sizeof *v);

	for (int m = 0; v && m < METRICS; m++) {
		int k = 0;

		for (int i = 0; i < count; i++)
			if (!isnan(samples[i].value[m]))
				v[k++] = samples[i].value[m];
		s->runs[m] = k;
		s->median[m] = k ? median_of(v, k) : NAN;
		s->min[m] = k ? v[0] : NAN;
		s->max[m] = k ? v[k - 1] : NAN;
	}
	free(v);
}
