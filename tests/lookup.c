/* SPDX-License-Identifier: MIT */
/*
 * lookup.c - vmap_lookup and vmap_check_key: absence is told from damage.
 * A key never appended, out of range or removed is -ENOENT; a key whose
 * stored positions or bytes are damaged is VMAP_ECORRUPT (vmap_get gives
 * NULL for both); vmap_check_key also finds a flipped byte inside a sealed
 * block. Damage is made through the library's own mapping of the map.
 */
#define _GNU_SOURCE
#include "testutil.h"
#include "internal.h"

#include <errno.h>
#include <inttypes.h>

#define FIRST 100

/* keys 100..: "alpha", "", "n\0l" (far), 2000 bytes (far), "omega" */
static void fill(struct tu_fx *fx)
{
	static char big[2000];
	memset(big, 'b', sizeof big);
	assert_int_equal(vmap_append(fx->m, FIRST, "alpha", 5), 0);
	tu_model_append(&fx->md, FIRST, "alpha", 5);
	tu_fx_append(fx, "", 0);
	tu_fx_append(fx, "n\0l", 3);
	tu_fx_append(fx, big, sizeof big);
	tu_fx_append(fx, "omega", 5);
}

static void assert_absent(const vmap *m, uint64_t key)
{
	const char *val = (const char *)&val;
	size_t len = 12345;
	assert_int_equal(vmap_lookup(m, key, &val, &len), -ENOENT);
	assert_ptr_equal(val, (const char *)&val); /* untouched */
	assert_int_equal(len, 12345);
	assert_int_equal(vmap_check_key(m, key), -ENOENT);
}

static void test_lookup_live_and_absent(void **state)
{
	struct tu_fx *fx = *state;
	const char *val;
	size_t len;

	assert_absent(fx->m, 0);
	assert_absent(fx->m, FIRST);
	fill(fx);
	assert_int_equal(vmap_remove(fx->m, FIRST + 4), 0);
	tu_model_remove(&fx->md, FIRST + 4);
	for (uint64_t key = FIRST; key < FIRST + 4; key++) {
		size_t get_len;
		const char *p = vmap_get(fx->m, key, &get_len);
		assert_int_equal(vmap_lookup(fx->m, key, &val, &len), 0);
		assert_ptr_equal(val, p);
		assert_int_equal(len, get_len);
		assert_int_equal(vmap_lookup(fx->m, key, &val, NULL), 0);
		assert_int_equal(vmap_check_key(fx->m, key), 0);
	}
	assert_absent(fx->m, FIRST + 4); /* removed */
	assert_absent(fx->m, FIRST - 1);
	assert_absent(fx->m, FIRST + 5);
	assert_absent(fx->m, 0);
	assert_absent(fx->m, UINT64_MAX);
	assert_int_equal(vmap_lookup(NULL, FIRST, &val, &len), -EINVAL);
	assert_int_equal(vmap_lookup(fx->m, FIRST, NULL, &len), -EINVAL);
	assert_int_equal(vmap_check_key(NULL, FIRST), -EINVAL);
	tu_fx_reopen(fx);
	assert_int_equal(vmap_lookup(fx->m, FIRST + 3, &val, &len), 0);
	assert_int_equal(len, 2000);
	assert_absent(fx->m, FIRST + 4);
}

/* The slot of a key, and the first byte of its value, as the library sees them. */
static uint32_t *slot_of(const vmap *m, uint64_t key)
{
	const struct vmap_dir_entry *d;
	uint32_t *slot;
	assert_int_equal(vmi_slot_find(m, key - vmap_first_key(m), &d, &slot), 0);
	return slot;
}

static uint64_t value_pos(const vmap *m, uint64_t key)
{
	const struct vmap_dir_entry *d;
	struct value_ref v;
	uint32_t *slot;
	assert_int_equal(vmi_slot_find(m, key - vmap_first_key(m), &d, &slot), 0);
	assert_int_equal(vmi_value_find(m, d, LOAD(slot), &v), 0);
	return v.pos;
}

