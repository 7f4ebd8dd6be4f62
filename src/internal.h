/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the private layout of a vector_map and the helpers every source
 * file shares. docs/DESIGN.md explains the design; docs/FORMAT.md is the
 * byte-level spec. In short:
 *
 *   position space (file offsets, or offsets into anonymous memory)
 *   +--------+----------+-----------+-------+------------+----------+-- ...
 *   | header | dir      | slots of  | values| crc table  | slots of | values
 *   | block  | chunk 0  | group 0   | ...   | chunk 0    | group 1  | ...
 *   +--------+----------+-----------+-------+------------+----------+-- ...
 *   0       4096    (4 KiB blocks for tables; values packed byte by byte)
 *
 *   key k -> index i = k - first_key -> group g = i / 1024, slot j = i % 1024
 *   dir[g] = { slots_pos, base }      (segmented table, O(1) by clz)
 *   slot   = u32 at slots_pos + 4*j (slot.h):
 *            0 | len+1:8 | off:23     value at base + off, in the extent of
 *                                     base; 255: "254 or more: find the NUL"
 *            1 | f:31                 far record f = { pos, len }
 *            0xffffffff               removed; 0: nothing here
 *
 * Nothing in the position space is an address: one function, vmi_at(),
 * turns a position into a pointer, through the extent table of the handle.
 */
#ifndef VMAP_INTERNAL_H
#define VMAP_INTERNAL_H

#include "slot.h"
#include "vmap.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>


#define HIDDEN __attribute__((visibility("hidden")))

/* ---- format constants (docs/FORMAT.md) ---------------------------------- */

/*
 * The format's block: the unit of tables and of checksums. It is fixed by the
 * format, not taken from the machine, so a file moves between machines with
 * different page sizes. 4 KiB is the common page size and a good CRC unit.
 */
#define BLOCK_BYTES 4096u
#define BLOCK_SHIFT 12

/* Keys per group: one block of 4-byte slots. */
#define GROUP_SHIFT 10
#define GROUP_KEYS (1u << GROUP_SHIFT)

/*
 * Slot blocks are taken in runs of consecutive blocks, each run a quarter as
 * long as the groups so far (so a small map wastes little), up to 64 blocks.
 * Keeping the slots of many groups together, apart from the values, keeps
 * the page-table walks of random gets as cheap as those of a flat array.
 */
#define RUN_MAX_BLOCKS 64u

/* Values longer than this are stored far, so a get never scans far for a NUL. */
#define INLINE_MAX 1024u

/*
 * Format versions (docs/FORMAT.md, "Versions"). Version 2 lets a far value
 * cross an extent boundary (its bytes are then read through a mapping of
 * their own, span.c), so a large value costs its size and no more, and
 * stores an inline length plus one (slot.h). A writer keeps a version 1
 * file at version 1 and writes it as version 1 requires, so that older
 * readers of the file keep reading it; new files are version 2.
 */
#define FORMAT_VERSION 2u
#define FORMAT_VERSION_MIN 1u
#define TABLE_CHUNKS 32 /* chunk c of a table is 4 KiB << c */

/* pos rounded down or up to a multiple of align, a power of two. */
static inline uint64_t align_down(uint64_t pos, uint64_t align)
{
	return pos & ~(align - 1);
}

static inline uint64_t align_up(uint64_t pos, uint64_t align)
{
	return align_down(pos + align - 1, align);
}

static inline int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	while (n--)
		if (*b++)
			return 0;
	return 1;
}

/* ---- extents: how the position space is mapped (not part of the format) -- */

/*
 * Extent 0 maps positions [0, 1 MiB); extent k >= 1 maps [2^(19+k), 2^(20+k)).
 * Each is one mmap, so mapping more never moves what is mapped: pointers stay
 * valid. A position finds its extent with one count-leading-zeros.
 */
#define EXTENT0_SHIFT 20
#define EXTENTS (46 - EXTENT0_SHIFT + 2) /* up to VMAP_BYTES_MAX */

