/* SPDX-License-Identifier: MIT */
/*
 * cli.h - shared pieces of the vmap command: exit codes, messages, key
 * parsing, the dump format and the temporary-file-then-rename helper.
 *
 * Every subcommand is one file (cmd_<name>.c) with one entry point
 * int cmd_<name>(int argc, char **argv) that returns an exit code; argv[0]
 * is the subcommand's name, so getopt_long works on it unchanged.
 */
#ifndef VMAP_CLI_H
#define VMAP_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <unistd.h> /* optind */

#include "vmap.h"

/* Exit codes, documented in man/vmap.1; the same scheme as cdb(1). */
enum {
	CLI_OK = 0,       /* success */
	CLI_NOTFOUND = 1, /* a key was not live, or check found damage */
	CLI_USAGE = 2,    /* bad arguments or malformed input */
	CLI_ERROR = 3 /* I/O or library error */
};

/* messages.c: everything goes to stderr prefixed with "vmap: ". */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "vmap: FILE: WHAT: <vmap_strerror(code)>"; returns the exit code for code. */
int cli_fail(const char *file, const char *what, int code);
int cli_usage(const char *command); /* short hint, returns CLI_USAGE */
int cli_exit_for(int code);         /* VMAP_ECORRUPT -> 1 for check, else 3 */

/*
 * options.c: parse a subcommand that has no options but --help. Returns -1
 * to go on (optind is at the first operand), else the exit code to return.
 */
int cli_no_options(int argc, char **argv, const char *usage);

/* keys.c */
int cli_parse_key(const char *text, uint64_t *key); /* 0 or -EINVAL */

/*
 * range.c: the keys a map has ever had, live or removed. A map whose last
 * appended key is UINT64_MAX has vmap_next_key() == 0, so ranges are kept
 * as [first, last] with an explicit emptiness flag.
 */
struct key_range {
	uint64_t first, last;
	int empty;
};
void map_range(const vmap *m, struct key_range *r);

/* output.c: write to stdout, remembering failure for out_finish. */
void out_bytes(const void *bytes, size_t len);
int out_finish(void); /* flush stdout; CLI_OK or CLI_ERROR */

/*
 * dump.c: the dump format, one record per key, like cdb's
 * "+klen,dlen:key->data":
 *
 *   +KEY,LEN:BYTES\n    a live key and its LEN value bytes (any bytes)
 *   -KEY\n              a removed key (a hole)
 *   \n                  end of the dump (required: a cut dump is an error)
 *
 * KEY and LEN are decimal. Keys are consecutive, so the dump of a map read
 * back by `vmap create --dump` gives the same keys, values and holes.
 */
void dump_write_live(uint64_t key, const char *val, size_t len);
void dump_write_hole(uint64_t key);
void dump_write_end(void);

enum dump_kind { DUMP_LIVE, DUMP_HOLE, DUMP_END };
struct dump_record {
	enum dump_kind kind;
	uint64_t key;
	char *val; /* malloc'ed, owned by the reader, valid until next read */
	size_t len;
};
struct dump_reader {
	FILE *in;
	uint64_t offset; /* bytes consumed, for messages */
	char *buf;
	size_t cap;
};
/* 0, or -EINVAL with a message already printed (malformed), -ENOMEM, -EIO. */
int dump_read(struct dump_reader *r, struct dump_record *rec);
void dump_reader_free(struct dump_reader *r);

/* load.c: feed values into a new map, filling holes as removed keys. */
struct loader {
	vmap *map;
	uint64_t next; /* key of the next value */
};
int load_value(struct loader *l, const void *val, size_t len);
int load_hole(struct loader *l);

/* replace_file.c: write DST through DST.tmp.XXXXXX, then rename. */
struct new_file {
	char *final_path;
	char *tmp_path;
};
int new_file_start(struct new_file *f, const char *path, vmap **map);
int new_file_commit(struct new_file *f, vmap *map); /* sync, close, rename */
void new_file_abort(struct new_file *f, vmap *map); /* close, unlink */

/* lines.c: one value per line of in (without its '\n'); -1 at end. */
long long read_line(FILE *in, char **buf, size_t *cap);

int cmd_create(int argc, char **argv);
int cmd_append(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_remove(int argc, char **argv);
int cmd_replace(int argc, char **argv);

#endif /* VMAP_CLI_H */
