/* SPDX-License-Identifier: MIT */
/*
 * seeds.c - the valid maps fuzzing starts from. Each one reaches a different
 * part of the format: no groups, one group, a second group, far records
 * (long values, values with a NUL, replacements), holes, the end of the key
 * space, an unsynced tail after a sync, and a value past the first 1 MiB
 * extent. They are built with the public API only.
 */
#include "seeds.h"

#include "sys.h"
#include "vmap.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

const char fuzz_boot_id[16] = "vmap-fuzz-boot-1";

void fuzz_use_boot_id(void)
{
	vmi_sys_set_boot_id(fuzz_boot_id);
}

/* A deterministic value for key k: "v<k>" padded to len with letters. */
static size_t make_value(char *buf, size_t cap, uint64_t k, size_t len)
{
	size_t n = (size_t)snprintf(buf, cap, "v%llu", (unsigned long long)k);
	if (len < n)
		len = n;
	if (len > cap)
		len = cap;
	for (size_t i = n; i < len; i++)
		buf[i] = (char)('a' + (k + i) % 26);
	return len;
}

static int append_n(vmap *m, uint64_t first, uint64_t n, size_t len_mod)
{
	char buf[64];
	for (uint64_t i = 0; i < n; i++) {
		uint64_t k = first + i; /* may end at UINT64_MAX */
		size_t len = make_value(buf, sizeof buf, k, len_mod ? (size_t)(k % len_mod) : 0);
		int err = vmap_append(m, k, buf, len);
		if (err)
			return err;
	}
	return 0;
}

static int seed_empty(vmap *m)
{
	(void)m;
	return 0;
}

static int seed_one(vmap *m)
{
	return vmap_append(m, 42, "hello", 5);
}

/* 1100 keys: group 0 full and 76 keys into group 1. */
static int seed_group(vmap *m)
{
	return append_n(m, 1000, 1100, 12);
}

/* Values that cannot be inline: a NUL inside, longer than 1024 bytes. */
static int seed_far(vmap *m)
{
	static char big[3000];
	int err;

	memset(big, 'x', sizeof big);
	err = vmap_append(m, 7, "a\0b", 3);
	if (!err)
		err = vmap_append(m, 8, big, 1024);
	if (!err)
		err = vmap_append(m, 9, big, 1025);
	if (!err)
		err = vmap_append(m, 10, "", 0);
	if (!err)
		err = vmap_append(m, 11, big, sizeof big);
	if (!err)
		err = vmap_append(m, 12, "tail", 4);
	return err;
}

static int seed_replaced(vmap *m)
{
	static char big[2000];
	int err = append_n(m, 100, 20, 9);

	memset(big, 'r', sizeof big);
	if (!err)
		err = vmap_replace(m, 100, "first", 5);
	if (!err)
		err = vmap_replace(m, 110, big, sizeof big);
	if (!err)
		err = vmap_replace(m, 119, "", 0);
	if (!err)
		err = vmap_replace(m, 110, "again", 5);
	return err;
}

static int seed_removed(vmap *m)
{
	int err = append_n(m, 0, 20, 7);
	uint64_t gone[] = {0, 3, 4, 10, 19};

	for (size_t i = 0; !err && i < sizeof gone / sizeof gone[0]; i++)
		err = vmap_remove(m, gone[i]);
	return err;
}

/* Two groups and a bit, with every kind of slot, synced half way. */
static int seed_mixed(vmap *m)
{
	static char big[1100];
	char buf[64];
	int err = 0;

	memset(big, 'm', sizeof big);
	for (uint64_t k = 5000; !err && k < 7100; k++) {
		size_t len = make_value(buf, sizeof buf, k, (size_t)(k % 17));
		if (k % 199 == 0)
			err = vmap_append(m, k, big, sizeof big);
		else
			err = vmap_append(m, k, buf, len);
		if (!err && k % 11 == 0)
			err = vmap_remove(m, k);
		if (!err && k % 13 == 0 && k % 11)
			err = vmap_replace(m, k, buf, len / 2);
		if (!err && k == 6000)
			err = vmap_sync(m);
	}
	return err;
}

/* The last keys of the key space: next_key is 0 and appends overflow. */
static int seed_keyspace_end(vmap *m)
{
	return append_n(m, UINT64_MAX - 3, 4, 5);
}

/* A synced prefix and an unsynced tail (what a restart rolls back). */
static int seed_synced(vmap *m)
{
	int err = append_n(m, 1, 10, 6);
	if (!err)
		err = vmap_sync(m);
	if (!err)
		err = append_n(m, 11, 5, 6);
	if (!err)
		err = vmap_replace(m, 3, "three", 5);
	if (!err)
		err = vmap_remove(m, 12);
	return err;
}

/* Values that push the map past the first 1 MiB extent. */
static int seed_big(vmap *m)
{
	static char big[400 << 10];
	int err = 0;

	memset(big, 'B', sizeof big);
	for (uint64_t k = 1; !err && k <= 3; k++)
		err = vmap_append(m, k, big, sizeof big);
	if (!err)
		err = vmap_append(m, 4, "after", 5);
	return err;
}

static const struct {
	const char *name;
	int (*build)(vmap *m);
	int small;
} seeds[] = {
	{"empty", seed_empty, 1},
	{"one", seed_one, 1},
	{"group", seed_group, 1},
	{"far", seed_far, 1},
	{"replaced", seed_replaced, 1},
	{"removed", seed_removed, 1},
	{"mixed", seed_mixed, 1},
	{"keyspace-end", seed_keyspace_end, 1},
	{"synced", seed_synced, 1},
	{"big", seed_big, 0},
};

int fuzz_seed_count(void)
{
	return (int)(sizeof seeds / sizeof seeds[0]);
}

const char *fuzz_seed_name(int i)
{
	return seeds[i].name;
}

int fuzz_seed_is_small(int i)
{
	return seeds[i].small;
}

int fuzz_seed_build(int i, const char *path)
{
	vmap *m;
	int err = vmap_open(&m, path, VMAP_CREATE);
	if (err)
		return err;
	err = seeds[i].build(m);
	vmap_close(m);
	return err;
}
