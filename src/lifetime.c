/* SPDX-License-Identifier: MIT */
/*
 * lifetime.c - vmap_new, vmap_open and vmap_close.
 *
 * An in-memory map and a file-backed one are the same bytes: a header block
 * at position 0 and everything after it. vmap_new maps anonymous memory,
 * vmap_open maps the file shared; from then on one code path serves both.
 * Each function unwinds a half-done setup through one label.
 */
#define _GNU_SOURCE
#include "internal.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

/* Recursive: learning a group (window.c) maps extents (space.c) under it. */
static void init_map_lock(pthread_mutex_t *lock)
{
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(lock, &attr);
	pthread_mutexattr_destroy(&attr);
}

static int handle_new(vmap **out, int fd, int read_only)
{
	vmap *m = vmi_sys_calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	m->fd = fd;
	m->read_only = read_only;
	m->page = vmi_sys_page_size();
	init_map_lock(&m->map_lock);
	*out = m;
	return 0;
}

static void handle_free(vmap *m)
{
	vmi_groups_free(m);
	vmi_span_free_all(m);
	vmi_space_unmap_all(m);
	pthread_mutex_destroy(&m->map_lock);
	vmi_sys_free(m);
}

/* What the file's format version decides (FORMAT.md, "Versions"), and the
 * count of writes to go on from (even: a killed writer may have left it odd). */
static void take_version(vmap *m)
{
	m->values_may_span = LOAD(&m->hdr->version) >= 2;
	m->fast.len_bias = LOAD(&m->hdr->version) >= 2;
	m->writes = (LOAD(&m->hdr->writes) + 1) & ~(uint64_t)1;
}

/* Header bytes go in with the magic last, so a crash mid-way leaves a file
 * that still reads as empty rather than as a damaged map. */
static void write_fresh_header(vmap *m)
{
	struct vmap_header h;
	vmi_header_init(&h);
	if (m->have_boot) {
		memcpy(h.writer_boot, m->boot, 16);
		memcpy(h.synced_boot, m->boot, 16);
	}
	memcpy((char *)m->hdr + sizeof h.magic, (char *)&h + sizeof h.magic,
	       sizeof h - sizeof h.magic);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(m->hdr->magic, h.magic, sizeof h.magic);
	take_version(m);
}

int vmap_new(vmap **out)
{
	vmap *m;
	int fd, err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	err = vmi_sys_memfd(&fd);
	if (err)
		return err;
	err = handle_new(&m, fd, 0);
	if (err) {
		vmi_sys_close(fd);
		return err;
	}
	m->anon = 1;
	err = vmi_space_reserve(m, BLOCK_BYTES);
	if (err)
		goto fail;
	m->hdr = (struct vmap_header *)m->ext_base[0];
	m->view = &m->hdr->live;
	m->fast.count = &m->view->count;
	m->fast.trusted = 1;
	write_fresh_header(m);
	*out = m;
	return 0;
fail:
	handle_free(m);
	vmi_sys_close(fd);
	return err;
}

/* Never block in open: a FIFO would wait for a peer before we can refuse it. */
static int open_flags(int flags)
{
	int mode = flags & VMAP_RDONLY ? O_RDONLY : O_RDWR | (flags & VMAP_CREATE ? O_CREAT : 0);
	return mode | O_NONBLOCK | O_NOCTTY;
}

/* Only a regular file holds a map; say what else it is. */
static int file_kind_error(mode_t mode)
{
	if (S_ISREG(mode))
		return 0;
	return S_ISDIR(mode) ? -EISDIR : VMAP_ENOTFILE;
}

