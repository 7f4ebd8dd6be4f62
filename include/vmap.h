/* SPDX-License-Identifier: MIT */
/*
 * vmap.h - vector_map: dense, consecutive integer keys mapped to byte strings.
 *
 * A vector_map stores the values for keys first, first+1, first+2, ... in
 * memory mapped blocks that hold only relative offsets, so the same bytes work
 * in anonymous memory (vmap_new) or in a file (vmap_open) mapped at any address.
 *
 *   vmap *m;
 *   vmap_new(&m);
 *   vmap_append(m, 7, "/dev", 4);          first key may be anything
 *   vmap_append(m, 8, "/dev/input", 10);   then exactly vmap_next_key(m)
 *   puts(vmap_get(m, 8, NULL));            "/dev/input"
 *   vmap_close(m);
 *
 * Errors
 *   Every function that can fail returns 0 or a negative code: a negated errno
 *   value or one of the VMAP_E* codes below (all below -4095, so they never
 *   collide with an errno). A call that fails leaves the map exactly as it was.
 *   The library never prints, aborts or exits.
 *
 * Concurrency: which calls may run at the same time on one map
 *
 *                      | get, first_key, next_key, | append, replace,  | close
 *                      | count, stat, check        | remove, sync      |
 *   -------------------+---------------------------+-------------------+------
 *   get, first_key ... | yes, no lock              | yes, no lock      | no
 *   append, replace... | yes, no lock              | no (one writer)   | no
 *   close              | no                        | no                | no
 *
 *   Readers never wait: a vmap_get beside an append returns NULL or the whole
 *   value, never part of it. The same holds across processes for file-backed
 *   maps: any number of read-only handles in any processes, and one writer
 *   handle per file (a second one gets -EBUSY). vmap_stat and vmap_count read
 *   several counters that a concurrent writer may be changing; each is exact
 *   once the writer is quiet.
 *
 * Pointer lifetime
 *   A pointer returned by vmap_get stays valid, with the same bytes, until
 *   vmap_close on that handle, even after the key is replaced or removed and
 *   however much is appended later: stored values never move.
 */
#ifndef VMAP_H
#define VMAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(VMAP_NO_VISIBILITY)
#define VMAP_API __attribute__((visibility("default")))
#else
#define VMAP_API
#endif

/*
 * The version of this header: MAJOR changes break the ABI (it is the number
 * in the SONAME, libvmap.so.MAJOR), MINOR adds to the API, PATCH fixes. The
 * build takes the library's version (SONAME, vmap.pc, the CMake package)
 * from these three lines; vmap_version() gives the one actually running.
 */
#define VMAP_VERSION_MAJOR 1
#define VMAP_VERSION_MINOR 1
#define VMAP_VERSION_PATCH 0

/* The library's own error codes; -4095..-1 belong to errno. */
#define VMAP_ESEQUENCE (-4096) /* key is not vmap_next_key() */
#define VMAP_ECORRUPT (-4097)  /* not a vector_map file, or damaged */
#define VMAP_EVERSION (-4098)  /* a format version this build cannot read */
#define VMAP_ENOTFILE (-4099)  /* not a regular file: a device, FIFO or socket */

/* vmap_open flags. */
#define VMAP_CREATE 0x1 /* create the file if missing, or set up an empty one */
#define VMAP_RDONLY 0x2 /* read only: never blocks the writer, never writes */

/*
 * Limits. A value may be up to VMAP_VALUE_MAX bytes (1 GiB); longer ones get
 * -EMSGSIZE. A map holds at most VMAP_SLOTS_MAX keys (appended ones, live or
 * removed) and its storage may grow to VMAP_BYTES_MAX; past either, appends
 * get -EOVERFLOW. Replacements and values that cannot be stored inline (see
 * docs/DESIGN.md) use "far" records, at most VMAP_FAR_MAX per map; past that
 * replace and append get -EOVERFLOW (compact the map with `vmap compact`).
 */
#define VMAP_VALUE_MAX ((size_t)1 << 30)
#define VMAP_SLOTS_MAX ((uint64_t)1 << 40)
#define VMAP_BYTES_MAX ((uint64_t)1 << 46)
#define VMAP_FAR_MAX ((uint64_t)0x7ffffffe)

typedef struct vmap vmap;

