/* SPDX-License-Identifier: MIT */
/*
 * workload.h - the per-operation loops, written once and compiled into every
 * peer's file around that peer's own get and append.
 *
 * The loops are always_inline and take the operation as a function pointer;
 * each peer calls them with a constant, so the compiler turns the pointer into
 * a direct call (and inlines it where the peer's operation is inline, as the
 * flat limit's is). That is exactly how a user's loop would call the library.
 *
 * Every get folds the value's length and two of its bytes into a checksum:
 * the bytes must really be read, and the harness compares the checksums of
 * all contenders, so a peer that returns a wrong value is caught.
 */
#ifndef BENCH_WORKLOAD_H
#define BENCH_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "mix.h"
#include "values.h"

typedef int (*append_fn)(void *store, uint64_t key, const char *val, size_t len);
typedef const char *(*get_fn)(void *store, uint64_t key, size_t *len);

#define WORKLOAD static inline __attribute__((always_inline))

/* What a get contributes to a checksum; order-independent when summed. */
static inline uint64_t value_fold(const char *p, size_t len)
{
	const unsigned char *u = (const unsigned char *)p;

	return len * 31 + u[len / 2] * 7u + u[len - 1];
}

/* A missing value poisons the checksum instead of being silently fast. */
#define MISSING_VALUE 0x8000000000000000ull

WORKLOAD int workload_append(void *s, const struct values *v, uint64_t n, append_fn append)
{
	for (uint64_t i = 0; i < n; i++) {
		size_t len;
		const char *p = values_at(v, i, &len);

		if (append(s, i, p, len))
			return -1;
	}
	return 0;
}

WORKLOAD uint64_t workload_gets(void *s, const uint32_t *keys, uint64_t count, get_fn get)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < count; i++) {
		size_t len = 0;
		const char *p = get(s, keys[i], &len);

		sum += p ? value_fold(p, len) : MISSING_VALUE;
	}
	return sum;
}

/*
 * Dependent gets: the next key is a hash of the value just read, so the CPU
 * cannot start a get before the previous one has finished. This measures the
 * latency of one get, where workload_gets measures throughput.
 */
WORKLOAD uint64_t workload_chase(void *s, uint64_t n, uint64_t steps, get_fn get)
{
	uint64_t x = 0, key = 0;

	for (uint64_t i = 0; i < steps; i++) {
		size_t len = 0;
		const char *p = get(s, key, &len);

		x = mix64(x + (p ? value_fold(p, len) : MISSING_VALUE));
		key = below(x, n);
	}
	return x;
}

/* A scan for peers without an iterator of their own: every key in order. */
WORKLOAD uint64_t workload_scan(void *s, uint64_t n, get_fn get)
{
	uint64_t sum = 0;

	for (uint64_t k = 0; k < n; k++) {
		size_t len = 0;
		const char *p = get(s, k, &len);

		sum += p ? value_fold(p, len) : MISSING_VALUE;
	}
	return sum;
}

/*
 * The batch functions of a peer whose operations are append(store, key, val,
 * len) and get(store, key, &len): prefix_append_all, prefix_gets,
 * prefix_chase and prefix_scan_by_key. A peer that needs a finishing step or
 * has an iterator of its own uses only some of them, hence "unused".
 */
#define DEFINE_WORKLOADS(prefix, append, get)                                              \
	static __attribute__((unused)) int prefix##_append_all(void *s, const struct values *v, uint64_t n)        \
	{                                                                                  \
		return workload_append(s, v, n, append);                                   \
	}                                                                                  \
	static __attribute__((unused)) uint64_t prefix##_gets(void *s, const uint32_t *keys, uint64_t count)       \
	{                                                                                  \
		return workload_gets(s, keys, count, get);                                 \
	}                                                                                  \
	static __attribute__((unused)) uint64_t prefix##_chase(void *s, uint64_t n, uint64_t steps)                \
	{                                                                                  \
		return workload_chase(s, n, steps, get);                                   \
	}                                                                                  \
	static __attribute__((unused)) uint64_t prefix##_scan_by_key(void *s, uint64_t n)                          \
	{                                                                                  \
		return workload_scan(s, n, get);                                           \
	}

#endif
