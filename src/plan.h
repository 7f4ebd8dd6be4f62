/* SPDX-License-Identifier: MIT */
/* plan.h - the first phase of a write (see plan.c). */
#ifndef VMAP_PLAN_H
#define VMAP_PLAN_H

#include "internal.h"

#define PLAN_CHUNKS 48
#define PLAN_SEALS 8

struct plan {
	struct vmap_state st; /* the state after the write */
	struct {
		int table;
		unsigned c;
		uint64_t pos;
	} chunks[PLAN_CHUNKS]; /* new table chunks */
	int nchunks;
	struct {
		uint64_t from, to; /* block numbers, to exclusive */
	} seals[PLAN_SEALS];
	int nseals;
	uint64_t data_pos, data_len;
	uint64_t new_run_pos, new_run_blocks; /* a slot run taken: zeroed by the write */
	uint64_t reserve_end; /* file space needed */
	int values_may_span;  /* format version 2: data may cross extents */
};

HIDDEN void vmi_plan_start(const vmap *m, struct plan *p);
HIDDEN int vmi_plan_slot_block(struct plan *p, uint64_t g, uint64_t *pos);
HIDDEN int vmi_plan_table_chunk(struct plan *p, int table, unsigned c);
HIDDEN int vmi_plan_table_elem(const vmap *m, struct plan *p, int table, uint64_t i);
HIDDEN int vmi_plan_crc_cover(const vmap *m, struct plan *p, uint64_t size);
HIDDEN uint64_t vmi_plan_predict(const struct plan *p, uint64_t size);
HIDDEN int vmi_plan_data(const vmap *m, struct plan *p, uint64_t size, uint64_t *pos);
HIDDEN int vmi_plan_reserve(vmap *m, struct plan *p);
HIDDEN int vmi_plan_value(vmap *m, struct plan *p, int far, size_t len, uint64_t *f, uint64_t *pos);
HIDDEN void vmi_plan_assert_sound(const struct plan *p);

#endif
