/* SPDX-License-Identifier: MIT */
/*
 * nospace.c - running out of room: RLIMIT_FSIZE gives -EFBIG (never SIGXFSZ,
 * whose default action is left in place to prove it), a full filesystem gives
 * -ENOSPC (a 4 MiB tmpfs, when running as root); either way every entry
 * appended before is intact and the map keeps working.
 */
#define _GNU_SOURCE
#include "testutil.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_FAIL(...)                                   \
	do {                                              \
		fprintf(stderr, "child: " __VA_ARGS__);   \
		fputc('\n', stderr);                      \
		_exit(1);                                 \
	} while (0)

/* Run body in a child; 0 if it exited 0, else -1 with the reason printed. */
static int run_child(int (*body)(const char *), const char *path)
{
	int status;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		tu_child_init();
		signal(SIGXFSZ, SIG_DFL);
		_exit(body(path));
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFSIGNALED(status)) {
		print_message("the child was killed by signal %d (%s)\n", WTERMSIG(status),
			      strsignal(WTERMSIG(status)));
		return -1;
	}
	if (WEXITSTATUS(status)) {
		print_message("the child failed (exit %d)\n", WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

static void child_verify(const vmap *m, const struct tu_model *md, const char *when)
{
	char why[256];
	if (tu_model_diff(m, md, why, sizeof why))
		CHILD_FAIL("%s: %s", when, why);
}

/* Append deterministic values until an error; it must be `want`. */
static void fill(vmap *m, struct tu_model *md, int want)
{
	char buf[TU_VALUE_CAP + 1];
	for (;;) {
		uint64_t key = tu_model_next(md);
		size_t len = tu_value(key, 0, buf);
		int err = vmap_append(m, key, buf, len);
		if (err == want)
			return;
		if (err)
			CHILD_FAIL("append %" PRIu64 " (%zu bytes): %d (%s), expected %d", key, len,
				   err, vmap_strerror(err), want);
		tu_model_append(md, key, buf, len);
		if (md->n > 10000000)
			CHILD_FAIL("no error after %" PRIu64 " appends", md->n);
	}
}

/* Keep writing against the wall: each call succeeds or says `want`. */
static void push_on(vmap *m, struct tu_model *md, int want)
{
	static char big[100 << 10];
	memset(big, 'B', sizeof big);
	for (int i = 0; i < 200; i++) {
		uint64_t key = tu_model_next(md);
		size_t len = i % 2 ? 5 : sizeof big;
		int err = vmap_append(m, key, big, len);
		if (!err)
			tu_model_append(md, key, big, len);
		else if (err != want)
			CHILD_FAIL("append at the limit: %d (%s)", err, vmap_strerror(err));
	}
	for (int i = 0; i < 20; i++) {
		uint64_t key = md->first + (uint64_t)i;
		int err;
		if (!tu_model_get(md, key)->live)
			continue;
		err = vmap_replace(m, key, big, sizeof big - (size_t)i);
		if (!err)
			tu_model_replace(md, key, big, sizeof big - (size_t)i);
		else if (err != want)
			CHILD_FAIL("replace at the limit: %d (%s)", err, vmap_strerror(err));
	}
	if (vmap_remove(m, md->first + 20))
		CHILD_FAIL("remove at the limit failed");
	tu_model_remove(md, md->first + 20);
}

static const rlim_t fsize_limit = 3u << 20;

static void set_fsize(rlim_t cur)
{
	struct rlimit rl;
	getrlimit(RLIMIT_FSIZE, &rl);
	rl.rlim_cur = cur;
	if (setrlimit(RLIMIT_FSIZE, &rl))
		CHILD_FAIL("setrlimit: %s", strerror(errno));
}

static int efbig_child(const char *path)
{
	struct tu_model md;
	struct stat st;
	vmap *m;
	int err;

	/* too small to create the map at all */
	set_fsize(1000);
	err = vmap_open(&m, path, VMAP_CREATE);
	if (err != -EFBIG)
		CHILD_FAIL("creating under a 1000-byte limit: %d (%s)", err, vmap_strerror(err));
	set_fsize(fsize_limit);
	unlink(path);
	if ((err = vmap_open(&m, path, VMAP_CREATE)))
		CHILD_FAIL("create: %d", err);
	tu_model_init(&md);
	fill(m, &md, -EFBIG);
	printf("child: -EFBIG after %" PRIu64 " appends\n", md.n);
	fflush(stdout);
	child_verify(m, &md, "after -EFBIG");
	push_on(m, &md, -EFBIG);
	child_verify(m, &md, "after writing on at the limit");
	vmap_close(m);
	if (stat(path, &st) || (rlim_t)st.st_size > fsize_limit)
		CHILD_FAIL("file size %lld past the limit", (long long)st.st_size);
	if ((err = vmap_open(&m, path, 0)))
		CHILD_FAIL("reopen under the limit: %d (%s)", err, vmap_strerror(err));
	child_verify(m, &md, "reopened");
	set_fsize(RLIM_INFINITY);
	for (int i = 0; i < 1000; i++) {
		uint64_t key = tu_model_next(&md);
		if ((err = vmap_append(m, key, "more room", 9)))
			CHILD_FAIL("append once the limit is gone: %d", err);
		tu_model_append(&md, key, "more room", 9);
	}
	child_verify(m, &md, "past the old limit");
	vmap_close(m);
	tu_model_free(&md);
	return 0;
}

static void test_efbig_under_rlimit(void **state)
{
	char *dir, *path;
	int rc;
	(void)state;
	tu_skip_without_fork();
	dir = tu_tmpdir();
	path = tu_join(dir, "map.vmap");
	rc = run_child(efbig_child, path);
	tu_rmtree(dir);
	free(dir);
	free(path);
	assert_int_equal(rc, 0);
}

static int enospc_child(const char *path)
{
	char *dir = strdup(path), *filler;
	struct tu_model md;
	vmap *m, *r;
	int err;

	*strrchr(dir, '/') = '\0';
	filler = tu_join(dir, "filler");
	{
		static char mib[1 << 20];
		if (tu_write_file(filler, mib, sizeof mib))
			CHILD_FAIL("cannot write the filler file");
	}
	if ((err = vmap_open(&m, path, VMAP_CREATE)))
		CHILD_FAIL("create: %d", err);
	tu_model_init(&md);
	fill(m, &md, -ENOSPC);
	printf("child: -ENOSPC after %" PRIu64 " appends\n", md.n);
	fflush(stdout);
	child_verify(m, &md, "after -ENOSPC");
	push_on(m, &md, -ENOSPC);
	child_verify(m, &md, "after writing on at the limit");
	{
		char *other = tu_join(dir, "other.vmap");
		vmap *o = NULL;
		err = vmap_open(&o, other, VMAP_CREATE);
		if (err && err != -ENOSPC)
			CHILD_FAIL("creating a second map on a full disk: %d", err);
		vmap_close(o);
		unlink(other);
		free(other);
	}
	vmap_close(m);
	if ((err = vmap_open(&r, path, VMAP_RDONLY)))
		CHILD_FAIL("reopen read-only: %d", err);
	child_verify(r, &md, "reopened read-only");
	vmap_close(r);
	if ((err = vmap_open(&m, path, 0)))
		CHILD_FAIL("reopen: %d (%s)", err, vmap_strerror(err));
	child_verify(m, &md, "reopened");
	unlink(filler); /* room again */
	for (int i = 0; i < 500; i++) {
		char buf[TU_VALUE_CAP + 1];
		uint64_t key = tu_model_next(&md);
		size_t len = tu_value(key, 0, buf);
		if ((err = vmap_append(m, key, buf, len)))
			CHILD_FAIL("append once there is room again: %d", err);
		tu_model_append(&md, key, buf, len);
	}
	child_verify(m, &md, "with room again");
	vmap_close(m);
	tu_model_free(&md);
	free(filler);
	free(dir);
	return 0;
}

static void test_enospc_on_small_tmpfs(void **state)
{
	char *dir, *path;
	int rc;
	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: mounting a tmpfs needs root\n");
		skip();
		return;
	}
	tu_skip_without_fork();
	dir = tu_tmpdir();
	if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m")) {
		print_message("skipped: cannot mount a tmpfs on %s: %s\n", dir, strerror(errno));
		rmdir(dir);
		free(dir);
		skip();
		return;
	}
	path = tu_join(dir, "map.vmap");
	rc = run_child(enospc_child, path);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
	free(dir);
	free(path);
	assert_int_equal(rc, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_ONE(test_efbig_under_rlimit),
		TU_ONE(test_enospc_on_small_tmpfs),
	};
	tu_seed();
	return cmocka_run_group_tests_name("nospace", tests, NULL, NULL);
}
