/* SPDX-License-Identifier: MIT */
/*
 * filefx.h - what the tests of file-backed maps share: a temporary directory
 * per test (IN_DIR), opening that must work or fail a given way, a closed
 * map of n entries with its model, and waiting for a child process. Static
 * inline, so that each program takes what it uses.
 */
#ifndef VMAP_FILEFX_H
#define VMAP_FILEFX_H

#include "testutil.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/wait.h>
#include <unistd.h>

struct dirfx {
	char *dir, *path;
};

static inline int dir_setup(void **state)
{
	struct dirfx *d = calloc(1, sizeof *d);
	d->dir = tu_tmpdir();
	d->path = tu_join(d->dir, "map.vmap");
	*state = d;
	return 0;
}

static inline int dir_teardown(void **state)
{
	struct dirfx *d = *state;
	tu_rmtree(d->dir);
	free(d->dir);
	free(d->path);
	free(d);
	return 0;
}

#define IN_DIR(f) {#f, f, dir_setup, dir_teardown, NULL}

static inline int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static inline void assert_open_fails(const char *path, int flags, int want)
{
	vmap *m = NULL;
	int err = vmap_open(&m, path, flags);
	if (err != want)
		fail_msg("vmap_open(%s, %d) = %d (%s), expected %d (%s)", path, flags, err,
			 vmap_strerror(err), want, vmap_strerror(want));
	assert_null(m);
}

/* Append keys [next, next + n) with version-0 deterministic values. */
static inline void append_values(vmap *m, struct tu_model *md, uint64_t n)
{
	char buf[TU_VALUE_CAP + 1];
	for (uint64_t i = 0; i < n; i++) {
		uint64_t key = tu_model_next(md);
		size_t len = tu_value(key, 0, buf);
		int err = vmap_append(m, key, buf, len);
		if (err)
			fail_msg("append %" PRIu64 ": %d (%s)", key, err, vmap_strerror(err));
		tu_model_append(md, key, buf, len);
	}
}

static inline vmap *open_ok(const char *path, int flags)
{
	vmap *m = NULL;
	int err = vmap_open(&m, path, flags);
	if (err)
		fail_msg("vmap_open(%s, %d): %d (%s)", path, flags, err, vmap_strerror(err));
	return m;
}

/* A closed map of n entries (first key 1000) and its model. */
static inline void make_map(const char *path, struct tu_model *md, uint64_t n)
{
	vmap *m;
	unlink(path);
	m = open_ok(path, VMAP_CREATE);
	tu_model_init(md);
	assert_int_equal(vmap_append(m, 1000, "first", 5), 0);
	tu_model_append(md, 1000, "first", 5);
	append_values(m, md, n - 1);
	assert_int_equal(vmap_close(m), 0);
}

static inline void assert_same_file(const char *path, const char *bytes, size_t len)
{
	char *now;
	size_t nlen;
	assert_int_equal(tu_read_file(path, &now, &nlen), 0);
	if (nlen != len || memcmp(now, bytes, len))
		fail_msg("%s was modified (%zu bytes, was %zu)", path, nlen, len);
	free(now);
}

static inline int wait_child(pid_t pid)
{
	int status;
	if (waitpid(pid, &status, 0) != pid)
		fail_msg("waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		fail_msg("child killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	return WEXITSTATUS(status);
}

#endif
