/* SPDX-License-Identifier: MIT */
/*
 * smoke.c - the library's basic promises without a test framework, so they
 * run wherever the library builds: musl (no cmocka there), qemu-user,
 * simulated page sizes, the shared library as well as the static one.
 *
 * On a map in memory and on a file: append, get, replace, remove, sync and
 * check (the workload of workload.h), a reader handle that sees appends made
 * after it opened, reopening, and the errors a careless caller meets.
 *
 *   smoke [DIR]     DIR: where to make the file (default $TMPDIR or /tmp)
 *
 * Prints one line per step; exit status 0 if everything held, 1 if not.
 */
#define _POSIX_C_SOURCE 200809L
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

static void expect(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	failures += !ok;
}

static void expect_code(int got, int want, const char *what)
{
	if (got != want)
		fprintf(stderr, "  got %d (%s), want %d (%s)\n", got, vmap_strerror(got), want,
			vmap_strerror(want));
	expect(got == want, what);
}

/* What a careless caller does to a map holding the workload. */
static void careless(vmap *m)
{
	uint64_t next = vmap_next_key(m), removed_key = WL_FIRST + 3;
	expect_code(vmap_append(m, next + 1, "gap", 3), VMAP_ESEQUENCE, "append past the next key");
	expect_code(vmap_append(m, WL_FIRST, "again", 5), VMAP_ESEQUENCE, "append of an old key");
	expect_code(vmap_replace(m, removed_key, "x", 1), -ENOENT, "replace of a removed key");
	expect_code(vmap_remove(m, removed_key), -ENOENT, "remove of a removed key");
	expect_code(vmap_remove(m, next), -ENOENT, "remove of a key not yet appended");
	expect(vmap_next_key(m) == next, "failed calls leave the next key as it was");
}

static void memory_map(void)
{
	vmap *m = NULL;
	int err = vmap_new(&m);
	expect_code(err, 0, "memory: vmap_new");
	if (err)
		return;
	expect_code(wl_write(m), 0, "memory: append, replace, remove, sync");
	expect(wl_verify(m) == 0, "memory: every value, hole and counter as written; check");
	careless(m);
	expect(wl_verify(m) == 0, "memory: unchanged after the failed calls");
	expect_code(vmap_close(m), 0, "memory: close");
}

static void file_map(const char *path)
{
	vmap *w = NULL, *r = NULL, *again = NULL;
	int err = vmap_open(&w, path, VMAP_CREATE);

	expect_code(err, 0, "file: open with VMAP_CREATE");
	if (err)
		return;
	expect_code(vmap_open(&r, path, VMAP_RDONLY), 0, "file: a reader opened before writing");
	expect_code(wl_write(w), 0, "file: append, replace, remove, sync");
	expect(wl_verify(w) == 0, "file: the writer's handle reads it all back; check");
	if (r)
		expect(wl_verify(r) == 0, "file: the earlier reader sees it all without reopening");
	expect_code(vmap_open(&again, path, 0), -EBUSY, "file: a second writer");
	if (r)
		expect_code(vmap_append(r, vmap_next_key(r), "no", 2), -EROFS,
			    "file: append through a read-only handle");
	careless(w);
	vmap_close(r);
	expect_code(vmap_close(w), 0, "file: close");

	expect_code(vmap_open(&r, path, VMAP_RDONLY), 0, "file: reopen read-only");
	if (r) {
		expect(wl_verify(r) == 0, "file: reopened, every value as written; check");
		vmap_close(r);
	}
	expect_code(vmap_open(&w, path, 0), 0, "file: reopen as the writer");
	if (w) {
		expect_code(vmap_append(w, vmap_next_key(w), "one more", 8), 0,
			    "file: append after reopening");
		expect_code(vmap_sync(w), 0, "file: sync");
		expect_code(vmap_check(w), 0, "file: check");
		vmap_close(w);
	}
}

int main(int argc, char **argv)
{
	const char *base = argc > 1 ? argv[1] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char dir[4096], path[4200];
	vmap *m = NULL;

	snprintf(dir, sizeof dir, "%s/vmap-smoke.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("smoke: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/map.vmap", dir);
	expect_code(vmap_open(&m, path, 0), -ENOENT, "open of a missing file");
	memory_map();
	file_map(path);
	unlink(path);
	rmdir(dir);
	printf("smoke: %s\n", failures ? "FAILED" : "everything held");
	return failures != 0;
}
