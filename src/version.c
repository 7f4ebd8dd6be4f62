/* SPDX-License-Identifier: MIT */
/*
 * version.c - vmap_version: the version of the library actually running,
 * which may be newer than the header a program was compiled against (the
 * SONAME only promises the same major version).
 */
#include "vmap.h"

#define VMAP_STRINGIFY(x) #x
#define VMAP_VERSION_TEXT(major, minor, patch) \
	VMAP_STRINGIFY(major) "." VMAP_STRINGIFY(minor) "." VMAP_STRINGIFY(patch)

const char *vmap_version(void)
{
	return VMAP_VERSION_TEXT(VMAP_VERSION_MAJOR, VMAP_VERSION_MINOR, VMAP_VERSION_PATCH);
}
