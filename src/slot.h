/* SPDX-License-Identifier: MIT */
/*
 * slot.h - how a key's value is found: the slot, and the value it names.
 *
 * Every key has one u32 slot in its group's slot block (1024 slots, one
 * 4 KiB block); the group's directory entry says where the block is and the
 * base that inline offsets count from (docs/FORMAT.md, "Keys, groups and
 * slots"):
 *
 *    31 30          23 22                          0
 *   +--+--------------+-----------------------------+
 *   |0 | len + 1      | offset from the group base  |  inline, short
 *   |0 | 255          | offset from the group base  |  inline, 254..1024 bytes:
 *   +--+--------------+-----------------------------+  ends at its NUL
 *   |1 | far record index (31 bits)                 |  far: { pos, len }
 *   +--+--------------------------------------------+
 *   0xffffffff: removed            0: nothing here (not yet written)
 *
 * The value follows at base + offset (or at the far record's pos) with one
 * NUL after it. "len + 1" is format version 2 (format 1 stored len, and had
 * no "nothing here"); the bias is the handle's fast.len_bias.
 *
 * A real map, keys 7, 8, 9 = "/dev", "/dev/input", "/dev/shm", then key 8
 * replaced by "/dev/input/by-id" and key 9 removed (the example of
 * docs/FORMAT.md). Its directory entry is at 0x1000, its slots at 0x2000,
 * its values from 0x4000, its one far record at 0x5000:
 *
 *   00001000: 0020 0000 0000 0000 0030 0000 0000 0000  dir[0]: slots 0x2000,
 *                                                       base 0x3000
 *   00002000: 0010 8002 0000 0080 ffff ffff 0000 0000  slot 0 = 0x02801000:
 *             `-- key 7 `-- key 8 `-- key 9             off 0x1000, 5 = 4+1;
 *                                                       slot 1: far record 0;
 *                                                       slot 2: removed
 *   00004000: 2f64 6576 002f 6465 762f 696e 7075 7400  /dev. /dev/input.
 *             `- 0x3000 + 0x1000: key 7's 4 bytes and NUL; key 8's old value
 *   00004010: 2f64 6576 2f73 686d 002f 6465 762f 696e  /dev/shm. /dev/in
 *   00004020: 7075 742f 6279 2d69 6400 0000 0000 0000  put/by-id.
 *   00005000: 1940 0000 0000 0000 1000 0000 0000 0000  far[0]: pos 0x4019,
 *                                                       len 16: key 8 now
 */
#ifndef VMAP_SLOT_H
#define VMAP_SLOT_H

#include <stddef.h>
#include <stdint.h>

#define SLOT_FAR 0x80000000u
#define SLOT_REMOVED 0xffffffffu
#define SLOT_OFF_BITS 23
#define SLOT_WINDOW (1u << SLOT_OFF_BITS) /* inline values within 8 MiB of the base */
#define SLOT_LEN_LONG 255u

/* An inline slot for a value of len bytes at off from the base. */
static inline uint32_t slot_inline(uint64_t off, size_t len, unsigned bias)
{
	size_t code = len + bias < SLOT_LEN_LONG ? len + bias : SLOT_LEN_LONG;
	return (uint32_t)off | (uint32_t)code << SLOT_OFF_BITS;
}

static inline uint32_t slot_off(uint32_t slot)
{
	return slot & (SLOT_WINDOW - 1);
}

static inline uint32_t slot_code(uint32_t slot)
{
	return slot >> SLOT_OFF_BITS & 0xff;
}

/* The shortest length a long inline value may have. */
static inline uint32_t slot_long_min(unsigned bias)
{
	return SLOT_LEN_LONG - bias;
}

#endif
