/* SPDX-License-Identifier: MIT */
/*
 * simpage.c - a larger page size, simulated for tests of the system-call
 * layer: how the library behaves on a 16 KiB (Apple silicon) or 64 KiB
 * (RHEL arm64, ppc64el) kernel, seen from an x86_64 machine with 4 KiB pages.
 *
 * Set VMAP_SIM_PAGE=16384 or 65536 in the environment (read once, on the
 * first call), or call vmi_sys_set_page_size(). While a page size P is
 * simulated, the layer behaves as a kernel with P-byte pages would:
 *
 *   vmi_sys_page_size()  returns P
 *   vmi_sys_mmap()       returns P-aligned addresses, -EINVAL for a file
 *                         offset that is not a multiple of P
 *   vmi_sys_mmap_at()    -EINVAL unless both the address and the file
 *                         offset are multiples of P (MAP_FIXED's rule); the
 *                         length is rounded up to P, as the kernel does
 *   vmi_sys_munmap()     the length rounded up to P
 *
 * A value that is not a power of two, or not larger than the real page, or
 * above 1 MiB, is ignored: the simulation only ever makes pages larger.
 */
#define _GNU_SOURCE
#include "sys.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define SIM_PAGE_MAX (1u << 20)

static size_t sim_page;
static pthread_once_t sim_once = PTHREAD_ONCE_INIT;

static size_t real_page(void)
{
	long page = sysconf(_SC_PAGESIZE);
	return page > 0 ? (size_t)page : 0;
}

static size_t valid_or_zero(unsigned long page)
{
	if (page <= real_page() || page > SIM_PAGE_MAX || (page & (page - 1)))
		return 0;
	return (size_t)page;
}

static void read_environment(void)
{
	const char *text = getenv("VMAP_SIM_PAGE");
	if (text && *text)
		__atomic_store_n(&sim_page, valid_or_zero(strtoul(text, NULL, 0)), __ATOMIC_RELAXED);
}

void vmi_sys_set_page_size(size_t page)
{
	pthread_once(&sim_once, read_environment);
	__atomic_store_n(&sim_page, valid_or_zero(page), __ATOMIC_RELAXED);
}

size_t vmi_sys_sim_page(void)
{
	pthread_once(&sim_once, read_environment);
	return __atomic_load_n(&sim_page, __ATOMIC_RELAXED);
}

size_t vmi_sys_page_size(void)
{
	size_t sim = vmi_sys_sim_page();
	return sim ? sim : real_page();
}

static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

size_t vmi_sys_sim_length(size_t len)
{
	size_t sim = vmi_sys_sim_page();
	return sim ? (size_t)round_up(len, sim) : len;
}

int vmi_sys_sim_misaligned(const void *addr, uint64_t offset)
{
	size_t sim = vmi_sys_sim_page();
	return sim && ((uintptr_t)addr % sim || offset % sim);
}

/*
 * mmap as a kernel with sim-byte pages would: reserve room for one more page,
 * map at the first aligned address inside it, give the slack back.
 */
void *vmi_sys_sim_mmap(size_t len, int prot, int flags, int fd, uint64_t offset)
{
	size_t sim = vmi_sys_sim_page(), span;
	char *raw, *at;

	if (offset % sim) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	len = (size_t)round_up(len, sim);
	span = len + sim;
	raw = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return MAP_FAILED;
	at = raw + (sim - (uintptr_t)raw % sim) % sim;
	if (mmap(at, len, prot, flags | MAP_FIXED, fd, (off_t)offset) == MAP_FAILED) {
		int err = errno;
		munmap(raw, span);
		errno = err;
		return MAP_FAILED;
	}
	if (at > raw)
		munmap(raw, (size_t)(at - raw));
	if (at + len < raw + span)
		munmap(at + len, (size_t)(raw + span - (at + len)));
	return at;
}
