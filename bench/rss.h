/* SPDX-License-Identifier: MIT */
/* rss.h - resident memory of this process. */
#ifndef BENCH_RSS_H
#define BENCH_RSS_H

#include <stdint.h>

/*
 * Resident bytes of this process (anonymous and file pages), from
 * /proc/self/statm; 0 when it cannot be read.
 */
uint64_t rss_bytes(void);

#endif
