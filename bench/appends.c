/* SPDX-License-Identifier: MIT */
/*
 * appends.c - vmap_appends: N appends of path48 values into a new in-memory
 * map (vmap_new), and nothing else worth a profiler's attention: the job to
 * run under perf, strace -c or /usr/bin/time to see where append time goes.
 *
 *   vmap_appends [N (default 1e7)] [BUILDS (default 5)]
 *   perf record -g -e cpu-clock build/release/bench/vmap_appends
 *   strace -c build/release/bench/vmap_appends 1e7 1
 *
 * The map is built BUILDS times (each closed before the next), so making
 * the values once is a small part of a profile. Prints the ns per append
 * of each build.
 */
#include "clock.h"
#include "values.h"
#include "vmap.h"

#include <stdio.h>
#include <stdlib.h>

static int build(const struct values *v, uint64_t n)
{
	uint64_t t0 = now_ns();
	vmap *m;
	int rc = vmap_new(&m);

	for (uint64_t k = 0; rc == 0 && k < n; k++) {
		size_t len;
		const char *p = values_at(v, k, &len);

		rc = vmap_append(m, k, p, len);
	}
	if (rc == 0)
		printf("%llu appends, %.1f ns per append\n", (unsigned long long)n,
		       (double)(now_ns() - t0) / (double)n);
	vmap_close(m);
	return rc;
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? (uint64_t)strtod(argv[1], NULL) : 10000000;
	int builds = argc > 2 ? atoi(argv[2]) : 5, rc = 0;
	struct values v;

	if (n < 1 || n > UINT32_MAX || builds < 1 || values_make(&v, VALUES_PATH48, n, NULL)) {
		fprintf(stderr, "usage: vmap_appends [N] [BUILDS]\n");
		return 2;
	}
	for (int b = 0; rc == 0 && b < builds; b++)
		rc = build(&v, n);
	values_free(&v);
	if (rc)
		fprintf(stderr, "vmap_appends: %s\n", vmap_strerror(rc));
	return rc ? 1 : 0;
}
