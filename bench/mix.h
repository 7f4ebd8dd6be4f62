/* SPDX-License-Identifier: MIT */
/*
 * mix.h - the deterministic pseudo-random numbers every part of the benchmark
 * uses, so two runs (and two processes) see the same values and keys.
 */
#ifndef BENCH_MIX_H
#define BENCH_MIX_H

#include <stdint.h>

/* splitmix64: one multiply-xorshift step; good enough to scatter keys. */
static inline uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* A number in [0, n) from the high bits of x, without a division (n < 2^32). */
static inline uint64_t below(uint64_t x, uint64_t n)
{
	return ((x >> 32) * n) >> 32;
}

#endif
