/* SPDX-License-Identifier: MIT */
/*
 * crc.c - the block checksum is CRC-32C whatever path computes it: the
 * published check value, and agreement with a bit-at-a-time reference on
 * buffers of every length around the three-stripe step (4080 bytes), at
 * every alignment, and split into pieces (vmi_crc32c(vmi_crc32c(0, A), B)).
 */
#include "testutil.h"
#include "internal.h"

#include <inttypes.h>

static uint32_t reference(uint32_t crc, const unsigned char *p, size_t len)
{
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
	}
	return ~crc;
}

static void test_check_value(void **state)
{
	(void)state;
	assert_int_equal(vmi_crc32c(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(vmi_crc32c(0, "", 0), 0);
}

static void test_matches_reference(void **state)
{
	struct tu_rng r = {tu_case_seed("crc")};
	size_t max = 3 * 4096 + 64;
	unsigned char *buf = malloc(max + 8);
	const size_t lens[] = {0, 1, 7, 8, 9, 4079, 4080, 4081, 4095, 4096, 4097, 8160, 8192, 12288};

	(void)state;
	tu_fill(&r, buf, max + 8);
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		for (size_t align = 0; align < 8; align++) {
			const unsigned char *p = buf + align;
			uint32_t want = reference(0, p, lens[i]);
			if (vmi_crc32c(0, p, lens[i]) != want)
				fail_msg("%zu bytes at offset %zu: %#x, expected %#x", lens[i], align,
					 vmi_crc32c(0, p, lens[i]), want);
		}
	}
	for (int n = 0; n < 2000; n++) {
		size_t len = (size_t)tu_below(&r, max), cut = (size_t)tu_below(&r, len + 1);
		uint32_t want = reference(0, buf, len);
		assert_int_equal(vmi_crc32c(0, buf, len), want);
		assert_int_equal(vmi_crc32c(vmi_crc32c(0, buf, cut), buf + cut, len - cut), want);
	}
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_ONE(test_check_value),
		TU_ONE(test_matches_reference),
	};
	tu_seed();
	return cmocka_run_group_tests_name("crc", tests, NULL, NULL);
}