struct vmap_stat {
	uint64_t first_key;   /* as vmap_first_key() */
	uint64_t next_key;    /* as vmap_next_key() */
	uint64_t live;        /* keys with a value: vmap_count() */
	uint64_t removed;     /* keys removed (holes) */
	uint64_t value_bytes; /* sum of the lengths of the live values */
	uint64_t total_bytes; /* memory (in-memory map) or file bytes it occupies */
	uint64_t used_bytes;  /* bytes of storage in use (<= total_bytes) */
	uint64_t far_values;  /* far records: replacements and out-of-line values */
	uint32_t page_size;   /* memory page size of this machine */
	uint32_t format_version; /* file format version (also for memory maps) */
	int file_backed;      /* 1 for vmap_open, 0 for vmap_new */
	int read_only;        /* 1 for a VMAP_RDONLY handle */
};

/*
 * vmap_new - create an empty map in memory (*out is NULL on failure). The memory is an unnamed file
 * (memfd) mapped shared, which takes no memory until a page is written; after
 * fork() parent and child therefore see the same map: use it from one side.
 * On success *out is the new map. Errors: -EINVAL (out is NULL), -ENOMEM,
 * -EMFILE (no file descriptor left), -EFBIG (RLIMIT_FSIZE).
 * Thread safety: independent maps are independent.
 */
VMAP_API int vmap_new(vmap **out);

/*
 * vmap_open - open (or with VMAP_CREATE create) a file-backed map. On failure
 * *out is set to NULL (if out is not NULL), so vmap_close(*out) is harmless.
 * flags: 0 (read-write), VMAP_CREATE, VMAP_RDONLY; VMAP_CREATE|VMAP_RDONLY is
 * -EINVAL. Opening costs O(1) whatever the number of entries.
 * A read-write handle is the file's one writer: a second writer, in this or any
 * process, gets -EBUSY; readers are never blocked and see later appends without
 * reopening. If the machine restarted since the file was last written, the map
 * is rolled back to its last vmap_sync (see docs/FORMAT.md, "Recovery").
 * A new file is of format version 2; a version 1 file (from 1.0) stays at
 * version 1, written so that 1.0 readers can still read it.
 * Errors: -EINVAL (NULL out or path, bad flags), -ENOENT (missing file without
 * VMAP_CREATE), -EISDIR (path is a directory), VMAP_ENOTFILE (a device, FIFO
 * or socket: open never blocks on a FIFO), VMAP_ECORRUPT (empty or foreign
 * file without VMAP_CREATE, or a damaged header), VMAP_EVERSION, -EBUSY,
 * -EACCES and other open(2) errors, -ENOSPC/-EFBIG (no room to create),
 * -ENOMEM.
 */
VMAP_API int vmap_open(vmap **out, const char *path, int flags);

/*
 * vmap_close - release the handle, its mappings and (for a writer) its lock.
 * Pointers from vmap_get die here. A file-backed writer first gives back the
 * file space reserved ahead of need and syncs (as vmap_sync), so a closed map
 * survives power loss; a failure there is not reported (call vmap_sync first
 * to see it). Returns 0; m may be NULL (no-op). Must not run beside any other
 * call on m.
 */
VMAP_API int vmap_close(vmap *m);

/*
 * vmap_append - store val (len bytes, NULs allowed) under key.
 * key must be vmap_next_key(m), except for the first append of an empty map,
 * which may use any key. The stored copy is followed by a NUL. O(1) amortized;
 * nothing stored before moves.
 * Errors: -EINVAL (m NULL, or val NULL with len > 0), -EROFS (read-only),
 * VMAP_ESEQUENCE (gap, repeat, or key from the past), -EOVERFLOW (key space
 * ended after UINT64_MAX, or VMAP_SLOTS_MAX/VMAP_BYTES_MAX/VMAP_FAR_MAX
 * reached), -EMSGSIZE (len > VMAP_VALUE_MAX), -ENOMEM, -ENOSPC, -EFBIG.
 * Thread safety: one writer at a time; readers may run beside it.
 */
VMAP_API int vmap_append(vmap *m, uint64_t key, const void *val, size_t len);

/*
 * vmap_replace - give the live key a new value. The old value's bytes stay in
 * place (pointers to it remain valid) until close; `vmap compact` reclaims them.
 * For a file-backed map the new value is made durable before the key points to
 * it, so a power loss shows the old or the new value, never neither.
 * Errors: as vmap_append, plus -ENOENT (key not live: never appended, or
 * removed), and -EIO on a failed flush. Never VMAP_ESEQUENCE.
 */
VMAP_API int vmap_replace(vmap *m, uint64_t key, const void *val, size_t len);

/*
 * vmap_remove - make a live key a hole: vmap_get returns NULL for it from now
 * on; the key is never reused. Errors: -EINVAL, -EROFS, -ENOENT (not live).
 */
VMAP_API int vmap_remove(vmap *m, uint64_t key);

