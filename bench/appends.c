/* SPDX-License-Identifier: MIT */
/*
 * appends.c - vmap_appends: N appends of path48 values into a new in-memory
 * map (vmap_new), and nothing else worth a profiler's attention: the job to
 * run under perf, strace -c or /usr/bin/time to see where append time goes.
 *
 *   vmap_appends [N (default 1e7)]
 *   perf record -g -e cpu-clock build/release/bench/vmap_appends 1e7
 *   strace -c build/release/bench/vmap_appends 1e7
 *
 * Prints the ns per append (generating the values is not timed).
 */
#include "clock.h"
#include "values.h"
#include "vmap.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? (uint64_t)strtod(argv[1], NULL) : 10000000, t0;
	struct values v;
	vmap *m;
	int rc;

	if (n < 1 || n > UINT32_MAX || values_make(&v, VALUES_PATH48, n, NULL)) {
		fprintf(stderr, "usage: vmap_appends [N]\n");
		return 2;
	}
	t0 = now_ns();
	if ((rc = vmap_new(&m)))
		goto fail;
	for (uint64_t k = 0; k < n; k++) {
		size_t len;
		const char *p = values_at(&v, k, &len);

		if ((rc = vmap_append(m, k, p, len)))
			goto fail;
	}
	printf("%llu appends, %.1f ns per append\n", (unsigned long long)n,
	       (double)(now_ns() - t0) / (double)n);
	vmap_close(m);
	values_free(&v);
	return 0;
fail:
	fprintf(stderr, "vmap_appends: %s\n", vmap_strerror(rc));
	return 1;
}