/* open(2) refuses a socket with ENXIO: name the real cause. */
static int open_error(const char *path, int err)
{
	struct stat st;
	if (err == -ENXIO && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		return VMAP_ENOTFILE;
	return err;
}

/* A new file, or one whose creator died before writing the magic. */
static int needs_init(const vmap *m, uint64_t size)
{
	return size == 0 || (size >= BLOCK_BYTES && all_zero(m->hdr->magic, sizeof m->hdr->magic));
}

static int map_header(vmap *m, uint64_t size)
{
	int err;
	m->limit = size;
	err = vmi_space_map_extent(m, 0);
	if (!err)
		m->hdr = (struct vmap_header *)m->ext_base[0];
	return err;
}

/* A writer on a map already in the file: validated, recovered, reserved. */
static int open_existing(vmap *m, uint64_t size)
{
	const struct vmap_state *trusted;
	int err;

	m->view = &m->hdr->live;
	m->file_bytes_found = size;
	err = vmi_header_validate(m->hdr, size);
	if (err)
		return err;
	take_version(m);
	/* after a restart only the synced state is sure to be whole */
	trusted = vmi_restarted_since_write(m) ? &m->hdr->synced : &m->hdr->live;
	err = vmi_stored_state_validate(trusted, size);
	if (!err && trusted == &m->hdr->live)
		err = vmi_journal_validate(&m->hdr->journal, size);
	if (!err) /* the writer touches any position below bump unchecked */
		err = vmi_space_reserve(m, LOAD(&trusted->bump));
	if (!err)
		err = vmi_recover_writer(m);
	if (!err) /* and follows table chunk positions unchecked */
		err = vmi_table_chunks_validate(m);
	return err;
}

static int open_writer(vmap *m, uint64_t size, int create)
{
	int err;

	m->file_bytes = size;
	if (size == 0) {
		if (!create)
			return VMAP_ECORRUPT;
		err = vmi_space_reserve(m, BLOCK_BYTES);
		if (!err)
			err = map_header(m, m->file_bytes);
		if (!err)
			write_fresh_header(m);
		return err;
	}
	err = map_header(m, size);
	if (err || !needs_init(m, size))
		return err ? err : open_existing(m, size);
	if (!create)
		return VMAP_ECORRUPT;
	write_fresh_header(m);
	return 0;
}

/* A reader takes the synced state when a restart may have torn the rest. */
static int open_reader(vmap *m, uint64_t size)
{
	int err;

	if (size < BLOCK_BYTES)
		return VMAP_ECORRUPT;
	err = map_header(m, size);
	if (!err)
		err = vmi_header_validate(m->hdr, size);
	if (err)
		return err;
	take_version(m);
	m->view = vmi_restarted_since_write(m) ? &m->hdr->synced : &m->hdr->live;
	return vmi_stored_state_validate(m->view, size);
}

/* The open file: locked if a writer, and a regular file. */
static int take_file(vmap *m, struct stat *st)
{
	int err = 0;
	if (!m->read_only)
		err = vmi_sys_flock(m->fd, LOCK_EX | LOCK_NB);
	if (!err)
		err = vmi_sys_fstat(m->fd, st);
	return err ? err : file_kind_error(st->st_mode);
}

int vmap_open(vmap **out, const char *path, int flags)
{
	struct stat st;
	vmap *m;
	int fd, err;

	if (out)
		*out = NULL; /* so that closing after a failed open is harmless */
	if (!out || !path || (flags & ~(VMAP_CREATE | VMAP_RDONLY)) ||
	    flags == (VMAP_CREATE | VMAP_RDONLY))
		return -EINVAL;
	err = vmi_sys_open(path, open_flags(flags), 0666, &fd);
	if (err)
		return open_error(path, err);
	err = handle_new(&m, fd, !!(flags & VMAP_RDONLY));
	if (err) {
		vmi_sys_close(fd);
		return err;
	}
	err = take_file(m, &st);
	if (err)
		goto fail;
	m->have_boot = vmi_sys_boot_id(m->boot) == 0;
	if (m->read_only)
		err = open_reader(m, (uint64_t)st.st_size);
	else
		err = open_writer(m, (uint64_t)st.st_size, flags & VMAP_CREATE);
	if (err)
		goto fail;
	if (!m->view)
		m->view = &m->hdr->live;
	m->fast.count = &m->view->count;
	*out = m;
	return 0;
fail:
	handle_free(m);
	vmi_sys_close(fd);
	return err;
}

/* Hand back the file space reserved ahead of need, but never cut the file
 * below the size it had when we opened it: readers may have seen that. */
static void trim_file(vmap *m)
{
	uint64_t end = LOAD(&m->hdr->live.bump);
	end = align_up(end, BLOCK_BYTES);
	if (end < m->file_bytes_found)
		end = m->file_bytes_found;
	if (end < m->file_bytes && vmi_sys_ftruncate(m->fd, end) == 0)
		m->file_bytes = end;
}

int vmap_close(vmap *m)
{
	int fd;
	if (!m)
		return 0;
	fd = m->fd;
	if (!m->anon && !m->read_only && m->hdr) {
		trim_file(m);
		vmi_sync_as_write(m);
	}
	handle_free(m);
	vmi_sys_close(fd); /* also drops the writer's lock */
	return 0;
}
