/* SPDX-License-Identifier: MIT */
/*
 * paths.c - joining paths. The root "/" is stored as "" (see vmwatch.h), so
 * "/" + name needs no special case; only showing or opening that root does.
 */
#include "vmwatch.h"

void path_join(struct strbuf *dir, const char *name)
{
	sb_add(dir, "/", 1);
	sb_adds(dir, name);
}

const char *path_text(const struct strbuf *b)
{
	return b->len ? b->s : "/";
}
