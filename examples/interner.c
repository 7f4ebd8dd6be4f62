/* SPDX-License-Identifier: MIT */
/*
 * interner.c - a string interner: every distinct word gets a small integer
 * id (0, 1, 2, ... in order of first appearance) and is stored once.
 *
 * The ids are dense and handed out in order, so the vector_map is the
 * id -> word table, and a word's bytes stay put for as long as the map is
 * open: a program can keep the pointer vmap_get returns instead of a copy.
 * The way back, word -> id, is a hash table that holds only ids (4 bytes a
 * slot) and compares through vmap_get.
 *
 *   interner < TEXT
 *
 * prints each line of TEXT as the ids of its words, then the table.
 */
#define _POSIX_C_SOURCE 200809L
#include <vmap.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct interner {
	vmap *words;    /* id -> word */
	uint32_t *slot; /* id + 1, or 0 for an empty slot */
	size_t size;    /* slots: a power of two, at least twice the words */
};

static uint64_t hash(const char *s, size_t len) /* FNV-1a */
{
	uint64_t h = 0xcbf29ce484222325u;

	while (len--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3u;
	return h;
}

/* The slot that holds word, or the empty one where it would go. */
static uint32_t *find(const struct interner *in, const char *word, size_t len)
{
	size_t i = hash(word, len) & (in->size - 1);

	for (;; i = (i + 1) & (in->size - 1)) {
		size_t have;
		const char *w;

		if (!in->slot[i])
			return &in->slot[i];
		w = vmap_get(in->words, in->slot[i] - 1, &have);
		if (w && have == len && memcmp(w, word, len) == 0)
			return &in->slot[i];
	}
}

static int grow(struct interner *in)
{
	struct interner bigger = {in->words, NULL, in->size * 2};
	uint64_t end = vmap_next_key(in->words);

	bigger.slot = calloc(bigger.size, sizeof *bigger.slot);
	if (!bigger.slot)
		return -ENOMEM;
	for (uint64_t id = 0; id < end; id++) {
		size_t len;
		const char *w = vmap_get(in->words, id, &len);

		*find(&bigger, w, len) = (uint32_t)id + 1;
	}
	free(in->slot);
	*in = bigger;
	return 0;
}

/* The id of word, added if new; or a negative code (vmap_strerror). */
static int64_t intern(struct interner *in, const char *word, size_t len)
{
	uint64_t id = vmap_next_key(in->words); /* 0 when empty: ids start at 0 */
	uint32_t *slot = find(in, word, len);
	int rc;

	if (*slot)
		return *slot - 1;
	if (id >= UINT32_MAX)
		return -EOVERFLOW;
	rc = vmap_append(in->words, id, word, len);
	if (rc < 0)
		return rc;
	*slot = (uint32_t)id + 1;
	if (2 * (id + 1) > in->size && (rc = grow(in)) < 0)
		return rc;
	return (int64_t)id;
}

static int intern_line(struct interner *in, char *line)
{
	const char *sep = " \t\r\n";
	const char *lead = "";

	for (char *w = strtok(line, sep); w; w = strtok(NULL, sep)) {
		int64_t id = intern(in, w, strlen(w));

		if (id < 0)
			return (int)id;
		printf("%s%lld", lead, (long long)id);
		lead = " ";
	}
	printf("\n");
	return 0;
}

int main(void)
{
	struct interner in = {NULL, NULL, 16};
	char *line = NULL;
	size_t cap = 0;
	int rc = vmap_new(&in.words);

	in.slot = calloc(in.size, sizeof *in.slot);
	if (rc == 0 && !in.slot)
		rc = -ENOMEM;
	while (rc == 0 && getline(&line, &cap, stdin) > 0)
		rc = intern_line(&in, line);
	if (rc == 0 && ferror(stdin))
		rc = -EIO;
	if (rc == 0) {
		uint64_t end = vmap_next_key(in.words);

		printf("%llu distinct words\n", (unsigned long long)end);
		for (uint64_t id = 0; id < end; id++)
			printf("%llu %s\n", (unsigned long long)id, vmap_get(in.words, id, NULL));
	} else {
		fprintf(stderr, "interner: %s\n", vmap_strerror(rc));
	}
	free(line);
	free(in.slot);
	vmap_close(in.words);
	return rc < 0;
}