static inline unsigned extent_of(uint64_t pos)
{
	return (unsigned)(63 - __builtin_clzll(pos | (1ull << (EXTENT0_SHIFT - 1)))) -
	       (EXTENT0_SHIFT - 1);
}

static inline uint64_t extent_start(unsigned k)
{
	return k ? 1ull << (EXTENT0_SHIFT - 1 + k) : 0;
}

static inline uint64_t extent_end(unsigned k)
{
	return 1ull << (EXTENT0_SHIFT + k);
}

/* ---- stored structures (little-endian, in place) ------------------------ */

/* The mutable state of a map; the header holds a live copy and a synced one. */
struct vmap_state {
	uint64_t count;       /* keys appended; the commit point of an append */
	uint64_t first_key;
	uint64_t bump;        /* end of all allocations */
	uint64_t gap_pos;     /* a free run left before an aligned table block */
	uint64_t gap_end;
	uint64_t far_count;   /* far records in use */
	uint64_t removed;
	uint64_t value_bytes; /* sum of live value lengths */
	uint32_t tail_crc;    /* CRC32C of [block start, bump), if crcs_valid */
	uint32_t gap_crc;     /* CRC32C of [block start, gap_pos), if crcs_valid */
	uint64_t run_pos;     /* next free slot block of the current run */
	uint64_t run_left;    /* free slot blocks left in the run */
	uint32_t crcs_valid;  /* tail_crc and gap_crc are up to date */
	uint32_t reserved32;
	uint64_t reserved[2];
};

/* A write in progress: lets a writer that reopens after a crash undo it. */
struct vmap_journal {
	uint64_t active;      /* 1 while an operation is being written */
	uint64_t key_index;
	uint32_t kind;        /* JOURNAL_APPEND, _REPLACE, _REMOVE */
	uint32_t slot_new;
	uint64_t value_bytes_after; /* replace, remove: counters once committed */
	struct vmap_state before;
};

enum { JOURNAL_APPEND = 1, JOURNAL_REPLACE, JOURNAL_REMOVE, JOURNAL_APPEND_FAST };

struct vmap_header {
	unsigned char magic[8];   /*   0: 89 'V' 'M' 'A' 'P' 0d 0a 1a */
	uint32_t version;         /*   8 */
	uint32_t header_bytes;    /*  12: 4096 */
	uint32_t block_bytes;     /*  16: 4096 */
	uint32_t group_keys;      /*  20: 1024 */
	uint32_t inline_max;      /*  24: 1024 */
	uint32_t flags;           /*  28: 0 */
	unsigned char reserved0[28]; /* 32 */
	uint32_t header_crc;      /*  60: CRC32C of bytes 0..59 */
	struct vmap_state live;   /*  64 */
	struct vmap_state synced; /* 176 */
	unsigned char writer_boot[16]; /* 288: boot id of the last writer */
	unsigned char synced_boot[16]; /* 304 */
	struct vmap_journal journal;   /* 320 */
	uint64_t writes;               /* 464: operations completed (check.c) */
	unsigned char reserved1[512 - 472];
	uint64_t dir_chunks[TABLE_CHUNKS]; /*  512: {slots_pos, base} per group */
	uint64_t far_chunks[TABLE_CHUNKS]; /*  768: {pos, len} per far record */
	uint64_t crc_chunks[TABLE_CHUNKS]; /* 1024: u32 CRC32C per block, 0 = none */
	unsigned char reserved2[BLOCK_BYTES - 1280];
};

struct vmap_dir_entry {
	uint64_t slots_pos; /* block-aligned position of the group's 1024 slots */
	uint64_t base;      /* inline values are at base + slot */
};

struct vmap_far {
	uint64_t pos;
	uint64_t len;
};

_Static_assert(sizeof(struct vmap_state) == 112, "state layout");
_Static_assert(sizeof(struct vmap_journal) == 144, "journal layout");
_Static_assert(GROUP_KEYS == 1024 && SLOT_OFF_BITS == 23 && SLOT_LEN_LONG == 255,
	       "vmap_get_inline() in vmap.h has these numbers written in");
