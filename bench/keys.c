/* SPDX-License-Identifier: MIT */
/*
 * keys.c - uniform and Zipf-distributed key sequences.
 *
 * The Zipf sampler is the closed-form one of Gray et al., "Quickly generating
 * billion-record synthetic databases" (SIGMOD 1994), as YCSB uses it: one
 * uniform draw and one pow() per key, after computing zeta(n, theta) once.
 */
#include "keys.h"
#include "mix.h"

#include <math.h>
#include <stdlib.h>

uint32_t *keys_uniform(uint64_t count, uint64_t n, uint64_t seed)
{
	uint32_t *keys = malloc((count ? count : 1) * sizeof *keys);

	for (uint64_t i = 0; keys && i < count; i++)
		keys[i] = (uint32_t)below(mix64(seed + i), n);
	return keys;
}

/*
 * zeta(n, theta) = sum of i^-theta for i = 1..n. The first million terms are
 * summed; the rest of the sum is replaced by its Euler-Maclaurin estimate
 * (integral plus end corrections), exact to far more digits than the sampler
 * needs, so a child process at N = 1e7 does not spend a second in pow().
 */
static double zeta(uint64_t n, double theta)
{
	const uint64_t exact = 1000000;
	uint64_t k = n < exact ? n : exact;
	double sum = 0;

	for (uint64_t i = 1; i <= k; i++)
		sum += pow((double)i, -theta);
	if (n > k) {
		double a = (double)k, b = (double)n, e = 1 - theta;

		sum += (pow(b, e) - pow(a, e)) / e;             /* integral from k to n */
		sum += (pow(b, -theta) - pow(a, -theta)) / 2;    /* trapezoid ends */
		sum += -theta * (pow(b, -theta - 1) - pow(a, -theta - 1)) / 12;
	}
	return sum;
}

uint32_t *keys_zipf(uint64_t count, uint64_t n, double theta, uint64_t seed)
{
	uint32_t *keys = malloc((count ? count : 1) * sizeof *keys);
	double zetan = zeta(n, theta), zeta2 = zeta(2, theta);
	double alpha = 1 / (1 - theta);
	double eta = (1 - pow(2.0 / (double)n, 1 - theta)) / (1 - zeta2 / zetan);

	for (uint64_t i = 0; keys && i < count; i++) {
		double u = (double)(mix64(seed + i) >> 11) * 0x1p-53;
		double uz = u * zetan;
		uint64_t rank;

		if (uz < 1)
			rank = 0;
		else if (uz < 1 + pow(0.5, theta))
			rank = 1;
		else
			rank = (uint64_t)((double)n * pow(eta * u - eta + 1, alpha));
		if (rank >= n)
			rank = n - 1;
		/* Scatter ranks: 2654435761 is odd and not a multiple of 5, so it is
		 * coprime with every power of ten and the map is a permutation. */
		keys[i] = (uint32_t)(rank * 2654435761u % n);
	}
	return keys;
}
