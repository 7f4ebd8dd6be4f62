/* SPDX-License-Identifier: MIT */
/*
 * crc32c.c - CRC-32C (Castagnoli), the checksum of sealed blocks.
 *
 * Castagnoli rather than the zlib polynomial because x86-64 (SSE4.2) and
 * ARMv8 compute it in hardware; we use the x86 instruction when the CPU has
 * it and a table otherwise. Same result either way: crc32c("123456789") is
 * 0xe3069283.
 */
#include "internal.h"

#define POLY 0x82f63b78u /* reflected Castagnoli polynomial */

static uint32_t table[8][256];
static int use_hardware;
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
		w ^= crc;
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
__attribute__((target("sse4.2"))) static uint32_t crc_hard(uint32_t crc, const unsigned char *p,
							     size_t len)
{
	uint64_t c = crc;
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		c = __builtin_ia32_crc32di(c, w);
		p += 8;
		len -= 8;
	}
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
	__builtin_cpu_init();
	use_hardware = __builtin_cpu_supports("sse4.2");
#endif
}

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
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