/*
 * vmap_sync - file-backed: every change made so far is on stable storage when
 * this returns, and survives power loss. In-memory: does nothing, returns 0.
 * Errors: -EINVAL, -EROFS, -EIO and the other errors of fdatasync(2).
 */
VMAP_API int vmap_sync(vmap *m);

/*
 * vmap_get - the value stored under key, or NULL if the key is not live (never
 * appended, removed, out of range, m NULL) or its stored bytes are damaged.
 * If len is not NULL it receives the value's length (the NUL not counted);
 * it is left untouched when NULL is returned. The bytes are followed by a NUL.
 * O(1). Lock-free; safe beside the writer, in this or another process.
 * Every position is checked, so a damaged or hostile file never sends it
 * outside the file; for an in-memory map, whose bytes only this library
 * writes, the common case skips the check of the terminating NUL. To tell
 * a missing key from a damaged one, use vmap_lookup.
 */
VMAP_API const char *vmap_get(const vmap *m, uint64_t key, size_t *len);

/*
 * vmap_get_inline - vmap_get, inlined into the caller (liburing-style): the
 * same contract, the same result, the same thread safety. For a short value
 * of a group this handle has read before it costs about fifteen instructions
 * and no call; anything else calls vmap_get_slow(), the library's checked
 * path. It reads the start of the handle through struct vmap_fast below, so
 * code that uses it must be rebuilt when the library's major version (its
 * SONAME) changes. Plain vmap_get() is the stable ABI.
 */
struct vmap_cache { /* private: what a reader knows of the groups (window.c) */
	const uint32_t *window;   /* the slot of index i is window[i] */
	const char *const *bases; /* group g's value base; NULL: not in the window */
	const uint64_t *rooms;    /* bytes past bases[g] a reader may touch */
	uint64_t groups;          /* entries of bases and rooms */
	uint64_t first_key;
};

struct vmap_fast { /* private: the first bytes of every handle */
	const struct vmap_cache *cache; /* in-memory maps, once a group is known */
	const uint64_t *count;
	int trusted;      /* in memory: every byte written by this library */
	unsigned len_bias; /* 1 since format version 2, 0 in version 1 */
};

/* vmap_get_slow - private: vmap_get_inline's way out; same contract as vmap_get. */
VMAP_API const char *vmap_get_slow(const vmap *m, uint64_t key, size_t *len);

#if defined(__SANITIZE_THREAD__)
#define VMAP_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define VMAP_UNDER_TSAN 1
#endif
#endif

#if defined(__GNUC__) && !defined(VMAP_NO_INLINE)
/*
 * A slot is a u32: bits 0..22 an offset from the group's base, bits 23..30
 * the length plus one (255: longer, go slow), bit 31 set for values kept
 * elsewhere; a zero slot means "nothing here" (format 2; in-memory maps are
 * always format 2). Every load is an acquire, paired with the release that
 * published the thing loaded (window.c for the cache, write.c for slots):
 * free on x86.
 */
static inline const char *vmap_get_inline(const vmap *m, uint64_t key, size_t *len)
{
	const struct vmap_fast *f = (const struct vmap_fast *)(const void *)m;
	const struct vmap_cache *c;
	const char *base;
	uint64_t index, group;
	uint32_t slot, n;

	if (!m)
		return NULL;
	/* NULL before the first group is known, and always for a file, where
	 * any byte may be hostile: the slow path checks every offset */
	c = __atomic_load_n(&f->cache, __ATOMIC_ACQUIRE);
	if (__builtin_expect(!c, 0))
		return vmap_get_slow(m, key, len);
	index = key - c->first_key;
	group = index >> 10;
	if (__builtin_expect(group >= c->groups, 0))
		return vmap_get_slow(m, key, len);
	base = __atomic_load_n(&c->bases[group], __ATOMIC_ACQUIRE);
	if (__builtin_expect(!base, 0))
		return vmap_get_slow(m, key, len);
#ifdef VMAP_UNDER_TSAN
	/* ThreadSanitizer cannot see that the window and the extent map the
	 * same bytes, so the slot's acquire means nothing to it: the count's
	 * (redundant here) shows it the order the writer kept */
	if (index >= __atomic_load_n(f->count, __ATOMIC_ACQUIRE))
		return vmap_get_slow(m, key, len);
#endif
	/* in memory: slots past the count are zero, so one compare sends
	 * zero, long, far and removed slots the slow way */
	slot = __atomic_load_n(&c->window[index], __ATOMIC_ACQUIRE);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	slot = __builtin_bswap32(slot); /* stored little-endian */
#endif
	if (__builtin_expect(slot - (1u << 23) >= (254u << 23), 0))
		return vmap_get_slow(m, key, len);
	n = (slot >> 23) - 1;
	if (len)
		*len = n;
	return base + (slot & 0x7fffff);
}
#else
static inline const char *vmap_get_inline(const vmap *m, uint64_t key, size_t *len)
{
	return vmap_get(m, key, len);
}
#endif

