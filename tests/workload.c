/* SPDX-License-Identifier: MIT */
/*
 * workload.c - the deterministic map of workload.h: what is written, and
 * the check that a map holds exactly that.
 */
#include "workload.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAG 50            /* replaces and removes trail the appends by this many keys */
#define BIG_INDEX 2345u   /* the one value of a few MiB (never replaced nor removed) */
#define BIG_LEN (3u << 20)
#define REPORT_MAX 10     /* differences printed in full */

static const size_t special_lengths[] = {
	0, 1, 2, 7, 254, 255, 256, 1023, 1024, 1025, 4095, 4096, 4097, 65536, 65537,
};
#define SPECIALS (sizeof special_lengths / sizeof special_lengths[0])

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int replaced_once(uint32_t i)
{
	return i % 7 == 2;
}

static int replaced_twice(uint32_t i)
{
	return i % 49 == 2;
}

static int removed(uint32_t i)
{
	return i % 11 == 3;
}

static unsigned final_version(uint32_t i)
{
	return replaced_twice(i) ? 2 : replaced_once(i) ? 1 : 0;
}

static size_t value_len(uint32_t i, unsigned version)
{
	uint64_t h = mix((uint64_t)i << 8 | version);
	if (i == BIG_INDEX && version == 0)
		return BIG_LEN;
	if (h % 8 == 0 || i < SPECIALS) /* every length class early, then often */
		return special_lengths[(i < SPECIALS ? i : h >> 8) % SPECIALS];
	return (size_t)(h >> 16) % 64;
}

/* The bytes of (index, version): printable, or raw with NULs in them. */
static char *value_new(uint32_t i, unsigned version, size_t *len)
{
	uint64_t s = mix((uint64_t)i << 8 | version | 1u << 7);
	int with_nuls = s % 3 == 0;
	char *v;

	*len = value_len(i, version);
	v = malloc(*len + 1);
	if (!v) {
		fprintf(stderr, "workload: out of memory for a value of %zu bytes\n", *len);
		exit(2);
	}
	for (size_t k = 0; k < *len; k++) {
		s = mix(s);
		v[k] = with_nuls ? (k % 97 == 5 ? 0 : (char)(s >> 24)) : (char)('a' + s % 26);
	}
	v[*len] = 0;
	return v;
}

static int put(vmap *m, uint32_t i, unsigned version)
{
	size_t len;
	char *v = value_new(i, version, &len);
	uint64_t key = WL_FIRST + i;
	int err = version ? vmap_replace(m, key, v, len) : vmap_append(m, key, v, len);
	if (err)
		fprintf(stderr, "workload: %s of key %" PRIu64 " (%zu bytes): %s\n",
			version ? "replace" : "append", key, len, vmap_strerror(err));
	free(v);
	return err;
}

static int later_steps(vmap *m, uint32_t i)
{
	int err = 0;
	if (!err && replaced_once(i))
		err = put(m, i, 1);
	if (!err && replaced_twice(i))
		err = put(m, i, 2);
	if (!err && removed(i)) {
		err = vmap_remove(m, WL_FIRST + i);
		if (err)
			fprintf(stderr, "workload: remove of key %u: %s\n", WL_FIRST + i,
				vmap_strerror(err));
	}
	return err;
}

int wl_write(vmap *m)
{
	int err = 0;
	for (uint32_t i = 0; i < WL_KEYS && !err; i++) {
		err = put(m, i, 0);
		if (!err && i >= LAG)
			err = later_steps(m, i - LAG);
	}
	for (uint32_t i = WL_KEYS - LAG; i < WL_KEYS && !err; i++)
		err = later_steps(m, i);
	if (!err)
		err = vmap_sync(m);
	if (err)
		fprintf(stderr, "workload: writing stopped: %s\n", vmap_strerror(err));
	return err;
}

/* Count a difference; print the first few. */
static void report(long *found, const char *fmt, ...)
{
	va_list ap;
	if (++*found > REPORT_MAX)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static void verify_key(const vmap *m, uint32_t i, long *found, uint64_t *live, uint64_t *bytes)
{
	uint64_t key = WL_FIRST + i;
	size_t len = 0, want_len;
	const char *got = vmap_get(m, key, &len);
	char *want;

	if (removed(i)) {
		if (got)
			report(found, "key %" PRIu64 ": removed, yet get gives %zu bytes\n", key, len);
		return;
	}
	want = value_new(i, final_version(i), &want_len);
	if (!got)
		report(found, "key %" PRIu64 ": get gives NULL, want %zu bytes\n", key, want_len);
	else if (len != want_len || memcmp(got, want, len) != 0 || got[len] != 0)
		report(found, "key %" PRIu64 ": the %zu bytes read differ from the %zu written\n",
		       key, len, want_len);
	*live += 1;
	*bytes += want_len;
	free(want);
}

static void verify_counter(long *found, const char *what, uint64_t got, uint64_t want)
{
	if (got != want)
		report(found, "%s is %" PRIu64 ", want %" PRIu64 "\n", what, got, want);
}

long wl_verify(const vmap *m)
{
	uint64_t live = 0, bytes = 0;
	struct vmap_stat st = {0};
	long found = 0;
	int err;

	for (uint32_t i = 0; i < WL_KEYS; i++)
		verify_key(m, i, &found, &live, &bytes);
	if (vmap_get(m, WL_FIRST - 1, NULL) || vmap_get(m, WL_FIRST + WL_KEYS, NULL))
		report(&found, "a key outside the map reads as a value\n");
	verify_counter(&found, "vmap_first_key", vmap_first_key(m), WL_FIRST);
	verify_counter(&found, "vmap_next_key", vmap_next_key(m), WL_FIRST + WL_KEYS);
	verify_counter(&found, "vmap_count", vmap_count(m), live);
	err = vmap_stat(m, &st);
	if (err)
		report(&found, "vmap_stat: %s\n", vmap_strerror(err));
	verify_counter(&found, "stat.live", st.live, live);
	verify_counter(&found, "stat.removed", st.removed, WL_KEYS - live);
	verify_counter(&found, "stat.value_bytes", st.value_bytes, bytes);
	err = vmap_check(m);
	if (err)
		report(&found, "vmap_check: %s\n", vmap_strerror(err));
	if (found > REPORT_MAX)
		fprintf(stderr, "... %ld differences in all\n", found);
	return found;
}