_Static_assert(sizeof(struct vmap_header) == BLOCK_BYTES, "header is one block");
_Static_assert(offsetof(struct vmap_header, live) == 64, "header layout");
_Static_assert(offsetof(struct vmap_header, journal) == 320, "header layout");
_Static_assert(offsetof(struct vmap_header, writes) == 464, "header layout");
_Static_assert(offsetof(struct vmap_header, dir_chunks) == 512, "header layout");

/* The three segmented tables. Element i of a table lives in chunk c. */
enum { TABLE_DIR, TABLE_FAR, TABLE_CRC, TABLES };

struct table_shape {
	uint32_t elem_bytes;
	uint32_t first_shift; /* chunk 0 holds 2^first_shift elements (one block) */
	uint32_t chunks_offset; /* offsetof(struct vmap_header, X_chunks) */
};

extern HIDDEN const struct table_shape vmi_table_shapes[TABLES];

/* The header word that holds the position of chunk c of a table (0: none). */
static inline uint64_t *chunk_position(const struct vmap_header *h, int table, unsigned c)
{
	return (uint64_t *)(void *)((char *)(void *)h + vmi_table_shapes[table].chunks_offset) + c;
}

static inline unsigned table_chunk_of(uint64_t i, unsigned first_shift, uint64_t *in_chunk)
{
	uint64_t q = (i >> first_shift) + 1;
	unsigned c = (unsigned)(63 - __builtin_clzll(q));
	*in_chunk = i - ((((uint64_t)1 << c) - 1) << first_shift);
	return c;
}

/* ---- the handle ---------------------------------------------------------- */

/* window.c: the group cache and the slot window of a handle's readers. */
struct cache_array;
HIDDEN void vmi_groups_learn(const vmap *m, uint64_t g, uint64_t groups, uint64_t first_key);
HIDDEN const uint32_t *vmi_groups_known_slots(const vmap *m, uint64_t g, const char **base,
					  uint64_t *room);
HIDDEN void vmi_groups_premap(const vmap *m, uint64_t g, uint64_t n, uint64_t pos,
			      uint64_t first_key);
HIDDEN void vmi_groups_free(vmap *m);

struct vmap {
	/*
	 * What vmap_get touches, first, as vmap_get_inline() in vmap.h reads it:
	 * the newest cache (atomic, window.c), count = &view->count, trusted
	 * (an in-memory map: every byte written by us), len_bias (format 2).
	 */
	struct vmap_fast fast;
	struct vmap_state *view;       /* &hdr->live, or &hdr->synced after a restart */
	struct cache_array *cache;     /* every cache array, newest first */
	struct vmap_header *hdr;       /* at position 0 */
	uintptr_t ext_base[EXTENTS];   /* atomic; 0 = not mapped */
	uintptr_t table_addr[TABLES][TABLE_CHUNKS]; /* atomic; validated chunk addresses */
	uint64_t limit;                /* atomic; positions below are safe to touch */
	struct span *spans;            /* atomic; values mapped whole (span.c) */
	unsigned span_count;           /* under map_lock */
	int values_may_span;           /* format version 2 or later */
	int fd;                        /* the file, or a memfd for in-memory maps */
	int anon;                      /* in-memory: no name, no lock, no sync */
	int read_only;
	size_t page;
	pthread_mutex_t map_lock;      /* serialises the slow path of readers */
	/* writer only */
	uint64_t file_bytes;           /* reserved file size */
	uint64_t file_bytes_found;     /* the file's size when we opened it */
	uint64_t reserved;             /* positions below are mapped and backed */
	uint64_t populated;            /* positions below have their pages */
	/* the fast append (write.c): counts in [fast_lo, fast_lo + fast_span)
	 * go to the current group, whose values may end up to fast_limit */
	uint64_t fast_lo, fast_span, fast_limit;
	uint32_t *group_slots;
	uint64_t group_base;
	uint64_t writes;               /* the header's count of writes, even */
	unsigned char boot[16];        /* this boot's id, if known */
	int have_boot;
};

