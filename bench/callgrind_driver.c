/* SPDX-License-Identifier: MIT */
/*
 * callgrind_driver.c - a fixed, small job for the CI regression check
 * (callgrind_check.sh): N appends of path-like values into an in-memory
 * vector_map, then N uniform random gets through vmap_get, then the same
 * gets through the header's vmap_get_inline.
 *
 * Each phase is one non-inlined function, so callgrind can count exactly
 * the instructions spent inside it (--toggle-collect=phase_append) and
 * nothing of the value generation before it. Instruction counts do not
 * depend on the machine's load, which is what makes them a stable check on
 * a shared CI machine where timings are not.
 */
#include "keys.h"
#include "values.h"
#include "vmap.h"

#include <stdio.h>
#include <stdlib.h>

#define N 100000

/* Not static, so the symbol keeps this name for --toggle-collect. */
__attribute__((noinline)) int phase_append(vmap *m, const struct values *v);
__attribute__((noinline)) size_t phase_get(const vmap *m, const uint32_t *keys);
__attribute__((noinline)) size_t phase_get_inline(const vmap *m, const uint32_t *keys);

int phase_append(vmap *m, const struct values *v)
{
	for (uint64_t k = 0; k < N; k++) {
		size_t len;
		const char *p = values_at(v, k, &len);
		int rc = vmap_append(m, k, p, len);

		if (rc)
			return rc;
	}
	return 0;
}

size_t phase_get(const vmap *m, const uint32_t *keys)
{
	size_t total = 0;

	for (uint64_t i = 0; i < N; i++) {
		size_t len = 0;

		if (vmap_get(m, keys[i], &len))
			total += len;
	}
	return total;
}

size_t phase_get_inline(const vmap *m, const uint32_t *keys)
{
	size_t total = 0;

	for (uint64_t i = 0; i < N; i++) {
		size_t len = 0;

		if (vmap_get_inline(m, keys[i], &len))
			total += len;
	}
	return total;
}

int main(void)
{
	struct values v;
	uint32_t *keys = keys_uniform(N, N, 1);
	vmap *m;
	int rc;

	if (!keys || values_make(&v, VALUES_PATH48, N, NULL) || (rc = vmap_new(&m))) {
		fprintf(stderr, "callgrind_driver: setup failed\n");
		return 1;
	}
	rc = phase_append(m, &v);
	if (rc) {
		fprintf(stderr, "callgrind_driver: append: %s\n", vmap_strerror(rc));
		return 1;
	}
	/* Printing the total keeps the gets from being optimized away. */
	printf("%zu bytes read\n", phase_get(m, keys));
	printf("%zu bytes read inline\n", phase_get_inline(m, keys));
	vmap_close(m);
	values_free(&v);
	free(keys);
	return 0;
}
