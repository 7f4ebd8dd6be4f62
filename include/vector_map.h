/* SPDX-License-Identifier: MIT */
/*
 * vector_map.h - the original vector_map interface, kept so that code written
 * for it builds unchanged, now with O(1) operations and values of any length
 * (up to VMAP_VALUE_MAX; the original held nothing longer than its 4 KiB
 * pages). Link with the library as for vmap.h: `pkg-config --libs vmap`, or
 * vmap::vmap in CMake.
 *
 *   VM *vm = vm_new();
 *   vm_add(1, "/dev", vm);                first number: any int
 *   vm_add(2, "/dev/input", vm);          then strictly the next one
 *   puts(vm_get(2, vm));                  "/dev/input"
 *   vm_destroy(vm, NULL);
 *
 * A VM is an in-memory vector_map (vmap_new) behind the original names; each
 * function below is a few lines over the vmap_* API, inlined, so the library
 * gains no name outside vmap_ and no exit of its own.
 *
 * Errors: the original way, and the checked way
 *   vm_new and vm_add keep the original behaviour: on allocation failure, on
 *   a number out of sequence or on any other failure they print
 *   "PROGRAM: vm_add NUM: REASON" through errx(3) and exit the process with
 *   status 1 (EXIT_FAILURE). Code that must survive those cases calls
 *   vm_new_checked and vm_add_checked instead: the same operations, returning
 *   0 or a negative code of vmap.h (see vmap_strerror) and never exiting. A
 *   failed vm_add_checked leaves the map exactly as it was.
 *
 * Thread safety
 *   As vmap.h: one thread at a time may call vm_add/vm_add_checked; any number
 *   may call vm_get beside it without a lock (a vm_get beside a vm_add returns
 *   NULL or the whole string, never part of it). vm_destroy must run alone.
 *
 * Pointer lifetime
 *   A string returned by vm_get stays valid, with the same bytes, until
 *   vm_destroy: stored strings never move, however much is added later.
 */
#ifndef VECTOR_MAP_H
#define VECTOR_MAP_H

#include "vmap.h"

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The map: opaque; create it with vm_new, free it with vm_destroy. */
typedef struct vector_map VM;

/* private: the vmap behind a VM. */
static inline vmap *vm_private_map(VM *vm)
{
	return (vmap *)(void *)vm;
}

/*
 * private: the vmap key of number num. Shifted by 2^31 so that every int,
 * negative ones included, has a key and the order of numbers is kept:
 * INT_MIN is key 0, INT_MAX key 2^32 - 1.
 */
static inline uint64_t vm_private_key(int num)
{
	return (uint64_t)((int64_t)num - (int64_t)INT_MIN);
}

/*
 * vm_new_checked - create an empty map in memory; *out is the map, or NULL
 * on failure. Returns 0, or -EINVAL (out is NULL), -ENOMEM, -EMFILE (no file
 * descriptor left), -EFBIG: the errors of vmap_new. Never exits.
 */
static inline int vm_new_checked(VM **out)
{
	vmap *m = NULL;
	int rc;

	if (!out)
		return -EINVAL;
	rc = vmap_new(&m);
	*out = (VM *)(void *)m;
	return rc;
}

/*
 * vm_new - create an empty map in memory. Never returns NULL: when the map
 * cannot be created (no memory, no file descriptor left) it prints the reason
 * through errx(3) and exits with status 1, as the original did.
 */
static inline VM *vm_new(void)
{
	VM *vm;
	int rc = vm_new_checked(&vm);

	if (rc < 0)
		errx(EXIT_FAILURE, "vm_new: %s", vmap_strerror(rc));
	return vm;
}

/*
 * vm_add_checked - store a copy of the NUL-terminated string path under num.
 * The first number of a map may be any int; every later one must be exactly
 * one more than the last. O(1) amortized; strings stored before never move.
 * Returns 0, or: -EINVAL (vm or path NULL), VMAP_ESEQUENCE (num is not the
 * next number: a gap, a repeat or a number from the past), -EMSGSIZE (path
 * longer than VMAP_VALUE_MAX), -ENOMEM, -EOVERFLOW, -ENOSPC, -EFBIG (no room
 * left; see vmap_append). On failure the map is unchanged. Never exits.
 */
static inline int vm_add_checked(int num, const char *path, VM *vm)
{
	if (!path)
		return -EINVAL;
	return vmap_append(vm_private_map(vm), vm_private_key(num), path, strlen(path));
}

/*
 * vm_add - vm_add_checked, the original way: on any failure (a number out of
 * sequence, no memory, NULL arguments) it prints the reason through errx(3)
 * and exits with status 1.
 */
static inline void vm_add(int num, const char *path, VM *vm)
{
	int rc = vm_add_checked(num, path, vm);

	if (rc < 0)
		errx(EXIT_FAILURE, "vm_add %d: %s", num, vmap_strerror(rc));
}

/*
 * vm_get - the string stored under num, or NULL when num is outside the
 * stored range (below the first number or past the last) or vm is NULL.
 * O(1), lock-free, never exits. Valid until vm_destroy; do not free it.
 */
static inline const char *vm_get(int num, VM *vm)
{
	return vmap_get_inline(vm_private_map(vm), vm_private_key(num), NULL);
}

/*
 * vm_destroy - call callback (unless it is NULL) once for every stored
 * string, in the order of the numbers, then free the map and everything in
 * it. The strings belong to the map: the callback may read them, not free
 * them, and they are gone when vm_destroy returns. Its return value is
 * ignored. vm may be NULL (nothing happens). Never exits.
 */
static inline void vm_destroy(VM *vm, void *(*callback)(const char *e))
{
	vmap *m = vm_private_map(vm);
	uint64_t key, end;

	if (!m)
		return;
	if (callback) {
		end = vmap_next_key(m);
		for (key = vmap_first_key(m); key != end; key++) {
			const char *e = vmap_get(m, key, NULL);

			if (e)
				callback(e);
		}
	}
	vmap_close(m);
}

#endif /* VECTOR_MAP_H */
