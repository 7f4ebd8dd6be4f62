/* SPDX-License-Identifier: MIT */
/*
 * cli.h - shared pieces of the vmap command: exit codes, messages, argument
 * parsing and opening, values from arguments, stdin or files, the dump
 * format and the temporary-file-then-rename helper.
 *
 * Every subcommand is one file (cmd_<name>.c) with one entry point
 * int cmd_<name>(int argc, char **argv) that returns an exit code; argv[0]
 * is the subcommand's name, so getopt_long works on it unchanged.
 */
#ifndef VMAP_CLI_H
#define VMAP_CLI_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h> /* optind */

#include "vmap.h"

/*
 * Exit codes, documented in man/vmap.1. As with cdb, a missing key is an
 * answer (1), not a failure; damage and a busy file get their own codes so
 * that scripts can tell them from a plain I/O error.
 */
enum {
	CLI_OK = 0,       /* success */
	CLI_NOTFOUND = 1, /* a key was not live; for `check`: damage found */
	CLI_USAGE = 2,    /* bad arguments or malformed input */
	CLI_ERROR = 3,    /* I/O, system or library error */
	CLI_DAMAGED = 4,  /* the data read is damaged: nothing of it printed */
	CLI_BUSY = 5      /* another process writes the file (-EBUSY) */
};

/* messages.c: everything goes to stderr prefixed with "vmap: ". */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "vmap: FILE: WHAT: <vmap_strerror(code)>"; returns cli_exit_for(code). */
int cli_fail(const char *file, const char *what, int code);
int cli_usage(const char *command); /* short hint, returns CLI_USAGE */
int cli_exit_for(int code);         /* ECORRUPT 4, EBUSY 5, else 3 */

/*
 * args.c: a subcommand's command line. Options are --help plus the
 * subcommand's own (opts, handled by on_option); operands must number from
 * min to max (max -1: any). A negative number where a key belongs, an
 * unknown option or a missing value gets vmap's own message. Returns -1
 * to go on (optind at the first operand), else the exit code to return.
 */
struct cli_command {
	const char *name;
	const char *usage;            /* printed by --help */
	const char *operands;         /* "FILE KEY...", for messages */
	int min, max;
	const char *shortopts;        /* besides "h" */
	const struct option *opts;    /* besides --help; may be NULL */
	int (*on_option)(void *ctx, int opt, const char *arg); /* -1 or exit code */
	void *ctx;
};
int cli_parse(const struct cli_command *c, int argc, char **argv);
/* on_option for a subcommand whose one option sets the int at ctx. */
int cli_flag(void *flag, int opt, const char *arg);
/* A key operand or option value: 0, or CLI_USAGE with a message. */
int cli_key(const char *command, const char *text, uint64_t *key);

/* open.c: vmap_open with vmap's messages; -1 when open, else an exit code. */
int cli_open(const char *path, int flags, vmap **m);

/* keys.c */
int cli_parse_key(const char *text, uint64_t *key); /* 0 or -EINVAL */

/*
 * values.c: a VALUE operand of append or replace: the text itself, "-" for
 * all of standard input, or "@FILE" for the bytes of FILE ("@-" and "--"
 * before a literal "-" or "@..." are as usual; --literal takes every VALUE
 * as text). Values are read whole before the map is touched, so a missing
 * FILE changes nothing.
 */
struct cli_value {
	char *bytes; /* owned when the value was read */
	size_t len;
	int owned;
};
int cli_values(int count, char **args, int literal, struct cli_value *out);
void cli_values_free(int count, struct cli_value *v);

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
 * dump.c: the dump format, version 1 (man/vmap.1 has it with an example):
 *
 *   vmap-dump 1\n       the header: format and version, checked on load
 *   +KEY,LEN:BYTES\n    a live key and its LEN value bytes (any bytes)
 *   -KEY\n              a removed key (a hole)
 *   \n                  end of the dump (required: a cut dump is an error)
 *
 * KEY and LEN are decimal. Keys are consecutive, so the dump of a map read
 * back by `vmap create --dump` gives the same keys, values and holes.
 */
#define DUMP_VERSION 1
void dump_write_header(void);
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
	int started;     /* the header was read */
	char *buf;
	size_t cap;
};
/* 0, or -EINVAL with a message already printed (malformed), -ENOMEM, -EIO. */
int dump_read(struct dump_reader *r, struct dump_record *rec);
void dump_reader_free(struct dump_reader *r);

/* verify.c: reading a whole map without printing damage as good. */
/* -1 when sound, else an exit code; r taken before, by map_range. */
int verify_map(const vmap *m, const char *path, const struct key_range *r);
/* One key's value, checked: 0, -ENOENT, or an exit code with a message. */
int verify_lookup(const vmap *m, const char *path, uint64_t key,
		  const char **val, size_t *len);

/* load.c: feed values into a new map, filling holes as removed keys. */
struct loader {
	vmap *map;
	uint64_t next; /* key of the next value */
};
int load_value(struct loader *l, const void *val, size_t len);
int load_hole(struct loader *l);

/*
 * replace_file.c: write DST through DST.tmp.XXXXXX, then rename it over
 * DST, holding DST's writer lock from start to rename (a DST that a live
 * writer holds is refused with -EBUSY and left alone). A symbolic link DST
 * is followed: the file it names is replaced, the link stays. An existing
 * DST's mode is kept. SIGINT, SIGTERM and SIGHUP remove the temporary file.
 */
struct new_file {
	char *final_path; /* DST with symbolic links resolved */
	char *tmp_path;
	int lock_fd;      /* the existing DST, locked; or -1 */
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
int cmd_tail(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_remove(int argc, char **argv);
int cmd_replace(int argc, char **argv);

#endif /* VMAP_CLI_H */
