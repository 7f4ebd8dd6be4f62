#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# check_man.sh - the manual agrees with the headers. For every public function
# of include/vmap.h (VMAP_API declarations and static inline functions) and
# of include/vector_map.h:
#
#   - man/NAME.3 exists: the page, or a ".so man3/PAGE.3" link to a page
#     whose NAME section lists NAME;
#   - the page's synopsis shows the prototype as the header declares it;
#   - every error code the header comment of NAME mentions ("NAME - ...")
#     appears in the page;
#   - the page has the sections NAME, SYNOPSIS, DESCRIPTION, RETURN VALUE,
#     ERRORS and THREAD SAFETY, and says the version of the header;
#   - every page renders without a warning (groff -ww, man --warnings).
#
#   scripts/check_man.sh [SRC_DIR [INSTALLED_MANDIR]]
#
# With INSTALLED_MANDIR (share/man of an install) it also asks man(1) there
# for every function, as a user would: `man -M DIR 3 NAME`, link pages
# followed. Exit 0 when all agree, 1 with one line per fault, 77 when groff
# or man is missing (apt-get install groff-base man-db).
set -uo pipefail
src=$(cd "${1:-$(dirname "$0")/..}" && pwd)
installed=${2:-}
faults=0

fault() {
	echo "check_man: $*" >&2
	faults=$((faults + 1))
}

for tool in groff man; do
	if ! command -v "$tool" >/dev/null; then
		echo "check_man: $tool is not installed: skipped" >&2
		exit 77
	fi
done

# functions HEADER: "NAME<TAB>PROTOTYPE" for each public function, the
# prototype on one line, without VMAP_API, "static inline" or a body.
functions() {
	awk '
	function flush() {
		gsub(/[ \t]+/, " ", decl)
		sub(/^VMAP_API /, "", decl)
		sub(/^static inline /, "", decl)
		sub(/ *[;{].*$/, "", decl)
		name = decl
		sub(/\(.*/, "", name)
		sub(/.*[ *]/, "", name)
		if (name !~ /_private_/ && !seen[name]++)
			printf "%s\t%s\n", name, decl
		decl = ""
		open = 0
	}
	open { decl = decl " " $0; if ($0 ~ /(\)|[;{]) *$/) flush(); next }
	/^(VMAP_API|static inline) .*[a-z_0-9]+\(/ {
		decl = $0
		open = 1
		if ($0 ~ /(\)|[;{]) *$/) flush()
	}' "$1"
}

# errors_of HEADER NAME: the error codes in the comment that documents NAME
# (the block with a line "NAME - ...").
errors_of() {
	awk -v name="$2" '
	/\/\*/ { block = ""; inblock = 1 }
	inblock { block = block "\n" $0 }
	inblock && $0 ~ ("^(/\\*| \\*) " name " - ") { mine = 1 }
	/\*\// { if (mine) print block; mine = 0; inblock = 0 }
	' "$1" | grep -oE 'VMAP_E[A-Z]+|-E[A-Z]+' | sort -u
}

# page_of NAME: the source page documenting NAME, through a link page.
page_of() {
	local page=$src/man/$1.3 target
	[ -f "$page" ] || return 1
	target=$(sed -n 's|^\.so man3/\(.*\)$|\1|p' "$page" | head -1)
	[ -n "$target" ] && page=$src/man/$target
	[ -f "$page" ] && echo "$page"
}

# names_of PAGE: the names its NAME section lists.
names_of() {
	awk '/^\.SH/ { on = ($0 ~ /^\.SH NAME/); next } on' "$1" |
		tr '\n' ' ' | sed 's/\\-.*//' | tr ',' '\n' | tr -d ' '
}

# text_of PAGE: the page as plain text on one line, unhyphenated.
text_of() {
	groff -man -Tascii -P-cbou -rHY=0 -rLL=1000n "$1" 2>/dev/null | tr -s ' \n\t' '   '
}

version=$(awk '/^#define VMAP_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v ? "." : "") $3 } END { print v }' \
	"$src/include/vmap.h")

declare -A checked_page
for header in "$src/include/vmap.h" "$src/include/vector_map.h"; do
	while IFS=$'\t' read -r name proto; do
		page=$(page_of "$name") || {
			fault "$name (${header##*/}) has no man page man/$name.3"
			continue
		}
		names_of "$page" | grep -qx "$name" ||
			fault "$name: ${page##*/} does not list it in its NAME section"
		text=$(text_of "$page")
		grep -qF -- "$proto" <<<"$text" ||
			fault "$name: the synopsis of ${page##*/} lacks \"$proto\""
		for code in $(errors_of "$header" "$name"); do
			grep -qF -- "$code" <<<"$text" ||
				fault "$name: ${page##*/} does not mention $code (the header does)"
		done
		checked_page[$page]=1
	done < <(functions "$header")
done
[ ${#checked_page[@]} -gt 0 ] || fault "no public function found in the headers"

for page in "${!checked_page[@]}"; do
	for section in NAME SYNOPSIS DESCRIPTION "RETURN VALUE" ERRORS "THREAD SAFETY"; do
		grep -qx "\.SH \"\?$section\"\?" "$page" || fault "${page##*/}: no $section section"
	done
done
for page in "$src"/man/*.[135]; do
	grep -q '^\.so ' "$page" && continue
	grep -q "^\.TH .*\"vector_map $version\"" "$page" ||
		fault "${page##*/}: .TH does not say vector_map $version"
	warnings=$(groff -ww -z -man "$page" 2>&1)
	[ -z "$warnings" ] || fault "${page##*/}: groff: $warnings"
	warnings=$(MANWIDTH=80 man -l --warnings "$page" 2>&1 >/dev/null)
	[ -z "$warnings" ] || fault "${page##*/}: man: $warnings"
done

if [ -n "$installed" ]; then
	for name in $(functions "$src/include/vmap.h" | cut -f1) \
		$(functions "$src/include/vector_map.h" | cut -f1); do
		out=$(MANWIDTH=80 man --warnings -M "$installed" 3 "$name" 2>"$installed/.warnings")
		[ -s "$installed/.warnings" ] && fault "man 3 $name: $(cat "$installed/.warnings")"
		grep -qF "$name" <<<"$out" || fault "man -M $installed 3 $name does not show $name"
	done
	MANWIDTH=80 man -M "$installed" 5 vmap 2>/dev/null | grep -q "FORMAT.md" ||
		fault "man -M $installed 5 vmap does not show the format page"
	rm -f "$installed/.warnings"
fi

if [ "$faults" -gt 0 ]; then
	echo "check_man: $faults fault(s)" >&2
	exit 1
fi
echo "check_man: ${#checked_page[@]} pages cover every public function; all render cleanly"
