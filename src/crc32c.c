/* SPDX-License-Identifier: MIT */
/*
 * crc32c.c - CRC-32C (Castagnoli), the checksum of sealed blocks.
 *
 * Castagnoli rather than the zlib polynomial because x86-64 (SSE4.2) and
 * ARMv8 compute it in hardware; we use the x86 instruction when the CPU has
 * it and a table otherwise. Same result either way: vmi_crc32c("123456789") is
 * 0xe3069283.
 */
#include "internal.h"

#define POLY 0x82f63b78u /* reflected Castagnoli polynomial */

static uint32_t table[8][256];
#if defined(__x86_64__)
static int use_hardware;
#endif
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ POLY : c >> 1;
		table[0][n] = c;
	}
	for (uint32_t n = 0; n < 256; n++)
		for (int t = 1; t < 8; t++)
			table[t][n] = (table[t - 1][n] >> 8) ^ table[0][table[t - 1][n] & 0xff];
}

/* Slicing by 8: eight table lookups per 8 bytes. */
static uint32_t crc_soft(uint32_t crc, const unsigned char *p, size_t len)
{
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		w = LE(w) ^ crc; /* the bytes in order, from the lowest */
		crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^
		      table[5][(w >> 16) & 0xff] ^ table[4][(w >> 24) & 0xff] ^
		      table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
		      table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
		p += 8;
		len -= 8;
	}
	while (len--)
		crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
	return crc;
}

#if defined(__x86_64__)
/*
 * One crc32 instruction waits for the one before: 3 cycles each, a 4 KiB
 * block in some 1,500 cycles. Three streams over three stripes of a block
 * run at once, and are joined by shifting a stripe's CRC over the bytes
 * that follow it: CRC is linear, so crc(c, A B) = shift_|B|(crc(c, A)) ^
 * crc(0, B), where shift_n(x) = crc(x, n zero bytes), a table per byte of x.
 */
#define STRIPE 1360u /* three stripes: a 4 KiB block but 16 bytes */
static uint32_t shift_table[4][256];

/* shift_STRIPE: the CRC register after STRIPE zero bytes, from x. */
static uint32_t shift_stripe(uint32_t x)
{
	return shift_table[0][x & 0xff] ^ shift_table[1][(x >> 8) & 0xff] ^
	       shift_table[2][(x >> 16) & 0xff] ^ shift_table[3][x >> 24];
}

/* shift_STRIPE is linear: its image of each bit, then of each byte value. */
static void build_shift_tables(void)
{
	static const unsigned char zeros[STRIPE];
	uint32_t bit[32];

	for (int i = 0; i < 32; i++)
		bit[i] = crc_soft(1u << i, zeros, STRIPE);
	for (int k = 0; k < 4; k++) {
		for (uint32_t b = 0; b < 256; b++) {
			uint32_t v = 0;
			for (int j = 0; j < 8; j++)
				if (b >> j & 1)
					v ^= bit[8 * k + j];
			shift_table[k][b] = v;
		}
	}
}

__attribute__((target("sse4.2"))) static uint64_t crc_word(uint64_t c, const unsigned char *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return __builtin_ia32_crc32di(c, w);
}

__attribute__((target("sse4.2"))) static uint32_t crc_hard(uint32_t crc, const unsigned char *p,
							     size_t len)
{
	uint64_t c = crc;
	while (len >= 3 * STRIPE) {
		uint64_t a = c, b = 0, d = 0;
		for (size_t i = 0; i < STRIPE; i += 8) {
			a = crc_word(a, p + i);
			b = crc_word(b, p + STRIPE + i);
			d = crc_word(d, p + 2 * STRIPE + i);
		}
		c = shift_stripe(shift_stripe((uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)d;
		p += 3 * STRIPE;
		len -= 3 * STRIPE;
	}
	for (; len >= 8; p += 8, len -= 8)
		c = crc_word(c, p);
	crc = (uint32_t)c;
	while (len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}
#endif

static void setup(void)
{
	build_tables();
#if defined(__x86_64__)
	build_shift_tables();
	__builtin_cpu_init();
	use_hardware = __builtin_cpu_supports("sse4.2");
#endif
}

uint32_t vmi_crc32c(uint32_t crc, const void *buf, size_t len)
{
	static int ready; /* set once setup has run: saves pthread_once per call */
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
		pthread_once(&once, setup);
		__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
	}
	crc = ~crc;
#if defined(__x86_64__)
	if (use_hardware)
		return ~crc_hard(crc, buf, len);
#endif
	return ~crc_soft(crc, buf, len);
}
