/* SPDX-License-Identifier: MIT */
/*
 * faults.c - vmap_faults: what it costs to get fresh memory written, per
 * page, in each way a store can get it. Appends spend most of their system
 * time here (vmap_loop shows the faults and the system time per append), so
 * this says which kind of memory makes appends cheap:
 *
 *   anonymous private      malloc's large blocks, the flat limit, char**
 *   memfd shared           vmap_new's memory today
 *   memfd, fallocate       the same, its pages allocated in bulk first
 *   memfd, populate        the same, faulted in by MADV_POPULATE_WRITE
 *                          a chunk at a time, as the library does for files
 *   anonymous, populate    private memory faulted in the same way
 *
 *   vmap_faults [MiB (default 256)] [reps (default 5)]
 *
 * Each way maps MiB, writes one byte per page (or populates in chunks of
 * CHUNK and then writes), and unmaps; medians of reps, interleaved, ns per
 * page and the minor faults per page from getrusage. Writing the bytes of
 * the page costs the same in every case and is left out.
 */
#define _GNU_SOURCE
#include "bench.h"
#include "clock.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

/* What the library populates at once when it grows a file (about this much). */
#define CHUNK (64 * 1024)

enum way { ANON, MEMFD, MEMFD_FALLOCATE, MEMFD_POPULATE, ANON_POPULATE, WAYS };

static const char *const names[WAYS] = {
	[ANON] = "anonymous private",
	[MEMFD] = "memfd shared",
	[MEMFD_FALLOCATE] = "memfd shared, fallocate first",
	[MEMFD_POPULATE] = "memfd shared, MADV_POPULATE_WRITE 64 KiB",
	[ANON_POPULATE] = "anonymous private, MADV_POPULATE_WRITE 64 KiB",
};

static char *map_way(enum way w, size_t bytes, int *fd)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS;

	*fd = -1;
	if (w == MEMFD || w == MEMFD_FALLOCATE || w == MEMFD_POPULATE) {
		*fd = memfd_create("vmap_faults", 0);
		if (*fd < 0 || ftruncate(*fd, (off_t)bytes))
			return NULL;
		if (w == MEMFD_FALLOCATE && fallocate(*fd, 0, 0, (off_t)bytes))
			return NULL;
		flags = MAP_SHARED;
	}
	return mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, *fd, 0);
}

/* ns and faults per page of one way, fallocate included in the time. */
static int touch(enum way w, size_t bytes, size_t page, double *ns, double *faults)
{
	struct rusage r0, r1;
	uint64_t t0;
	char *p;
	int fd;

	getrusage(RUSAGE_SELF, &r0);
	t0 = now_ns();
	if ((p = map_way(w, bytes, &fd)) == MAP_FAILED || !p)
		return -1;
	for (size_t off = 0; off < bytes; off += page) {
		if ((w == MEMFD_POPULATE || w == ANON_POPULATE) && off % CHUNK == 0 &&
		    madvise(p + off, CHUNK, MADV_POPULATE_WRITE))
			return -1;
		p[off] = 1;
	}
	*ns = (double)(now_ns() - t0) / (double)(bytes / page);
	getrusage(RUSAGE_SELF, &r1);
	*faults = (double)(r1.ru_minflt - r0.ru_minflt) / (double)(bytes / page);
	munmap(p, bytes);
	if (fd >= 0)
		close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? (size_t)atoi(argv[1]) : 256, page = (size_t)sysconf(_SC_PAGESIZE);
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	static double ns[WAYS][64], faults[WAYS][64];

	if (mib < 1 || reps < 1 || reps > 64 || (mib << 20) % CHUNK) {
		fprintf(stderr, "usage: vmap_faults [MiB] [reps 1..64]\n");
		return 2;
	}
	for (int r = 0; r < reps; r++)
		for (int j = 0; j < WAYS; j++) {
			int w = (j + r) % WAYS;

			if (touch((enum way)w, mib << 20, page, &ns[w][r], &faults[w][r])) {
				perror(names[w]);
				return 1;
			}
		}
	printf("# vmap_faults: %zu MiB, %zu-byte pages, medians of %d\n\n"
	       "| memory | ns per page | vs anonymous | faults per page |\n|:--|--:|--:|--:|\n",
	       mib, page, reps);
	for (int w = 0; w < WAYS; w++) {
		double m = median(ns[w], reps), base = median(ns[ANON], reps);

		printf("| %s | %.0f | %.2fx | %.3f |\n", names[w], m, m / base,
		       median(faults[w], reps));
	}
	return 0;
}
