/* SPDX-License-Identifier: MIT */
/*
 * sync.c - durability: vmap_sync, and the checksums of the blocks still
 * being filled, which appends leave stale and a sync takes again.
 *
 * The kernel writes dirty pages back in any order, so anything written
 * after the last sync may be torn by a power loss. vmap_sync therefore
 * writes in two steps, each ended by a flush (fdatasync):
 *
 *   1. every byte in [0, bump): values, tables, live state
 *   2. the header's synced state := live state, and this boot's id
 *
 * After a restart the map goes back to the synced state (recover.c), which
 * step 1 made sure is entirely on disk.
 */
#include "internal.h"
#include "sys.h"

#include <errno.h>

/*
 * Everything written so far, to stable storage. One fdatasync: on Linux,
 * msync(MS_SYNC) of a shared file mapping is the same flush of the same
 * page cache (vfs_fsync_range), and a page written through a mapping is
 * dirty there from its first write; msync would flush once per extent.
 */
static int flush(vmap *m)
{
	return vmi_sys_fdatasync(m->fd);
}

/* The CRC of a partly written block, from its bytes. */
static uint32_t prefix_crc(vmap *m, uint64_t end)
{
	uint64_t start = align_down(end, BLOCK_BYTES);
	const char *p = start < end ? vmi_at(m, start, end - start) : NULL;
	return p ? vmi_crc32c(0, p, (size_t)(end - start)) : 0;
}

/* The CRCs of the two partly filled blocks, which appends leave stale. */
void vmi_refresh_prefix_crcs(vmap *m)
{
	struct vmap_state *live = &m->hdr->live;
	if (LOAD(&live->crcs_valid))
		return;
	STORE(&live->tail_crc, prefix_crc(m, LOAD(&live->bump)));
	STORE(&live->gap_crc, LOAD(&live->gap_pos) < LOAD(&live->gap_end) ?
				      prefix_crc(m, LOAD(&live->gap_pos)) : 0);
	STORE_REL(&live->crcs_valid, 1); /* after both CRCs: pairs with check.c */
}

/* What step 2 of a sync changes, so that a failed sync can put it back. */
struct synced_part {
	struct vmap_state synced;
	unsigned char writer_boot[16], synced_boot[16];
};

static void synced_save(const vmap *m, struct synced_part *sp)
{
	vmi_state_load(&sp->synced, &m->hdr->synced);
	memcpy(sp->writer_boot, m->hdr->writer_boot, 16);
	memcpy(sp->synced_boot, m->hdr->synced_boot, 16);
}

static void synced_restore(vmap *m, const struct synced_part *sp)
{
	vmi_state_store(&m->hdr->synced, &sp->synced);
	memcpy(m->hdr->writer_boot, sp->writer_boot, 16);
	memcpy(m->hdr->synced_boot, sp->synced_boot, 16);
}

/*
 * The two steps (see the top of this file). If the header's flush fails,
 * the synced state goes back to what it was, so a failed call changes
 * nothing; the disk may hold either header then (which both describe data
 * already on the disk), as after any failed fdatasync.
 */
int vmi_sync_flush(vmap *m)
{
	struct vmap_state now;
	struct synced_part was;
	int err;

	if (m->anon)
		return 0;
	vmi_refresh_prefix_crcs(m);
	vmi_state_load(&now, &m->hdr->live);
	err = flush(m);
	if (err)
		return err;
	synced_save(m, &was);
	vmi_state_store(&m->hdr->synced, &now);
	if (m->have_boot) {
		memcpy(m->hdr->synced_boot, m->boot, 16);
		memcpy(m->hdr->writer_boot, m->boot, 16);
	}
	err = flush(m);
	if (err) {
		synced_restore(m, &was);
		flush(m); /* best effort: the error is already known */
	}
	return err;
}

/* A sync is a write to checkers (check.c): it changes the synced state. */
int vmi_sync_as_write(vmap *m)
{
	int err;
	vmi_write_begin(m);
	err = vmi_sync_flush(m);
	vmi_write_end(m);
	return err;
}

int vmap_sync(vmap *m)
{
	if (!m)
		return -EINVAL;
	if (m->read_only)
		return -EROFS;
	return vmi_sync_as_write(m);
}
