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

/* Entries first..first+count-1 of v, each under its own number as key. */
WORKLOAD int workload_append_range(void *s, const struct values *v, uint64_t first,
				   uint64_t count, append_fn append)
{
	for (uint64_t i = first; i < first + count; i++) {
		size_t len;
		const char *p = values_at(v, i, &len);

		if (append(s, i, p, len))
			return -1;
	}
	return 0;
}

WORKLOAD int workload_append(void *s, const struct values *v, uint64_t n, append_fn append)
{
	return workload_append_range(s, v, 0, n, append);
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
 * Batch gets: a peer whose library answers many keys in one call (vector_map's
 * vmap_get_many, the flat limit's flat_get_many) is handed the keys in
 * batches of BATCH_KEYS, as a user with a queue of keys would, and the values
 * it returns are folded into the same checksum as single gets. The keys are
 * widened to 64 bits batch by batch (a few hundred bytes on the stack, in L1)
 * because the batch calls take uint64_t keys.
 */
typedef size_t (*get_many_fn)(const void *store, const uint64_t *keys, size_t n,
			      const char **vals, size_t *lens);

#define BATCH_KEYS 256

/* One batch: keys are read from keys32 or, when it is NULL, are first..first+n-1. */
WORKLOAD uint64_t workload_batch(const void *s, const uint32_t *keys32, uint64_t first,
				 size_t n, get_many_fn get_many)
{
	uint64_t keys[BATCH_KEYS], sum = 0;
	const char *vals[BATCH_KEYS];
	size_t lens[BATCH_KEYS];

	for (size_t j = 0; j < n; j++)
		keys[j] = keys32 ? keys32[j] : first + j;
	get_many(s, keys, n, vals, lens);
	for (size_t j = 0; j < n; j++)
		sum += vals[j] ? value_fold(vals[j], lens[j]) : MISSING_VALUE;
	return sum;
}

WORKLOAD uint64_t workload_gets_batched(void *s, const uint32_t *keys, uint64_t count,
					get_many_fn get_many)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < count; i += BATCH_KEYS)
		sum += workload_batch(s, keys + i, 0,
				      count - i < BATCH_KEYS ? count - i : BATCH_KEYS, get_many);
	return sum;
}

/* A scan through the batch call: every key in order, BATCH_KEYS at a time. */
WORKLOAD uint64_t workload_scan_batched(void *s, uint64_t n, get_many_fn get_many)
{
	uint64_t sum = 0;

	for (uint64_t k = 0; k < n; k += BATCH_KEYS)
		sum += workload_batch(s, NULL, k, n - k < BATCH_KEYS ? n - k : BATCH_KEYS,
				      get_many);
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

/* The gets and scan of a peer read through a batch call get_many. */
#define DEFINE_BATCH_WORKLOADS(prefix, get_many)                                            \
	static uint64_t prefix##_gets(void *s, const uint32_t *keys, uint64_t count)        \
	{                                                                                  \
		return workload_gets_batched(s, keys, count, get_many);                    \
	}                                                                                  \
	static uint64_t prefix##_scan(void *s, uint64_t n)                                 \
	{                                                                                  \
		return workload_scan_batched(s, n, get_many);                              \
	}

#endif
