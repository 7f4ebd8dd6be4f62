/* SPDX-License-Identifier: MIT */
/* messages.c - every diagnostic of the vmap command, on stderr. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("vmap: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Damage and a busy file have their own exit codes (see cli.h). */
int cli_exit_for(int code)
{
	if (code == VMAP_ECORRUPT)
		return CLI_DAMAGED;
	if (code == -EBUSY)
		return CLI_BUSY;
	return CLI_ERROR;
}

int cli_fail(const char *file, const char *what, int code)
{
	if (code == -EBUSY)
		cli_warn("%s: another process is writing it (it holds the "
			 "writer's lock); nothing changed: try again when it is "
			 "done", file);
	else if (what)
		cli_warn("%s: %s: %s", file, what, vmap_strerror(code));
	else
		cli_warn("%s: %s", file, vmap_strerror(code));
	return cli_exit_for(code);
}

int cli_usage(const char *command)
{
	if (command)
		fprintf(stderr, "Try 'vmap %s --help'.\n", command);
	else
		fputs("Try 'vmap --help'.\n", stderr);
	return CLI_USAGE;
}