/*
 * vmap_get_many - vmap_get for n keys at once: vals[i] (and lens[i], unless
 * lens is NULL) receive what vmap_get(m, keys[i], &lens[i]) would give;
 * lens[i] is left untouched where vals[i] is NULL. The keys may be in any
 * order and may repeat. Returns how many of them have a value. Faster than
 * a loop of vmap_get for keys spread over a large map: it overlaps the
 * memory waits of many keys (prefetching their slots, then their values).
 * m, keys or vals NULL: returns 0 and writes nothing. Lock-free, safe beside
 * the writer as vmap_get; each key is answered as by one vmap_get.
 */
VMAP_API size_t vmap_get_many(const vmap *m, const uint64_t *keys, size_t n,
			      const char **vals, size_t *lens);

/*
 * vmap_lookup - vmap_get that says why there is no value. On success *val
 * (and *len, unless len is NULL) receive what vmap_get would return; on
 * failure they are left untouched. Returns 0; -ENOENT when the key has no
 * value (never appended, removed, or out of range); VMAP_ECORRUPT when its
 * stored positions or bytes are damaged (a slot or record that points
 * outside the file, a value without its NUL); -EINVAL (m or val NULL); or
 * -ENOMEM when the bytes could not be mapped. It does not verify checksums:
 * vmap_check_key does. O(1), lock-free, safe beside the writer as vmap_get.
 */
VMAP_API int vmap_lookup(const vmap *m, uint64_t key, const char **val, size_t *len);

/*
 * vmap_check_key - vmap_lookup's checks for one key, and also the CRC32C of
 * every sealed block its value lies in (the blocks still being filled have
 * no checksum yet). Returns 0 when the key has a value and it is whole,
 * -ENOENT, VMAP_ECORRUPT, -EINVAL or -ENOMEM as vmap_lookup. O(length of
 * the value). Safe beside the writer and other readers.
 */
VMAP_API int vmap_check_key(const vmap *m, uint64_t key);

/* vmap_first_key - the first key appended, or 0 for an empty map (or NULL). */
VMAP_API uint64_t vmap_first_key(const vmap *m);

/*
 * vmap_next_key - the key the next append must use: 0 for an empty map (or
 * NULL), and 0 once UINT64_MAX has been appended (the key space is spent).
 */
VMAP_API uint64_t vmap_next_key(const vmap *m);

/* vmap_count - the number of live keys (appended and not removed). */
VMAP_API uint64_t vmap_count(const vmap *m);

/*
 * vmap_stat - fill *st (see struct vmap_stat). Errors: -EINVAL (NULL argument),
 * or the error of fstat(2) on the file (such as -EIO), which leaves *st as it
 * was. Lock-free; beside a writer each field is exact once it is quiet.
 */
VMAP_API int vmap_stat(const vmap *m, struct vmap_stat *st);

/*
 * vmap_check - verify the whole map: header, every table, every stored offset,
 * every value's terminator and the CRC32C of every sealed block (and, once
 * the writer has synced or closed, of the two partly filled blocks). O(size).
 * Returns 0, VMAP_ECORRUPT, -EINVAL (m NULL), or -ENOMEM and other mmap(2)
 * and fstat(2) errors when it cannot look.
 * Safe beside readers and beside the writer, on its handle or any other, in
 * this or another process, and never calls a healthy map damaged: everything
 * the writer has published is verified whatever it is doing; the few words
 * it rewrites on every append (counters, free space, the checksums of the
 * blocks being filled) count only when no write overlapped the check. It
 * looks up to four times, a few milliseconds apart, for such a moment; beside
 * a writer that never pauses those words stay unverified (not reported).
 */
VMAP_API int vmap_check(const vmap *m);

/*
 * vmap_version - the version of the library running this call, as
 * "MAJOR.MINOR.PATCH" in decimal (for example "1.1.0"). It may differ from
 * the VMAP_VERSION_* macros a program was compiled with when a newer library
 * of the same major version was installed since: compare the two to learn
 * what the running library offers (functions added in 1.1 need 1.1 or later).
 * Never fails, never NULL; the string is static: do not free it. Added in 1.1.
 * Thread safety: any number of threads, at any time, with no map at all.
 */
VMAP_API const char *vmap_version(void);

/*
 * vmap_strerror - a short sentence for any code this library returns, errno
 * ones included; never NULL. The string is static: do not free it.
 */
VMAP_API const char *vmap_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* VMAP_H */
