/* SPDX-License-Identifier: MIT */
/*
 * seeds.h - small, valid maps built through the public API: the starting
 * points of the structure-aware fuzzing mode and of the seed corpus.
 */
#ifndef VMAP_FUZZ_SEEDS_H
#define VMAP_FUZZ_SEEDS_H

#include <stddef.h>

/* The boot id every fuzz run pretends to have, so that files written by
 * make_corpus on one machine read the same way on another (see sync.c). */
extern const char fuzz_boot_id[16];

/* Make the library see fuzz_boot_id as this machine's boot id. */
void fuzz_use_boot_id(void);

int fuzz_seed_count(void);
const char *fuzz_seed_name(int i);

/* Is seed i small enough to go into the corpus as a raw file (<= 64 KiB)? */
int fuzz_seed_is_small(int i);

/* Build seed i as a new map file at path (which must not exist or be empty).
 * Returns 0 or the failing vmap_* code. */
int fuzz_seed_build(int i, const char *path);

#endif
