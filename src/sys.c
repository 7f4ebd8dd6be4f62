/* SPDX-License-Identifier: MIT */
/*
 * sys.c - every system call of the library, each counted and each able to
 * fail on demand (see sys.h). Errors come back as negated errno values.
 */
#define _GNU_SOURCE
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static long calls[VMI_SYS_NCALLS];
static int fault_call = -2; /* no fault armed */
static long fault_nth;
static int fault_err;
static const char *fake_boot_id;
static void (*sync_hook)(int fd, void *arg);
static void *sync_hook_arg;

static const char *const call_names[VMI_SYS_NCALLS] = {
	"open", "flock", "fstat", "fallocate", "ftruncate",
	"mmap", "fdatasync", "malloc", "boot_id",
};

void vmi_sys_fail_nth(int call, long nth, int err)
{
	fault_err = err;
	__atomic_store_n(&fault_nth, nth, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_call, call, __ATOMIC_RELAXED);
}

void vmi_sys_reset(void)
{
	for (int i = 0; i < VMI_SYS_NCALLS; i++)
		__atomic_store_n(&calls[i], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_call, -2, __ATOMIC_RELAXED);
}

long vmi_sys_count(int call)
{
	long sum = 0;
	if (call >= 0 && call < VMI_SYS_NCALLS)
		return __atomic_load_n(&calls[call], __ATOMIC_RELAXED);
	for (int i = 0; i < VMI_SYS_NCALLS; i++)
		sum += __atomic_load_n(&calls[i], __ATOMIC_RELAXED);
	return sum;
}

const char *vmi_sys_name(int call)
{
	return call >= 0 && call < VMI_SYS_NCALLS ? call_names[call] : "any";
}

void vmi_sys_set_boot_id(const char *id16)
{
	fake_boot_id = id16;
}

void vmi_sys_set_sync_hook(void (*hook)(int fd, void *arg), void *arg)
{
	sync_hook = hook;
	sync_hook_arg = arg;
}

/*
 * Count a call; return the injected error if this is the chosen one. Readers
 * and the writer may make calls at once, so the counters are atomic (the
 * fault itself is armed by single-threaded tests).
 */
static int injected(int call)
{
	int armed = __atomic_load_n(&fault_call, __ATOMIC_RELAXED);
	__atomic_fetch_add(&calls[call], 1, __ATOMIC_RELAXED);
	if (armed != call && armed != -1)
		return 0;
	if (__atomic_fetch_sub(&fault_nth, 1, __ATOMIC_RELAXED) != 0)
		return 0;
	__atomic_store_n(&fault_call, -2, __ATOMIC_RELAXED);
	return -fault_err;
}

int vmi_sys_open(const char *path, int flags, int mode, int *fd)
{
	int err = injected(VMI_SYS_OPEN);
	if (err)
		return err;
	do
		*fd = open(path, flags | O_CLOEXEC, mode);
	while (*fd < 0 && errno == EINTR);
	return *fd < 0 ? -errno : 0;
}

int vmi_sys_memfd(int *fd)
{
	int err = injected(VMI_SYS_OPEN);
	if (err)
		return err;
	*fd = memfd_create("vmap", MFD_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int vmi_sys_flock(int fd, int op)
{
	int err = injected(VMI_SYS_FLOCK), rc;
	if (err)
		return err;
	do
		rc = flock(fd, op);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	return 0;
}

int vmi_sys_fstat(int fd, struct stat *st)
{
	int err = injected(VMI_SYS_FSTAT);
	if (err)
		return err;
	return fstat(fd, st) < 0 ? -errno : 0;
}

/*
 * Growing past RLIMIT_FSIZE would raise SIGXFSZ, which kills the process by
 * default: the contract promises -EFBIG instead, so we check first.
 */
static int within_file_size_limit(uint64_t end)
{
	struct rlimit lim;
	if (getrlimit(RLIMIT_FSIZE, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY)
		return 1;
	return end <= (uint64_t)lim.rlim_cur;
}

int vmi_sys_fallocate(int fd, uint64_t offset, uint64_t len)
{
	int err = injected(VMI_SYS_FALLOCATE), rc;
	if (err)
		return err;
	if (offset + len > (uint64_t)INT64_MAX)
		return -EFBIG;
	if (!within_file_size_limit(offset + len))
		return -EFBIG;
	do
		rc = posix_fallocate(fd, (off_t)offset, (off_t)len);
	while (rc == EINTR);
	return -rc;
}

int vmi_sys_ftruncate(int fd, uint64_t len)
{
	int err = injected(VMI_SYS_FTRUNCATE), rc;
	if (err)
		return err;
	if (len > (uint64_t)INT64_MAX || !within_file_size_limit(len))
		return -EFBIG;
	do
		rc = ftruncate(fd, (off_t)len);
	while (rc < 0 && errno == EINTR);
	return rc < 0 ? -errno : 0;
}

void *vmi_sys_mmap(size_t len, int prot, int flags, int fd, uint64_t offset, int *err)
{
	void *p;
	*err = injected(VMI_SYS_MMAP);
	if (*err)
		return NULL;
	if (vmi_sys_sim_page())
		p = vmi_sys_sim_mmap(len, prot, flags, fd, offset);
	else
		p = mmap(NULL, len, prot, flags, fd, (off_t)offset);
	if (p == MAP_FAILED) {
		*err = -errno;
		return NULL;
	}
	return p;
}

/* Map a shared view of fd over [addr, addr + len), replacing what is there. */
int vmi_sys_mmap_at(void *addr, size_t len, int prot, int fd, uint64_t offset)
{
	int err = injected(VMI_SYS_MMAP);
	if (err)
		return err;
	if (vmi_sys_sim_misaligned(addr, offset))
		return -EINVAL;
	len = vmi_sys_sim_length(len);
	if (mmap(addr, len, prot, MAP_SHARED | MAP_FIXED, fd, (off_t)offset) == MAP_FAILED)
		return -errno;
	return 0;
}

void vmi_sys_munmap(void *addr, size_t len)
{
	munmap(addr, vmi_sys_sim_length(len));
}

int vmi_sys_fdatasync(int fd)
{
	int err = injected(VMI_SYS_FDATASYNC), rc;
	if (err)
		return err;
	do
		rc = fdatasync(fd);
	while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return -errno;
	if (sync_hook)
		sync_hook(fd, sync_hook_arg);
	return 0;
}

void vmi_sys_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

void *vmi_sys_calloc(size_t n, size_t size)
{
	if (injected(VMI_SYS_MALLOC))
		return NULL;
	return calloc(n, size);
}

void vmi_sys_free(void *p)
{
	free(p);
}

static int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The kernel's boot id, 16 bytes: it changes when the machine restarts. */
int vmi_sys_boot_id(unsigned char id[16])
{
	char text[64];
	int err = injected(VMI_SYS_BOOT_ID), fd, n = 0;
	ssize_t got;
	if (err)
		return err;
	if (fake_boot_id) {
		memcpy(id, fake_boot_id, 16);
		return 0;
	}
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	got = read(fd, text, sizeof text - 1);
	close(fd);
	if (got < 32)
		return -EIO;
	memset(id, 0, 16);
	for (ssize_t i = 0; i < got && n < 32; i++) {
		int d = hex_digit(text[i]);
		if (d < 0)
			continue;
		id[n / 2] = (unsigned char)(id[n / 2] << 4 | d);
		n++;
	}
	return n == 32 ? 0 : -EIO;
}
