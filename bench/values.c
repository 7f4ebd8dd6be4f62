/* SPDX-License-Identifier: MIT */
/*
 * values.c - generators of the value sets (see values.h).
 *
 * Path-like values are built from the directory names a real file system is
 * full of, so they compress, hash and compare like the paths users store,
 * and their length is drawn uniformly from 16..80, which makes the mean 48.
 * Fixed-length values are hex digits and dots.
 */
#include "values.h"
#include "mix.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[VALUES_KINDS] = {
	[VALUES_PATH48] = "path48",
	[VALUES_FIXED16] = "fixed16",
	[VALUES_FIXED256] = "fixed256",
	[VALUES_USR] = "usr",
};

const char *values_kind_name(int kind)
{
	return kind >= 0 && kind < VALUES_KINDS ? kind_names[kind] : "?";
}

int values_kind_parse(const char *name)
{
	for (int k = 0; k < VALUES_KINDS; k++)
		if (strcmp(name, kind_names[k]) == 0)
			return k;
	return -1;
}

static const char *const components[] = {
	"usr", "share", "lib", "include", "doc", "local", "bin", "src",
	"x86_64-linux-gnu", "python3", "dist-packages", "locale", "man",
	"icons", "hicolor", "applications", "perl5", "gcc", "site-packages",
	"LC_MESSAGES", "fonts", "truetype", "zoneinfo", "Europe", "modules",
	"kernel", "drivers", "net", "sound", "firmware", "etc", "var",
};
#define COMPONENTS (sizeof components / sizeof components[0])

#define POOL 4096     /* distinct texts values are cut from */
#define POOL_LEN 256  /* the longest generated value */
#define TAIL 6        /* hex digits that end every generated value */

/* Append text to tmp at *used. */
static void put(char *tmp, size_t *used, const char *text, size_t len)
{
	memcpy(tmp + *used, text, len);
	*used += len;
}

static const char hex[] = "0123456789abcdef";

/*
 * Static, not malloc'd: freeing a 1 MiB block would raise glibc's dynamic
 * mmap threshold, and the contender measured next in this process would then
 * grow its arrays in the heap instead of in mappings of their own, which is
 * not how it behaves in a fresh program.
 */
static char pool[POOL][POOL_LEN];

/* Path-like text of exactly POOL_LEN bytes: components, some of them file
 * names with a hex stem. */
static void path_text(char *out, uint64_t seed)
{
	char tmp[POOL_LEN + 32];
	size_t used = 0;

	while (used < POOL_LEN) {
		uint64_t r = mix64(seed++);
		const char *c = components[r % COMPONENTS];

		put(tmp, &used, "/", 1);
		put(tmp, &used, c, strlen(c));
		if (r & 0x100)
			continue;
		put(tmp, &used, "-", 1);
		for (int k = 0; k < 6; k++)
			tmp[used++] = hex[(r >> (40 + 4 * k)) & 15];
		put(tmp, &used, r & 0x200 ? ".so" : ".txt", r & 0x200 ? 3 : 4);
	}
	memcpy(out, tmp, POOL_LEN);
}

/* POOL_LEN bytes of hex digits and dots. */
static void hex_text(char *out, uint64_t seed)
{
	for (size_t k = 0; k < POOL_LEN; k++) {
		if (k % 16 == 0)
			seed = mix64(seed);
		out[k] = k % 8 == 7 ? '.' : hex[(seed >> (4 * (k % 16))) & 15];
	}
}

/*
 * Entry i is the start of one of POOL texts, cut to its length, ending in
 * TAIL hex digits of a hash of i: so every value differs from its neighbours
 * in its last bytes, as file names do, and a child process makes ten million
 * of them in well under a second (building each from components took five
 * times longer than the benchmark it fed).
 */
static void entry_value(char *out, size_t len, uint64_t i)
{
	uint64_t r = mix64(i);

	memcpy(out, pool[r % POOL], len - TAIL);
	for (size_t k = 0; k < TAIL; k++)
		out[len - TAIL + k] = hex[(r >> (32 + 4 * k)) & 15];
}

