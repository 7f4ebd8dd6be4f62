/* SPDX-License-Identifier: MIT */
/*
 * arena.c - the position space and how it is mapped.
 *
 * Positions are file offsets (or offsets into anonymous memory). They are
 * mapped in extents that double in size, each its own mmap, so growing never
 * moves a byte that is already mapped and every pointer handed out stays
 * valid until close:
 *
 *   position 0     1 MiB      2 MiB          4 MiB                  8 MiB
 *            | ext 0  | ext 1   |    ext 2     |        ext 3         | ...
 *
 * A file-backed extent is mapped whole even where the file is shorter; the
 * handle's limit says how far it is safe to touch (the bytes the file has),
 * so no access ever lands past the end of the file and raises SIGBUS.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <sys/mman.h>

#define GROW_MIN (64u << 10)
#define GROW_MAX (64u << 20)

int arena_map_extent(vmap *m, unsigned k)
{
	uint64_t bytes = extent_end(k) - extent_start(k);
	size_t size = (size_t)bytes;
	int prot = m->read_only ? PROT_READ : PROT_READ | PROT_WRITE;
	int err = 0;
	void *p;

	if (LOAD_ACQ(&m->ext_base[k]))
		return 0;
	if (bytes > SIZE_MAX) /* a 32-bit process has run out of address space */
		return -ENOMEM;
	p = vmap_sys_mmap(size, prot, MAP_SHARED, m->fd, extent_start(k), &err);
	if (!p)
		return err;
	STORE_REL(&m->ext_base[k], (uintptr_t)p);
	return 0;
}

/*
 * The slow path of vmap_at(): the range is past what this handle knows is
 * safe. For a file another process may have grown it: look again, and map
 * the extent. Readers share a handle, so this runs under the handle's lock.
 */
int arena_refresh(const vmap *cm, uint64_t need_end)
{
	vmap *m = (vmap *)cm; /* the cache is mutable state of a const handle */
	unsigned k = extent_of(need_end - 1);
	struct stat st;
	int err = 0;

	if (k >= EXTENTS)
		return -EINVAL;
	pthread_mutex_lock(&m->map_lock);
	if (need_end > LOAD(&m->limit) && m->read_only) {
		err = vmap_sys_fstat(m->fd, &st);
		if (!err && (uint64_t)st.st_size > LOAD(&m->limit))
			STORE_REL(&m->limit, (uint64_t)st.st_size);
	}
	if (!err && need_end > LOAD(&m->limit))
		err = -EFAULT;
	if (!err)
		err = arena_map_extent(m, k);
	pthread_mutex_unlock(&m->map_lock);
	return err;
}

/*
 * Map every extent below end, for a caller about to walk all of it (check):
 * VMAP_ECORRUPT if the file is shorter than end, else 0 or the mmap error.
 */
int arena_map_upto(const vmap *m, uint64_t end)
{
	for (unsigned k = 0; k < EXTENTS && extent_start(k) < end; k++) {
		uint64_t stop = extent_end(k) < end ? extent_end(k) : end;
		int err = arena_refresh(m, stop);
		if (err)
			return err == -EFAULT ? VMAP_ECORRUPT : err;
	}
	return 0;
}

static uint64_t grow_step(uint64_t now)
{
	uint64_t step = now / 8;
	if (step < GROW_MIN)
		step = GROW_MIN;
	if (step > GROW_MAX)
		step = GROW_MAX;
	return step;
}

static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

/* Give the file real blocks up to at least end, so no write can hit SIGBUS. */
/*
 * An in-memory map is an unnamed file (memfd) with no disk behind it: it
 * grows by whole extents with ftruncate, which takes no memory until a page
 * is touched. (Two views of the same bytes are what the slot window needs.)
 */
static int grow_memory(vmap *m, uint64_t end)
{
	uint64_t want = extent_end(extent_of(end - 1));
	int err = vmap_sys_ftruncate(m->fd, want);
	if (!err)
		m->file_bytes = want;
	return err;
}

static int grow_file(vmap *m, uint64_t end)
{
	uint64_t want = round_up(end + grow_step(m->file_bytes), BLOCK_BYTES);
	uint64_t need = round_up(end, BLOCK_BYTES);
	int err;

	if (m->anon)
		return grow_memory(m, end);
	err = vmap_sys_fallocate(m->fd, m->file_bytes, want - m->file_bytes);
	if (err == -ENOSPC || err == -EFBIG) {
		/* Room for this write may remain even when a full step does not. */
		want = need;
		err = vmap_sys_fallocate(m->fd, m->file_bytes, want - m->file_bytes);
	}
	if (err)
		return err;
	m->file_bytes = want;
	return 0;
}

/*
 * arena_reserve - make positions [0, end) writable by the writer: file space
 * allocated and every extent mapped. The only step of a write that can fail,
 * and it runs before anything is written, so a failure changes nothing.
 */
int arena_reserve(vmap *m, uint64_t end)
{
	unsigned last;
	int err;

	if (end > VMAP_BYTES_MAX)
		return -EOVERFLOW;
	if (end <= m->reserved) /* the common case: nothing to do */
		return 0;
	last = extent_of(end - 1);
	for (unsigned k = 0; k <= last; k++) {
		pthread_mutex_lock(&m->map_lock);
		err = arena_map_extent(m, k);
		pthread_mutex_unlock(&m->map_lock);
		if (err)
			return err;
	}
	if (end > m->file_bytes) {
		err = grow_file(m, end);
		if (err)
			return err;
	}
	end = m->file_bytes;
	if (end > LOAD(&m->limit))
		STORE_REL(&m->limit, end);
	m->reserved = end < extent_end(last) ? end : extent_end(last);
	return 0;
}

/*
 * Fault in the pages ahead of the writer in one call: one madvise instead of
 * dozens of page faults, which in a virtual machine cost more than the
 * appends that touch them. A sixteenth of the map at a time, from 16 KiB to
 * 64 KiB, so that pages held ahead cost at most 64 KiB. Best effort:
 * an error only means the pages fault in one by one as before.
 */
#define POPULATE_MIN (16u << 10)
#define POPULATE_MAX (64u << 10)

void arena_populate(vmap *m, uint64_t end)
{
	uint64_t step = end / 16;
	uint64_t start, to, stop;

	step = step < POPULATE_MIN ? POPULATE_MIN : step > POPULATE_MAX ? POPULATE_MAX : step;
	start = (end - 1) & ~(uint64_t)(m->page - 1);
	to = (end + step + m->page - 1) & ~(uint64_t)(m->page - 1);
	stop = extent_end(extent_of(start));

	if (to > stop)
		to = stop;
	if (to > m->reserved)
		to = m->reserved;
#ifdef MADV_POPULATE_WRITE
	if (to > start)
		madvise(vmap_ptr(m, start), (size_t)(to - start), MADV_POPULATE_WRITE);
#endif
	m->populated = to > end ? to : end;
}

void arena_unmap_all(vmap *m)
{
	for (unsigned k = 0; k < EXTENTS; k++)
		if (m->ext_base[k])
			vmap_sys_munmap((void *)m->ext_base[k],
					(size_t)(extent_end(k) - extent_start(k)));
}

/* The bytes the map occupies: 0 or the error of fstat(2). */
int arena_total_bytes(const vmap *m, uint64_t *total)
{
	struct stat st;
	int err;
	if (m->anon) { /* pages past bump are never touched */
		*total = round_up(LOAD(&m->view->bump), m->page);
		return 0;
	}
	err = vmap_sys_fstat(m->fd, &st);
	if (!err)
		*total = (uint64_t)st.st_size;
	return err;
}