/* ---- stored words, and this process's own memory -------------------------- */

/*
 * Every integer of the format is little-endian in place (docs/FORMAT.md)
 * and is read and written with these, atomically, so that readers in other
 * threads and processes never see a torn word: LOAD and STORE relaxed,
 * LOAD_ACQ and STORE_REL where the site says what they pair with. A
 * big-endian host swaps the bytes on the way; on a little-endian one LE()
 * is nothing at all. MLOAD... are the same atomics on this process's own
 * memory (the handle, its caches), which keeps the host's byte order.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define LE_SWAP(x) (sizeof(x) == 8   ? __builtin_bswap64((uint64_t)(x))  \
		    : sizeof(x) == 4 ? __builtin_bswap32((uint32_t)(x))  \
				     : (uint64_t)(x))
#else
#define LE_SWAP(x) (x)
#endif
#define LE(x) ((__typeof__(x))LE_SWAP(x))

#define LOAD(p) LE(__atomic_load_n((p), __ATOMIC_RELAXED))
#define LOAD_ACQ(p) LE(__atomic_load_n((p), __ATOMIC_ACQUIRE))
#define STORE(p, v) __atomic_store_n((p), LE((__typeof__(*(p)))(v)), __ATOMIC_RELAXED)
#define STORE_REL(p, v) __atomic_store_n((p), LE((__typeof__(*(p)))(v)), __ATOMIC_RELEASE)

#define MLOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define MLOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define MSTORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define MSTORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* ---- positions to addresses (space.c) ------------------------------------ */

HIDDEN int vmi_space_map_extent(vmap *m, unsigned k);
HIDDEN int vmi_space_refresh(const vmap *m, uint64_t need_end);
HIDDEN int vmi_space_map_upto(const vmap *m, uint64_t end);
HIDDEN int vmi_space_reserve(vmap *m, uint64_t end);
HIDDEN void vmi_space_populate(vmap *m, uint64_t end);
HIDDEN void vmi_space_unmap_all(vmap *m);
HIDDEN int vmi_space_total_bytes(const vmap *m, uint64_t *total);

/*
 * vmi_at - the address of [pos, pos + len), or NULL when that range is not
 * inside one extent and below the safe limit. Every read of stored positions
 * goes through here, so a hostile file cannot send a reader outside the file.
 * position_at says why: VMAP_ECORRUPT (not in the file) or a mapping error.
 */
static inline int position_at(const vmap *m, uint64_t pos, uint64_t len, char **at)
{
	unsigned k = extent_of(pos);
	uintptr_t base;
	if (k >= EXTENTS || len > extent_end(k) - pos)
		return VMAP_ECORRUPT;
	/* both pair with space.c's releases: a base seen is mapped, a limit
	 * seen is covered by extents and file */
	base = MLOAD_ACQ(&m->ext_base[k]);
	if (!base || pos + len > MLOAD_ACQ(&m->limit)) {
		int err = vmi_space_refresh(m, pos + len);
		if (err)
			return err == -EFAULT ? VMAP_ECORRUPT : err; /* past the file, or no memory */
		base = MLOAD_ACQ(&m->ext_base[k]);
	}
	*at = (char *)(base + (uintptr_t)(pos - extent_start(k)));
	return 0;
}

static inline char *vmi_at(const vmap *m, uint64_t pos, uint64_t len)
{
	char *at;
	return position_at(m, pos, len, &at) ? NULL : at;
}

/* span.c: values that cross an extent boundary (format version 2). */
HIDDEN int vmi_span_at(const vmap *m, uint64_t pos, uint64_t len, const char **at);
HIDDEN void vmi_span_free_all(vmap *m);

/*
 * value_at - the address of a value's bytes [pos, pos + len) (its NUL
 * included): position_at() when they lie in one extent, else a span.
 */
