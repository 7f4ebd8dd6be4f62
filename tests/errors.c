/* SPDX-License-Identifier: MIT */
/*
 * errors.c - error codes that say what happened. Opening what is not a
 * regular file is refused with a code that names it, with every flag and
 * without blocking (a FIFO with no peer would block a plain open); the
 * sentences of vmap_strerror never name a wrong cause; vmap_stat passes on
 * a failing fstat instead of reporting zeros.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "sys.h"

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const int all_flags[] = {0, VMAP_CREATE, VMAP_RDONLY};

static void expect_refused(const char *path, int want, const char *what)
{
	for (size_t i = 0; i < sizeof all_flags / sizeof all_flags[0]; i++) {
		vmap *m = (vmap *)&m;
		int err;
		alarm(10); /* a blocking open would hang the test: fail it instead */
		err = vmap_open(&m, path, all_flags[i]);
		alarm(0);
		if (err != want)
			fail_msg("%s with flags %d: %d (%s), expected %d (%s)", what, all_flags[i],
				 err, vmap_strerror(err), want, vmap_strerror(want));
		assert_null(m);
	}
}

static void test_directory_is_eisdir(void **state)
{
	char *dir = tu_tmpdir();
	(void)state;
	expect_refused(dir, -EISDIR, "a directory");
	tu_rmtree(dir);
	free(dir);
}

static void test_device_is_not_a_file(void **state)
{
	(void)state;
	expect_refused("/dev/null", VMAP_ENOTFILE, "/dev/null");
	if (access("/dev/zero", R_OK | W_OK) == 0)
		expect_refused("/dev/zero", VMAP_ENOTFILE, "/dev/zero");
}

static void test_fifo_is_not_a_file(void **state)
{
	char *dir = tu_tmpdir(), *path = tu_join(dir, "fifo");
	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	expect_refused(path, VMAP_ENOTFILE, "a FIFO");
	tu_rmtree(dir);
	free(path);
	free(dir);
}

static void test_socket_is_not_a_file(void **state)
{
	char *dir = tu_tmpdir(), *path = tu_join(dir, "sock");
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)state;
	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof sa.sun_path);
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	expect_refused(path, VMAP_ENOTFILE, "a socket");
	close(fd);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

/* Each sentence names the cause, and only it. */
static void test_sentences_name_the_cause(void **state)
{
	(void)state;
	assert_non_null(strstr(vmap_strerror(VMAP_ENOTFILE), "not a regular file"));
	assert_non_null(strstr(vmap_strerror(-EISDIR), "directory"));
	/* -ENOENT is both "no such key" and "no such file": it says neither */
	assert_null(strstr(vmap_strerror(-ENOENT), "key"));
	assert_null(strstr(vmap_strerror(-ENOENT), "file"));
	/* -EINVAL comes from more than NULL pointers and flags */
	assert_null(strstr(vmap_strerror(-EINVAL), "NULL"));
	assert_non_null(strstr(vmap_strerror(-ENOMEM), "address space"));
}

static void test_stat_reports_fstat_failure(void **state)
{
	char *dir = tu_tmpdir(), *path = tu_join(dir, "map.vmap");
	struct vmap_stat st;
	vmap *m;

	(void)state;
	assert_int_equal(vmap_open(&m, path, VMAP_CREATE), 0);
	assert_int_equal(vmap_append(m, 1, "one", 3), 0);
	memset(&st, 0x5a, sizeof st);
	vmi_sys_reset();
	vmi_sys_fail_nth(VMI_SYS_FSTAT, 0, EIO);
	assert_int_equal(vmap_stat(m, &st), -EIO);
	vmi_sys_reset();
	assert_int_equal(st.live, 0x5a5a5a5a5a5a5a5aull); /* left as it was */
	assert_int_equal(vmap_stat(m, &st), 0);
	assert_int_equal(st.live, 1);
	assert_true(st.total_bytes >= 4096);
	vmap_close(m);
	tu_rmtree(dir);
	free(path);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_ONE(test_directory_is_eisdir),
		TU_ONE(test_device_is_not_a_file),
		TU_ONE(test_fifo_is_not_a_file),
		TU_ONE(test_socket_is_not_a_file),
		TU_ONE(test_sentences_name_the_cause),
		TU_ONE(test_stat_reports_fstat_failure),
	};
	tu_seed();
	return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
