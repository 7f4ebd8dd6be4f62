/* SPDX-License-Identifier: MIT */
/*
 * vector_map.c - the original interface, <vector_map.h>, used the way its
 * own test program and the inotify daemon it was written for used it: many
 * adds, a get of every number, strings longer than a memory page, destroy
 * with callbacks; then what the original did on bad input (exit through
 * errx) and the checked variants that return a code instead.
 *
 * Only public headers, so CI also builds this file against the installed
 * library (scripts/ci_install.sh). In the tree VM_TEST_FAULTS adds the
 * allocation-failure cases, which need the library's fault injection.
 */
#define _GNU_SOURCE
#include <vector_map.h>

#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#ifdef VM_TEST_FAULTS
#include "sys.h"
#endif

/* The path the daemon would keep for watch descriptor wd. */
static void path_of(int wd, char *buf, size_t size)
{
	snprintf(buf, size, "/dev/%s/%d/by-%s/%x", wd % 3 ? "input" : "bus/usb",
		 wd / 7, wd % 2 ? "id" : "path", (unsigned)wd * 2654435761u);
}

static void original_test_program(void **state)
{
	enum { N = 100000 };
	char buf[128];
	VM *vm = vm_new();

	(void)state;
	for (int i = 0; i < N; i++) {
		path_of(i, buf, sizeof buf);
		vm_add(i, buf, vm);
	}
	for (int i = 0; i < N; i++) {
		path_of(i, buf, sizeof buf);
		assert_non_null(vm_get(i, vm));
		assert_string_equal(vm_get(i, vm), buf);
	}
	assert_null(vm_get(-1, vm));
	assert_null(vm_get(N, vm));
	assert_null(vm_get(INT_MIN, vm));
	assert_null(vm_get(INT_MAX, vm));
	vm_destroy(vm, NULL);
}

/* A string of len bytes, none of them NUL, that says which one it is. */
static char *long_string(size_t len, unsigned salt)
{
	char *s = malloc(len + 1);

	assert_non_null(s);
	for (size_t i = 0; i < len; i++)
		s[i] = (char)('a' + (i * 31 + salt) % 26);
	s[len] = '\0';
	return s;
}

static void strings_longer_than_a_page(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t lens[] = {0, 1, page - 1, page, page + 1, 3 * page + 7, 1u << 20, 5 * page};
	enum { COUNT = sizeof lens / sizeof lens[0] };
	char *want[COUNT];
	VM *vm = vm_new();

	(void)state;
	for (int i = 0; i < COUNT; i++) {
		want[i] = long_string(lens[i], (unsigned)i);
		vm_add(100 + i, want[i], vm);
	}
	for (int i = 0; i < COUNT; i++) {
		const char *got = vm_get(100 + i, vm);

		assert_non_null(got);
		assert_int_equal(strlen(got), lens[i]);
		assert_memory_equal(got, want[i], lens[i] + 1);
		free(want[i]);
	}
	vm_destroy(vm, NULL);
}

/*
 * The daemon: watch descriptors start at 1 and each new watch gets the next
 * one; an event carries a wd, whose path is looked up, often the one just
 * added; at the end every watch is looked up once more.
 */
static void inotify_daemon(void **state)
{
	enum { WATCHES = 20000 };
	char buf[128];
	unsigned r = 12345;
	VM *vm = vm_new();

	(void)state;
	for (int wd = 1; wd <= WATCHES; wd++) {
		path_of(wd, buf, sizeof buf);
		vm_add(wd, buf, vm);
		assert_string_equal(vm_get(wd, vm), buf);
		r = r * 1103515245u + 12345u;
		int event_wd = 1 + (int)(r % (unsigned)wd);
		path_of(event_wd, buf, sizeof buf);
		assert_string_equal(vm_get(event_wd, vm), buf);
	}
	assert_null(vm_get(0, vm)); /* inotify never gives wd 0 */
	assert_null(vm_get(WATCHES + 1, vm));
	for (int wd = WATCHES; wd >= 1; wd--) {
		path_of(wd, buf, sizeof buf);
		assert_string_equal(vm_get(wd, vm), buf);
	}
	vm_destroy(vm, NULL);
}

/* ---- destroy and its callback ------------------------------------------ */

static void *free_nothing(const char *e)
{
	(void)e;
	return NULL;
}

static struct {
	int calls;
	int next; /* the number whose string should come next */
} seen;

static void *count_in_order(const char *e)
{
	char buf[128];

	path_of(seen.next, buf, sizeof buf);
	assert_string_equal(e, buf);
	seen.calls++;
	seen.next++;
	return (void *)e; /* the return value is ignored */
}