static void expect_damaged(const vmap *m, uint64_t key, const char *what)
{
	const char *val;
	size_t len;
	struct vmap_stat st;
	int err = vmap_lookup(m, key, &val, &len);
	if (err != VMAP_ECORRUPT)
		fail_msg("%s: vmap_lookup(%" PRIu64 ") = %d, expected VMAP_ECORRUPT", what, key, err);
	/* the fast get of an in-memory map skips the terminator (vmap.h) */
	assert_int_equal(vmap_stat(m, &st), 0);
	if (st.file_backed)
		assert_null(vmap_get(m, key, NULL));
	assert_int_equal(vmap_check_key(m, key), VMAP_ECORRUPT);
	assert_int_equal(vmap_check(m), VMAP_ECORRUPT);
}

static void test_lookup_tells_damage(void **state)
{
	struct tu_fx *fx = *state;
	uint32_t *slot, saved;
	struct vmap_far *rec;
	char *nul;
	uint64_t pos;

	fill(fx);
	/* an inline value without its NUL */
	nul = vmi_at(fx->m, value_pos(fx->m, FIRST) + 5, 1);
	*nul = 'X';
	expect_damaged(fx->m, FIRST, "inline value without its NUL");
	*nul = '\0';
	/* an inline offset past the end of the file */
	slot = slot_of(fx->m, FIRST + 4);
	saved = LOAD(slot);
	STORE(slot, slot_inline(SLOT_WINDOW - 1, 5, fx->m->fast.len_bias));
	expect_damaged(fx->m, FIRST + 4, "inline offset past the file");
	STORE(slot, saved);
	/* a far index with no record */
	slot = slot_of(fx->m, FIRST + 2);
	saved = LOAD(slot);
	STORE(slot, SLOT_FAR | 1000);
	expect_damaged(fx->m, FIRST + 2, "far index past far_count");
	STORE(slot, saved);
	/* a far record pointing past the file */
	rec = vmi_table_elem(fx->m, TABLE_FAR, LOAD(slot) & ~SLOT_FAR);
	pos = LOAD(&rec->pos);
	STORE(&rec->pos, (uint64_t)1 << 40);
	expect_damaged(fx->m, FIRST + 2, "far record past the file");
	STORE(&rec->pos, pos);
	/* every other key stays readable, and everything is whole again */
	tu_model_assert(fx->m, &fx->md);
}

/* A flipped byte in a sealed block: the lookup sees intact positions and
 * returns the bytes; vmap_check_key compares them with the block's CRC. */
static void test_check_key_finds_flipped_bytes(void **state)
{
	struct tu_fx *fx = *state;
	char buf[TU_VALUE_CAP + 1];
	uint64_t key = 0, pos = 0;
	const char *val;
	size_t len;
	char *p;

	for (int i = 0; i < 3000; i++)
		tu_fx_append(fx, buf, tu_value(tu_model_next(&fx->md), 0, buf));
	/* a value of some length, early: its blocks are sealed */
	for (key = fx->md.first + 10; key < fx->md.first + 1000; key++)
		if (tu_model_get(&fx->md, key)->len > 10)
			break;
	pos = value_pos(fx->m, key) + 3;
	p = vmi_at(fx->m, pos, 1);
	*p ^= 0x20;
	assert_int_equal(vmap_lookup(fx->m, key, &val, &len), 0);
	assert_int_equal(vmap_check_key(fx->m, key), VMAP_ECORRUPT);
	assert_int_equal(vmap_check_key(fx->m, fx->md.first + 2900), 0);
	assert_int_equal(vmap_check(fx->m), VMAP_ECORRUPT);
	*p ^= 0x20;
	assert_int_equal(vmap_check_key(fx->m, key), 0);
	assert_int_equal(vmap_check(fx->m), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_BOTH(test_lookup_live_and_absent),
		TU_BOTH(test_lookup_tells_damage),
		TU_BOTH(test_check_key_finds_flipped_bytes),
	};
	tu_seed();
	return cmocka_run_group_tests_name("lookup", tests, NULL, NULL);
}
