/* SPDX-License-Identifier: MIT */
/*
 * values.h - the value sets every contender stores.
 *
 * A value set is generated once per process into one blob, so every contender
 * copies its values from the same memory and the generator's cost is never
 * timed. Values are never empty and never contain a NUL (each is stored
 * followed by one), so peers that keep C strings hold exactly the same bytes.
 */
#ifndef BENCH_VALUES_H
#define BENCH_VALUES_H

#include <stddef.h>
#include <stdint.h>

enum values_kind {
	VALUES_PATH48,   /* path-like strings, lengths 16..80, mean 48 */
	VALUES_FIXED16,  /* exactly 16 bytes */
	VALUES_FIXED256, /* exactly 256 bytes */
	VALUES_USR,      /* real paths found under /usr, repeated when N is larger */
	VALUES_KINDS
};

struct values {
	uint64_t count;       /* distinct values held; entry i uses value i % count */
	uint64_t *offsets;    /* count + 1 offsets into blob; each value ends in NUL */
	char *blob;
	uint64_t entry_bytes; /* sum of the lengths of entries 0..n-1 (NULs not counted) */
};

/* The name used on the command line, in tables and in file names. */
const char *values_kind_name(int kind);
/* The kind named name, or -1. */
int values_kind_parse(const char *name);

/*
 * Fill v with the values of entries 0..n-1. VALUES_USR reads the list that
 * values_gather_usr wrote to usr_file. Returns 0, or -1 with a message on stderr.
 */
int values_make(struct values *v, int kind, uint64_t n, const char *usr_file);
void values_free(struct values *v);

/*
 * Walk root with nftw and write the path of every regular file, each followed
 * by a NUL, to out_file. The walk is slow (seconds) so it runs once per
 * benchmark, and every child process reads the list back.
 */
int values_gather_usr(const char *root, const char *out_file, uint64_t *count);

/* The value of entry i and its length. */
static inline const char *values_at(const struct values *v, uint64_t i, size_t *len)
{
	uint64_t j = i % v->count;
	*len = (size_t)(v->offsets[j + 1] - v->offsets[j] - 1);
	return v->blob + v->offsets[j];
}

#endif