static inline int value_at(const vmap *m, uint64_t pos, uint64_t len, const char **at)
{
	unsigned k = extent_of(pos);
	char *p = NULL;
	int err;
	if (k < EXTENTS && len > extent_end(k) - pos)
		return vmi_span_at(m, pos, len, at);
	err = position_at(m, pos, len, &p);
	*at = p;
	return err;
}

/* The writer's own positions are trusted: no checks. */
static inline char *vmi_ptr(const vmap *m, uint64_t pos)
{
	unsigned k = extent_of(pos);
	return (char *)(m->ext_base[k] + (uintptr_t)(pos - extent_start(k)));
}

/* ---- tables (table.c) ----------------------------------------------------- */

HIDDEN void *vmi_table_elem(const vmap *m, int table, uint64_t i);
HIDDEN uint64_t vmi_table_capacity(const vmap *m, int table);
HIDDEN void vmi_table_forget(vmap *m);
HIDDEN int vmi_table_chunks_validate(const vmap *m);

/* ---- header (header.c) ---------------------------------------------------- */

HIDDEN void vmi_header_init(struct vmap_header *h);
HIDDEN int vmi_header_validate(const struct vmap_header *h, uint64_t file_bytes);
HIDDEN int vmi_state_validate(const struct vmap_state *s, uint64_t limit);
HIDDEN int vmi_stored_state_validate(const struct vmap_state *stored, uint64_t limit);
HIDDEN void vmi_state_store(struct vmap_state *dst, const struct vmap_state *src);
HIDDEN void vmi_state_load(struct vmap_state *dst, const struct vmap_state *src);

/* ---- journal.c: the write in progress ------------------------------------ */

HIDDEN void vmi_journal_begin(vmap *m, uint32_t kind, uint64_t index, uint32_t slot_new,
			  uint64_t value_bytes_after);
HIDDEN void vmi_journal_fast(vmap *m, uint64_t count, uint64_t bytes, size_t len);
HIDDEN void vmi_journal_end(vmap *m);
HIDDEN int vmi_journal_validate(const struct vmap_journal *j, uint64_t limit);
HIDDEN void vmi_journal_finish(vmap *m);

/* ---- crc32c.c ------------------------------------------------------------- */

HIDDEN uint32_t vmi_crc32c(uint32_t crc, const void *buf, size_t len);

/* ---- sync.c: durability ---------------------------------------------------- */

HIDDEN int vmi_sync_flush(vmap *m);
HIDDEN int vmi_sync_as_write(vmap *m);
HIDDEN void vmi_refresh_prefix_crcs(vmap *m);

/* ---- recover.c: after a crash, a restart, a failed write ------------------ */

HIDDEN int vmi_recover_writer(vmap *m);
HIDDEN int vmi_restarted_since_write(const vmap *m);
HIDDEN void vmi_rollback_to(vmap *m, const struct vmap_state *to);

/* ---- read.c ---------------------------------------------------------------- */

/* A value found from its slot: where its bytes are mapped and where they lie. */
struct value_ref {
	const char *p;
	uint64_t pos; /* position of the first byte */
	size_t len;   /* the NUL not counted */
};

/* The one walk from an index to its directory entry and slot (0 or an error). */
HIDDEN int vmi_slot_find(const vmap *m, uint64_t index, const struct vmap_dir_entry **d,
		     uint32_t **slot);
/* The value a slot names: 0, -ENOENT (removed), VMAP_ECORRUPT, a mapping error. */
HIDDEN int vmi_value_find(const vmap *m, const struct vmap_dir_entry *d, uint32_t slot,
		      struct value_ref *v);
HIDDEN const struct vmap_dir_entry *vmi_dir_entry(const vmap *m, uint64_t g);

/* ---- write.c -------------------------------------------------------------- */

HIDDEN void vmi_seal_block(vmap *m, uint64_t block);
HIDDEN void vmi_write_begin(vmap *m); /* the header's write count: odd while writing */
HIDDEN void vmi_write_end(vmap *m);

#endif /* VMAP_INTERNAL_H */
