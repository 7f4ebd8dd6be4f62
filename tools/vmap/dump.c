/* SPDX-License-Identifier: MIT */
/*
 * dump.c - write and read the dump format (see cli.h for the grammar).
 *
 * Example: keys 5..7 where 6 was removed and 7 holds "a\nb":
 *
 *   vmap-dump 1\n
 *   +5,3:one\n
 *   -6\n
 *   +7,3:a\nb\n      (the three value bytes are 'a', newline, 'b')
 *   \n
 *
 * The length prefix makes any byte legal in a value, so a dump is
 * binary-safe while staying readable for text values.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"

void dump_write_header(void)
{
	char head[32];
	int n = snprintf(head, sizeof head, "vmap-dump %d\n", DUMP_VERSION);

	out_bytes(head, (size_t)n);
}

void dump_write_live(uint64_t key, const char *val, size_t len)
{
	char head[48];
	int n = snprintf(head, sizeof head, "+%" PRIu64 ",%zu:", key, len);

	out_bytes(head, (size_t)n);
	out_bytes(val, len);
	out_bytes("\n", 1);
}

void dump_write_hole(uint64_t key)
{
	char line[32];
	int n = snprintf(line, sizeof line, "-%" PRIu64 "\n", key);

	out_bytes(line, (size_t)n);
}

void dump_write_end(void)
{
	out_bytes("\n", 1);
}

static int bad(struct dump_reader *r, const char *why)
{
	cli_warn("dump input: byte %" PRIu64 ": %s", r->offset, why);
	return -EINVAL;
}

static int next_byte(struct dump_reader *r)
{
	int c = getc(r->in);

	if (c != EOF)
		r->offset++;
	return c;
}

/* A decimal number ended by the byte `stop`; at most 20 digits. */
static int read_number(struct dump_reader *r, int stop, uint64_t *out)
{
	uint64_t value = 0;
	int digits = 0;
	int c;

	while ((c = next_byte(r)) >= '0' && c <= '9') {
		unsigned d = (unsigned)(c - '0');

		if (value > (UINT64_MAX - d) / 10)
			return bad(r, "number too large");
		value = value * 10 + d;
		digits++;
	}
	if (digits == 0 || c != stop)
		return bad(r, c == EOF ? "unexpected end of input" : "malformed record");
	*out = value;
	return 0;
}

static int read_value(struct dump_reader *r, uint64_t len)
{
	/* Refuse before allocating: a hostile length must not exhaust memory. */
	if (len > VMAP_VALUE_MAX)
		return bad(r, "value longer than VMAP_VALUE_MAX");
	if (len + 1 > r->cap) {
		char *grown = realloc(r->buf, len + 1);

		if (!grown)
			return -ENOMEM;
		r->buf = grown;
		r->cap = len + 1;
	}
	if (fread(r->buf, 1, len, r->in) != len)
		return bad(r, ferror(r->in) ? "read error" : "unexpected end of input");
	r->offset += len;
	if (next_byte(r) != '\n')
		return bad(r, "value not followed by a newline");
	return 0;
}

static int read_end(struct dump_reader *r, struct dump_record *rec)
{
	if (next_byte(r) != EOF)
		return bad(r, "data after the end of the dump");
	rec->kind = DUMP_END;
	return 0;
}

/* The first line: "vmap-dump 1". Another version is named as such. */
static int read_header(struct dump_reader *r)
{
	static const char magic[] = "vmap-dump ";
	uint64_t version;

	for (size_t i = 0; i < sizeof magic - 1; i++) {
		if (next_byte(r) != magic[i]) {
			cli_warn("dump input: not a vmap dump: the first line must be "
				 "'vmap-dump %d'", DUMP_VERSION);
			return -EINVAL;
		}
	}
	if (read_number(r, '\n', &version) < 0)
		return -EINVAL;
	if (version != DUMP_VERSION) {
		cli_warn("dump input: dump format version %" PRIu64 "; this vmap "
			 "reads version %d", version, DUMP_VERSION);
		return -EINVAL;
	}
	r->started = 1;
	return 0;
}

int dump_read(struct dump_reader *r, struct dump_record *rec)
{
	uint64_t len;
	int c, err;

	if (!r->started && (err = read_header(r)) < 0)
		return err;
	c = next_byte(r);

	switch (c) {
	case '+':
		rec->kind = DUMP_LIVE;
		if ((err = read_number(r, ',', &rec->key)) < 0 ||
		    (err = read_number(r, ':', &len)) < 0 ||
		    (err = read_value(r, len)) < 0)
			return err;
		rec->val = r->buf;
		rec->len = (size_t)len;
		return 0;
	case '-':
		rec->kind = DUMP_HOLE;
		return read_number(r, '\n', &rec->key);
	case '\n':
		return read_end(r, rec);
	case EOF:
		return bad(r, ferror(r->in) ? "read error"
					    : "unexpected end of input (no final empty line)");
	default:
		return bad(r, "expected '+', '-' or an empty line");
	}
}

void dump_reader_free(struct dump_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}
