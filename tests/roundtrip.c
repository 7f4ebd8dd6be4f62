/* SPDX-License-Identifier: MIT */
/*
 * roundtrip.c - a file written by one build, verified by another: the
 * cross-architecture round trip of scripts/ci_matrix.sh (x86_64 writes, each
 * architecture verifies; each writes, x86_64 verifies). No test framework.
 *
 *   roundtrip write FILE    make FILE (replaced if it exists) holding the
 *                           map of workload.h
 *   roundtrip verify FILE   open FILE read-only and compare every value,
 *                           hole and counter with that map, then check it
 *
 * Exit status 0 if the step did exactly that, 1 if not (the differences are
 * printed), 2 for bad usage.
 */
#define _POSIX_C_SOURCE 200809L
#include "workload.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int write_file(const char *path)
{
	vmap *m = NULL;
	int err;

	unlink(path);
	err = vmap_open(&m, path, VMAP_CREATE);
	if (!err)
		err = wl_write(m);
	if (m) {
		int closed = vmap_close(m);
		err = err ? err : closed;
	}
	if (err) {
		fprintf(stderr, "roundtrip: writing %s: %s\n", path, vmap_strerror(err));
		return 1;
	}
	printf("roundtrip: wrote %s (%u keys)\n", path, WL_KEYS);
	return 0;
}

static int verify_file(const char *path)
{
	vmap *m = NULL;
	long differences;
	int err = vmap_open(&m, path, VMAP_RDONLY);

	if (err) {
		fprintf(stderr, "roundtrip: opening %s: %s\n", path, vmap_strerror(err));
		return 1;
	}
	differences = wl_verify(m);
	vmap_close(m);
	if (differences) {
		fprintf(stderr, "roundtrip: %s differs from the workload in %ld places\n", path,
			differences);
		return 1;
	}
	printf("roundtrip: %s holds the workload exactly\n", path);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "write") == 0)
		return write_file(argv[2]);
	if (argc == 3 && strcmp(argv[1], "verify") == 0)
		return verify_file(argv[2]);
	fprintf(stderr, "usage: roundtrip write|verify FILE\n");
	return 2;
}
