/* SPDX-License-Identifier: MIT */
/*
 * workload.h - one deterministic map, for programs that need no cmocka (the
 * smoke test, the cross-architecture round trip): it builds and verifies
 * wherever the library builds (musl, every architecture, every page size).
 *
 * The map: keys WL_FIRST .. WL_FIRST + WL_KEYS - 1 appended in order, with
 * values of every length class (0 bytes, short, 254/255/256, 1023-1025,
 * 4095-4097, 64 KiB, far values holding NULs, one of 3 MiB); some keys
 * replaced once or twice, some removed (holes). Every byte of every value is
 * a function of (key, version), so a verifier on another machine needs only
 * the file.
 */
#ifndef VMAP_WORKLOAD_H
#define VMAP_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "vmap.h"

#define WL_FIRST 1000u
#define WL_KEYS 5000u

/* Append, replace and remove as described: 0 or the first error, printed. */
int wl_write(vmap *m);
/* Everything as wl_write left it, byte for byte: 0, or the number of
 * differences found (each printed to stderr, the first few in full). */
long wl_verify(const vmap *m);

#endif