static VM *filled(int first, int n)
{
	char buf[128];
	VM *vm = vm_new();

	for (int i = first; i < first + n; i++) {
		path_of(i, buf, sizeof buf);
		vm_add(i, buf, vm);
	}
	return vm;
}

static void destroy_calls_back_in_order(void **state)
{
	(void)state;
	vm_destroy(filled(-50, 5000), free_nothing);

	seen.calls = 0;
	seen.next = -50;
	vm_destroy(filled(-50, 5000), count_in_order);
	assert_int_equal(seen.calls, 5000);

	seen.calls = 0;
	vm_destroy(vm_new(), count_in_order); /* empty: never called */
	assert_int_equal(seen.calls, 0);
	vm_destroy(NULL, count_in_order);
	assert_int_equal(seen.calls, 0);
}

/* ---- numbers ------------------------------------------------------------ */

static void first_number_is_free(void **state)
{
	int firsts[] = {0, 1, 7, -3, 1000000, INT_MIN, INT_MAX - 2};
	char buf[128];

	(void)state;
	for (size_t f = 0; f < sizeof firsts / sizeof firsts[0]; f++) {
		VM *vm = vm_new();
		int first = firsts[f];

		for (int k = 0; k < 3; k++) {
			path_of(first + k, buf, sizeof buf);
			vm_add(first + k, buf, vm);
		}
		for (int k = 0; k < 3; k++) {
			path_of(first + k, buf, sizeof buf);
			assert_string_equal(vm_get(first + k, vm), buf);
		}
		if (first > INT_MIN)
			assert_null(vm_get(first - 1, vm));
		if (first + 2 < INT_MAX)
			assert_null(vm_get(first + 3, vm));
		vm_destroy(vm, NULL);
	}
}

static void checked_add_returns_codes(void **state)
{
	VM *vm = NULL;

	(void)state;
	assert_int_equal(vm_new_checked(NULL), -EINVAL);
	assert_int_equal(vm_new_checked(&vm), 0);
	assert_non_null(vm);
	assert_int_equal(vm_add_checked(10, "/a", vm), 0);
	assert_int_equal(vm_add_checked(12, "/gap", vm), VMAP_ESEQUENCE);
	assert_int_equal(vm_add_checked(10, "/repeat", vm), VMAP_ESEQUENCE);
	assert_int_equal(vm_add_checked(9, "/past", vm), VMAP_ESEQUENCE);
	assert_int_equal(vm_add_checked(11, NULL, vm), -EINVAL);
	assert_int_equal(vm_add_checked(11, "/b", NULL), -EINVAL);
	/* nothing changed: 11 is still the next number */
	assert_string_equal(vm_get(10, vm), "/a");
	assert_null(vm_get(11, vm));
	assert_null(vm_get(12, vm));
	assert_int_equal(vm_add_checked(11, "/b", vm), 0);
	assert_string_equal(vm_get(11, vm), "/b");
	assert_null(vm_get(0, NULL));
	vm_destroy(vm, NULL);
}

/* ---- the original's exits ------------------------------------------------ */

/*
 * Runs body in a child with stderr in a pipe; expects it to exit with status
 * 1 and to have printed a line containing want.
 */
/* Under qemu-user a forked child may hang: VMAP_TEST_NO_FORK (as in
 * tests/testutil.h, which this file goes without) says so, loudly. */
static int no_fork(const char *part)
{
	const char *v = getenv("VMAP_TEST_NO_FORK");
	if (!v || !*v || strcmp(v, "0") == 0)
		return 0;
	print_message("skipped%s: fork under qemu-user (VMAP_TEST_NO_FORK is set)\n", part);
	return 1;
}

static void expect_exit(void (*body)(void), const char *want)
{
	char out[512] = "", chunk[512];
	size_t used = 0;
	ssize_t n;
	int fds[2], status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		body();
		_exit(99); /* body should have exited */
	}
	close(fds[1]);
	/* read to the end: a child that cannot write all of its stderr (a leak
	 * report under LeakSanitizer) would die of SIGPIPE */
	while ((n = read(fds[0], chunk, sizeof chunk)) > 0) {
		size_t keep = sizeof out - 1 - used < (size_t)n ? sizeof out - 1 - used : (size_t)n;
		memcpy(out + used, chunk, keep);
		used += keep;
	}
	out[used] = '\0';
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("child killed by signal %d; stderr: %s", WTERMSIG(status), out);
	assert_int_equal(WEXITSTATUS(status), EXIT_FAILURE);
	if (!strstr(out, want))
		fail_msg("stderr \"%s\" lacks \"%s\"", out, want);
}

static void add_gap(void)
{
	VM *vm = vm_new();
	vm_add(5, "/five", vm);
	vm_add(7, "/seven", vm);
}

