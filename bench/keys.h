/* SPDX-License-Identifier: MIT */
/*
 * keys.h - the key sequences of the get workloads, drawn before the clock
 * starts so no contender pays for the random number generator.
 */
#ifndef BENCH_KEYS_H
#define BENCH_KEYS_H

#include <stdint.h>

/* count keys drawn uniformly from [0, n). NULL when out of memory. */
uint32_t *keys_uniform(uint64_t count, uint64_t n, uint64_t seed);

/*
 * count keys from [0, n) with a Zipf distribution of exponent theta (0.99 is
 * YCSB's): a few keys take most gets. The popular keys are scattered over the
 * whole range, as they would be in real data, so the hot set is not simply
 * the first cache lines of every structure.
 */
uint32_t *keys_zipf(uint64_t count, uint64_t n, double theta, uint64_t seed);

#endif
