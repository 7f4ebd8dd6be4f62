/* SPDX-License-Identifier: MIT */
/*
 * space.c - the position space and how it is mapped.
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

/* Linux 5.14's value: libc headers older than the kernel (musl 1.2.3) lack it. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define GROW_MIN (64u << 10)
#define GROW_MAX (64u << 20)

int vmi_space_map_extent(vmap *m, unsigned k)
{
	uint64_t bytes = extent_end(k) - extent_start(k);
	size_t size = (size_t)bytes;
	int prot = m->read_only ? PROT_READ : PROT_READ | PROT_WRITE;
	int err = 0;
	void *p;

	if (MLOAD_ACQ(&m->ext_base[k])) /* pairs with the release below */
		return 0;
	if (bytes > SIZE_MAX) /* a 32-bit process has run out of address space */
		return -ENOMEM;
	p = vmi_sys_mmap(size, prot, MAP_SHARED, m->fd, extent_start(k), &err);
	if (!p)
		return err;
	MSTORE_REL(&m->ext_base[k], (uintptr_t)p); /* pairs with vmi_at's acquire */
	return 0;
}

/*
 * The slow path of vmi_at(): the range is past what this handle knows is
 * safe. For a file another process may have grown it: look again, and map
 * the extent. Readers share a handle, so this runs under the handle's lock.
 */
int vmi_space_refresh(const vmap *cm, uint64_t need_end)
{
	vmap *m = (vmap *)cm; /* the cache is mutable state of a const handle */
	unsigned k = extent_of(need_end - 1);
	struct stat st;
	int err = 0;

	if (k >= EXTENTS)
		return -EINVAL;
	pthread_mutex_lock(&m->map_lock);
	if (need_end > MLOAD(&m->limit) && m->read_only) {
		err = vmi_sys_fstat(m->fd, &st);
		if (!err && (uint64_t)st.st_size > MLOAD(&m->limit))
			MSTORE_REL(&m->limit, (uint64_t)st.st_size); /* pairs with vmi_at */
	}
	if (!err && need_end > MLOAD(&m->limit))
		err = -EFAULT;
	if (!err)
		err = vmi_space_map_extent(m, k);
	pthread_mutex_unlock(&m->map_lock);
	return err;
}

/*
 * Map every extent below end, for a caller about to walk all of it (check):
 * VMAP_ECORRUPT if the file is shorter than end, else 0 or the mmap error.
 */
int vmi_space_map_upto(const vmap *m, uint64_t end)
{
	for (unsigned k = 0; k < EXTENTS && extent_start(k) < end; k++) {
		uint64_t stop = extent_end(k) < end ? extent_end(k) : end;
		int err = vmi_space_refresh(m, stop);
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

/*
 * An in-memory map is an unnamed file (memfd) with no disk behind it: it
 * grows by whole extents with ftruncate, which takes no memory until a page
 * is touched. (Two views of the same bytes are what the slot window needs.)
 */
static int grow_memory(vmap *m, uint64_t end)
{
	uint64_t want = extent_end(extent_of(end - 1));
	int err = vmi_sys_ftruncate(m->fd, want);
	if (!err)
		m->file_bytes = want;
	return err;
}

/* Give the file real blocks up to at least end, so no write can hit SIGBUS:
 * a step ahead of need when there is room, else just enough. */
static int grow_file(vmap *m, uint64_t end)
{
	uint64_t want = align_up(end + grow_step(m->file_bytes), BLOCK_BYTES);
	uint64_t need = align_up(end, BLOCK_BYTES);
	int err;

	if (m->anon)
		return grow_memory(m, end);
	err = vmi_sys_fallocate(m->fd, m->file_bytes, want - m->file_bytes);
	if (err == -ENOSPC || err == -EFBIG) {
		/* Room for this write may remain even when a full step does not. */
		want = need;
		err = vmi_sys_fallocate(m->fd, m->file_bytes, want - m->file_bytes);
	}
	if (err)
		return err;
	m->file_bytes = want;
	return 0;
}

/*
 * vmi_space_reserve - make positions [0, end) writable by the writer: file space
 * allocated and every extent mapped. It runs before anything is written, so
 * a failure changes nothing. (The only other step that can fail is the
 * flush a replace of a synced key makes before it commits; write.c undoes
 * what it wrote then.)
 */
int vmi_space_reserve(vmap *m, uint64_t end)
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
		err = vmi_space_map_extent(m, k);
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
	if (end > MLOAD(&m->limit))
		MSTORE_REL(&m->limit, end); /* after the extents it covers: pairs with vmi_at */
	m->reserved = end < extent_end(last) ? end : extent_end(last);
	return 0;
}

/*
 * Fault in the pages ahead of the writer in one call: one madvise instead of
 * dozens of page faults, which in a virtual machine cost more than the
 * appends that touch them. A sixteenth of the map at a time, from 16 KiB to
 * 64 KiB, so that pages held ahead cost at most 64 KiB. Best effort:
 * an error only means the pages fault in one by one as before; a kernel
 * older than 5.14 answers EINVAL, and then we stop asking.
 */
#define POPULATE_MIN (16u << 10)
#define POPULATE_MAX (64u << 10)

static int populate_unknown; /* the kernel said EINVAL to MADV_POPULATE_WRITE */

void vmi_space_populate(vmap *m, uint64_t end)
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
	if (to > start && !MLOAD(&populate_unknown) &&
	    madvise(vmi_ptr(m, start), (size_t)(to - start), MADV_POPULATE_WRITE) && errno == EINVAL)
		MSTORE(&populate_unknown, 1);
	m->populated = to > end ? to : end;
}

void vmi_space_unmap_all(vmap *m)
{
	for (unsigned k = 0; k < EXTENTS; k++)
		if (m->ext_base[k])
			vmi_sys_munmap((void *)m->ext_base[k],
					(size_t)(extent_end(k) - extent_start(k)));
}

/* The bytes the map occupies: 0 or the error of fstat(2). */
int vmi_space_total_bytes(const vmap *m, uint64_t *total)
{
	struct stat st;
	int err;
	if (m->anon) { /* pages past bump are never touched */
		*total = align_up(LOAD(&m->view->bump), m->page);
		return 0;
	}
	err = vmi_sys_fstat(m->fd, &st);
	if (!err)
		*total = (uint64_t)st.st_size;
	return err;
}