static void add_repeat(void)
{
	VM *vm = vm_new();
	vm_add(5, "/five", vm);
	vm_add(5, "/five again", vm);
}

static void add_past(void)
{
	VM *vm = vm_new();
	vm_add(5, "/five", vm);
	vm_add(6, "/six", vm);
	vm_add(2, "/two", vm);
}

static void add_null(void)
{
	vm_add(1, NULL, vm_new());
}

static void out_of_sequence_exits(void **state)
{
	(void)state;
	if (no_fork(""))
		skip();
	expect_exit(add_gap, "vm_add 7: key is not the next key in sequence");
	expect_exit(add_repeat, "vm_add 5: key is not the next key in sequence");
	expect_exit(add_past, "vm_add 2: key is not the next key in sequence");
	expect_exit(add_null, "vm_add 1: invalid argument");
}

/* ---- readers beside the writer ------------------------------------------- */

static struct {
	VM *vm;
	int added; /* numbers below this are stored (release/acquire) */
	int done;
	long wrong; /* gets that returned a wrong string (cmocka asserts only
		       on the main thread) */
} shared;

static int get_is(int wd, int may_be_null)
{
	char buf[128];
	const char *got = vm_get(wd, shared.vm);

	if (!got)
		return may_be_null;
	path_of(wd, buf, sizeof buf);
	return strcmp(got, buf) == 0;
}

static void *reader(void *arg)
{
	long checks = 0;

	(void)arg;
	while (!__atomic_load_n(&shared.done, __ATOMIC_ACQUIRE) || checks == 0) {
		int added = __atomic_load_n(&shared.added, __ATOMIC_ACQUIRE);

		if (added > 1 && !get_is(1 + (int)(checks * 7919 % (added - 1)), 0))
			shared.wrong++;
		/* perhaps added, not yet announced: the whole string or NULL */
		if (!get_is(added + 1, 1))
			shared.wrong++;
		checks++;
	}
	return NULL;
}

static void gets_beside_adds(void **state)
{
	enum { N = 20000 };
	char buf[128];
	pthread_t t;

	(void)state;
	shared.vm = vm_new();
	shared.added = 1;
	shared.done = 0;
	shared.wrong = 0;
	assert_int_equal(pthread_create(&t, NULL, reader, NULL), 0);
	for (int wd = 1; wd <= N; wd++) {
		path_of(wd, buf, sizeof buf);
		vm_add(wd, buf, shared.vm);
		__atomic_store_n(&shared.added, wd + 1, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&shared.done, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(shared.wrong, 0);
	vm_destroy(shared.vm, NULL);
}

/* ---- allocation failure --------------------------------------------------- */

#ifdef VM_TEST_FAULTS
static void new_without_memory(void)
{
	vmi_sys_fail_nth(-1, 0, ENOMEM);
	vm_new();
}

static void add_without_memory(void)
{
	VM *vm = vm_new();
	char *big = long_string(4u << 20, 1);

	vm_add(1, "/one", vm);
	vmi_sys_fail_nth(-1, 0, ENOMEM);
	vm_add(2, big, vm);
}

static void allocation_failure(void **state)
{
	char *big = long_string(4u << 20, 1);
	VM *vm = NULL;

	(void)state;
	vmi_sys_reset();
	vmi_sys_fail_nth(-1, 0, ENOMEM);
	assert_int_equal(vm_new_checked(&vm), -ENOMEM);
	assert_null(vm);
	vmi_sys_reset();

	assert_int_equal(vm_new_checked(&vm), 0);
	assert_int_equal(vm_add_checked(1, "/one", vm), 0);
	vmi_sys_fail_nth(-1, 0, ENOMEM);
	assert_int_equal(vm_add_checked(2, big, vm), -ENOMEM);
	vmi_sys_reset();
	assert_null(vm_get(2, vm)); /* unchanged: 2 is still next */
	assert_int_equal(vm_add_checked(2, big, vm), 0);
	assert_string_equal(vm_get(2, vm), big);
	vm_destroy(vm, NULL);
	free(big);

	if (no_fork(" part: the exits"))
		return;
	expect_exit(new_without_memory, "vm_new: out of memory");
	expect_exit(add_without_memory, "vm_add 2: out of memory");
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(original_test_program),
		cmocka_unit_test(strings_longer_than_a_page),
		cmocka_unit_test(inotify_daemon),
		cmocka_unit_test(destroy_calls_back_in_order),
		cmocka_unit_test(first_number_is_free),
		cmocka_unit_test(checked_add_returns_codes),
		cmocka_unit_test(out_of_sequence_exits),
		cmocka_unit_test(gets_beside_adds),
#ifdef VM_TEST_FAULTS
		cmocka_unit_test(allocation_failure),
#endif
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