static size_t generated_length(int kind, uint64_t i)
{
	switch (kind) {
	case VALUES_FIXED16: return 16;
	case VALUES_FIXED256: return 256;
	default: return 16 + (size_t)(mix64(i ^ 0x5eed) % 65); /* 16..80 */
	}
}

static int make_generated(struct values *v, int kind, uint64_t n)
{
	uint64_t bytes = 0;

	for (uint64_t i = 0; i < n; i++)
		bytes += generated_length(kind, i) + 1;
	v->count = n;
	v->offsets = malloc((n + 1) * sizeof *v->offsets);
	v->blob = malloc(bytes ? bytes : 1);
	if (!v->offsets || !v->blob)
		return -1;
	for (uint64_t p = 0; p < POOL; p++)
		kind == VALUES_PATH48 ? path_text(pool[p], mix64(~p)) : hex_text(pool[p], p);
	v->offsets[0] = 0;
	for (uint64_t i = 0; i < n; i++) {
		size_t len = generated_length(kind, i);

		entry_value(v->blob + v->offsets[i], len, i);
		v->blob[v->offsets[i] + len] = '\0';
		v->offsets[i + 1] = v->offsets[i] + len + 1;
	}
	return 0;
}

static int read_file(const char *path, char **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long end;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) || (end = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) ||
	    !(*data = malloc((size_t)end)) || fread(*data, 1, (size_t)end, f) != (size_t)end) {
		fclose(f);
		return -1;
	}
	*size = (size_t)end;
	fclose(f);
	return 0;
}

/* The gathered /usr paths, only as many as n needs. */
static int make_usr(struct values *v, uint64_t n, const char *usr_file)
{
	size_t size;
	uint64_t count = 0;

	if (!usr_file || read_file(usr_file, &v->blob, &size))
		return -1;
	for (size_t k = 0; k < size; k++)
		count += v->blob[k] == '\0';
	if (count > n)
		count = n;
	v->count = count;
	v->offsets = malloc((count + 1) * sizeof *v->offsets);
	if (!v->offsets || count == 0)
		return -1;
	v->offsets[0] = 0;
	for (uint64_t i = 0; i < count; i++)
		v->offsets[i + 1] = v->offsets[i] + strlen(v->blob + v->offsets[i]) + 1;
	return 0;
}

int values_make(struct values *v, int kind, uint64_t n, const char *usr_file)
{
	int rc;

	memset(v, 0, sizeof *v);
	rc = kind == VALUES_USR ? make_usr(v, n, usr_file) : make_generated(v, kind, n);
	if (rc) {
		fprintf(stderr, "bench: cannot make %s values for N=%llu\n",
			values_kind_name(kind), (unsigned long long)n);
		values_free(v);
		return -1;
	}
	/* Entries cycle through the count values: whole cycles, then a part. */
	v->entry_bytes = n / v->count * (v->offsets[v->count] - v->count) +
			 v->offsets[n % v->count] - n % v->count;
	return 0;
}

void values_free(struct values *v)
{
	free(v->offsets);
	free(v->blob);
	memset(v, 0, sizeof *v);
}

/* nftw has no user pointer, so the walk writes through this one file. */
static FILE *gather_out;
static uint64_t gather_count;

static int gather_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_F && path[0] != '\0' && fwrite(path, strlen(path) + 1, 1, gather_out) == 1)
		gather_count++;
	return 0;
}

int values_gather_usr(const char *root, const char *out_file, uint64_t *count)
{
	int rc;

	gather_out = fopen(out_file, "wb");
	if (!gather_out)
		return -1;
	gather_count = 0;
	rc = nftw(root, gather_one, 32, FTW_PHYS);
	if (fclose(gather_out) || rc || gather_count == 0)
		return -1;
	*count = gather_count;
	return 0;
}
