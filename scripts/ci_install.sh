#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# ci_install.sh - vector_map as an outsider gets it: built, installed into a
# temporary prefix, and used from there. About a minute and a half on 2 cores.
#
#   1. build (gcc, warnings as errors) and install into a temporary prefix;
#      the files are where the README says, the versions agree (header,
#      vmap_version(), SONAME, vmap.pc, CMake package)
#   2. symbols: libvmap.a (built by gcc and by clang) defines no global name
#      outside the public API, libvmap.so exports exactly it; an application
#      that defines every internal name works linked statically and
#      dynamically, and fails against the objects as compiled (so the test
#      can fail)
#   3. the README example, word for word, built with pkg-config (shared with
#      rpath, shared with LD_LIBRARY_PATH, static) and with find_package
#      (shared, static); the examples run with their output checked; the
#      original interface's test built against the installed <vector_map.h>
#   4. CMake as a subproject (add_subdirectory), with BUILD_SHARED_LIBS, with
#      -DCMAKE_INSTALL_LIBDIR=lib64, with DESTDIR, and without a C++ compiler
#   5. the man pages (scripts/check_man.sh on the installed manual) and the
#      licence (scripts/check_spdx.sh)
#
#   scripts/ci_install.sh        exit 0 when every check passed
set -uo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
build=$src/build/ci-install
tmp=$(mktemp -d /tmp/vmap-ci-install.XXXXXX)
prefix=$tmp/prefix
jobs=2
faults=0
trap 'rm -rf "$tmp"' EXIT

say() { echo "ci_install: $*"; }
fault() {
	echo "ci_install: FAIL: $*" >&2
	faults=$((faults + 1))
}
# check DESCRIPTION COMMAND...: run it quietly; its output only on failure.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		say "ok: $what"
	else
		fault "$what"
		printf '%s\n' "$out" | tail -20 >&2
	fi
}
need() {
	command -v "$1" >/dev/null || { fault "$1 is not installed"; exit 1; }
}
for tool in cmake gcc clang pkg-config nm readelf man groff; do need "$tool"; done

# configure DIR ARGS...: a quiet configure and build of this source tree.
configure_build() {
	local dir=$1
	shift
	rm -rf "$dir"
	cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.log" 2>&1 &&
		cmake --build "$dir" -j"$jobs" >>"$dir.log" 2>&1
}
mkdir -p "$src/build"

# ---- 1. build and install ----------------------------------------------------
if ! configure_build "$build" -DCMAKE_C_COMPILER=gcc -DVMAP_WERROR=ON \
	-DVMAP_TESTS=OFF -DVMAP_BENCH=OFF -DCMAKE_INSTALL_PREFIX=/nonexistent; then
	fault "build"
	tail -30 "$build.log" >&2
	exit 1
fi
cmake --build "$build" --target vmap_internal -j"$jobs" >>"$build.log" 2>&1
check "cmake --install --prefix (a prefix other than the configured one)" \
	cmake --install "$build" --prefix "$prefix"

version=$(awk '/^#define VMAP_VERSION_(MAJOR|MINOR|PATCH) / { v = v (v ? "." : "") $3 } END { print v }' \
	include/vmap.h)
major=${version%%.*}
installed_files() {
	for f in include/vmap.h include/vector_map.h lib/libvmap.a lib/libvmap.so \
		"lib/libvmap.so.$major" "lib/libvmap.so.$version" lib/pkgconfig/vmap.pc \
		lib/cmake/vmap/vmapConfig.cmake lib/cmake/vmap/vmapConfigVersion.cmake \
		share/man/man3/vmap_open.3 share/man/man3/vm_new.3 share/man/man5/vmap.5 \
		share/doc/vector_map/LICENSE share/doc/vector_map/FORMAT.md bin/vmap bin/vmwatch; do
		[ -e "$prefix/$f" ] || { echo "missing $f"; return 1; }
	done
	[ ! -e /nonexistent ] # nothing went to the configured prefix
}
check "installed files" installed_files

export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
pc_paths() {
	[ "$(pkg-config --variable=libdir vmap)" = "$prefix/lib" ] &&
		[ "$(pkg-config --variable=includedir vmap)" = "$prefix/include" ] &&
		[ "$(echo $(pkg-config --libs vmap))" = "-L$prefix/lib -lvmap" ] ||
		{ cat "$prefix/lib/pkgconfig/vmap.pc"; return 1; }
}
check "vmap.pc: plain paths under the prefix" pc_paths
versions_agree() {
	local soname
	soname=$(readelf -d "$prefix/lib/libvmap.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
	echo "header $version, vmap.pc $(pkg-config --modversion vmap), SONAME $soname"
	[ "$(pkg-config --modversion vmap)" = "$version" ] && [ "$soname" = "libvmap.so.$major" ] &&
		grep -q "PACKAGE_VERSION \"$version\"" "$prefix/lib/cmake/vmap/vmapConfigVersion.cmake"
}
running_version() { # vmap_version() of the installed library, static and shared
	printf '#include <vmap.h>\n#include <stdio.h>\nint main(void) { puts(vmap_version()); return 0; }\n' >"$tmp/version.c"
	gcc -o "$tmp/version-shared" "$tmp/version.c" -I"$prefix/include" -L"$prefix/lib" -lvmap &&
		gcc -o "$tmp/version-static" "$tmp/version.c" -I"$prefix/include" "$prefix/lib/libvmap.a" -pthread &&
		[ "$(LD_LIBRARY_PATH=$prefix/lib "$tmp/version-shared")" = "$version" ] &&
		[ "$("$tmp/version-static")" = "$version" ] &&
		[ "$("$prefix/bin/vmap" --version)" = "vmap $version" ]
}
check "versions agree: header, vmap.pc, SONAME, CMake package" versions_agree
check "vmap_version() and vmap --version say $version" running_version

# ---- 2. symbols ----------------------------------------------------------------
public=$(sed -n 's/^VMAP_API .*[ *]\(vmap_[a-z0-9_]*\)(.*/\1/p' include/vmap.h | sort -u)
# globals LIBRARY [-D]: the global names it defines.
globals() {
	nm -g --defined-only ${2:-} "$1" 2>/dev/null | awk 'NF == 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u
}
only_public() { # only_public LIBRARY [-D]
	local got
	got=$(globals "$@")
	[ "$got" = "$public" ] || { diff <(echo "$public") <(echo "$got"); return 1; }
}
check "libvmap.a (gcc): global names = the VMAP_API functions of vmap.h" only_public "$prefix/lib/libvmap.a"
check "libvmap.so: exports = the VMAP_API functions of vmap.h" only_public "$prefix/lib/libvmap.so" -D
if configure_build "$tmp/clang" -DCMAKE_C_COMPILER=clang -DVMAP_TESTS=OFF -DVMAP_BENCH=OFF \
	-DVMAP_TOOLS=OFF -DVMAP_EXAMPLES=OFF -DVMAP_SHARED=OFF; then
	check "libvmap.a (clang): global names = the VMAP_API functions of vmap.h" \
		only_public "$tmp/clang/libvmap.a"
else
	fault "clang build of the library"
	tail -20 "$tmp/clang.log" >&2
fi

# extra.c: the internal names that tests/symbols/collide.c does not know yet.
internal=$(globals "$build/libvmap_internal.a" | grep -vxF "$public")
known=$(grep -o 'X([a-z_0-9]*)' tests/symbols/collide.c | sed 's/X(\(.*\))/\1/'; echo crc32c; echo table_shapes)
{
	echo '/* generated by ci_install.sh */'
	echo 'int collide_extra(void);'
	for name in $(grep -vxF "$known" <<<"$internal"); do
		echo "int $name(void); int $name(void) { return 1; }"
	done
	echo 'int collide_extra(void) { return 0; }'
} >"$tmp/extra.c"
say "the application defines $(wc -l <<<"$internal") internal names ($(grep -c 'return 1' "$tmp/extra.c") new since 1.0)"
collide() { # collide NAME LINK-ARGS...: build the application, run it
	local bin=$tmp/collide-$1
	shift
	gcc -std=c11 -Wall -Wextra -Werror -I"$prefix/include" -o "$bin" \
		tests/symbols/collide.c "$tmp/extra.c" "$@" -pthread &&
		LD_LIBRARY_PATH=$prefix/lib "$bin" "$bin.vmap"
}
check "an application defining every internal name, static libvmap.a" \
	collide static "$prefix/lib/libvmap.a"
check "the same, shared libvmap.so" collide shared $(pkg-config --libs vmap)
if collide bad "$build/libvmap_internal.a" >/dev/null 2>&1; then
	fault "the symbol test cannot fail: it passes against the objects as compiled"
else
	say "ok: the symbol test fails against the objects as compiled, as it must"
fi

# ---- 3. the README example, the examples, <vector_map.h> ------------------------
readme_example() { # the first C block after "## Example"
	awk '/^## Example/ { on = 1 } on && /^```c/ { inside = 1; next } inside && /^```/ { exit } inside' README.md
}
check "README example = examples/readme.c" \
	diff <(readme_example) <(tail -n +2 examples/readme.c)
# run_readme BINARY [ENV...]: the example in a fresh directory, twice.
run_readme() {
	local bin=$1 dir
	shift
	dir=$(mktemp -d "$tmp/run.XXXXXX")
	(cd "$dir" && env "$@" "$bin" && env "$@" "$bin") >"$dir/out" 2>&1 &&
		printf '/dev/input/by-id (16 bytes), 2 keys\n/dev/input/by-id (16 bytes), 4 keys\n' |
		diff - "$dir/out"
}
links_libvmap_so() { readelf -d "$1" | grep -q 'NEEDED.*libvmap\.so'; }
libdir=$(pkg-config --variable=libdir vmap)
cc_readme() { # cc_readme NAME ARGS...: the README example as a user builds it
	local out=$tmp/readme-$1
	shift
	gcc -std=c11 -Wall -Wextra -Werror -o "$out" examples/readme.c "$@"
}
readme_rpath() {
	cc_readme rpath $(pkg-config --cflags --libs vmap) -Wl,-rpath,"$libdir" &&
		links_libvmap_so "$tmp/readme-rpath" && run_readme "$tmp/readme-rpath"
}
readme_llp() { # without LD_LIBRARY_PATH it must not even start
	cc_readme llp $(pkg-config --cflags --libs vmap) &&
		! "$tmp/readme-llp" 2>/dev/null && run_readme "$tmp/readme-llp" LD_LIBRARY_PATH="$libdir"
}
readme_static() {
	cc_readme static $(pkg-config --cflags vmap) -L"$libdir" -l:libvmap.a -pthread &&
		! links_libvmap_so "$tmp/readme-static" && run_readme "$tmp/readme-static"
}
check "README: shared, pkg-config, rpath" readme_rpath
check "README: shared, pkg-config, LD_LIBRARY_PATH" readme_llp
check "README: static, pkg-config, -l:libvmap.a" readme_static

# readme_block MARKER: the first sh block after the line starting with MARKER.
readme_block() {
	awk -v m="$1" 'index($0, m) == 1 { on = 1 } on && /^```sh/ { inside = 1; next }
		inside && /^```/ { exit } inside' README.md
}
readme_prefix_steps() { # run as written, in a copy of the tree, HOME in $tmp
	local copy=$tmp/steps
	mkdir -p "$copy/home"
	git ls-files -z --cached --others --exclude-standard 2>/dev/null | grep -zv '^fuzz/corpus/' | xargs -0 cp --parents -t "$copy" ||
		return 1
	cp examples/readme.c "$copy/app.c"
	readme_block "**Into a prefix of your own**" >"$copy/steps.sh"
	[ "$(wc -l <"$copy/steps.sh")" -gt 5 ] || return 1
	(cd "$copy" && HOME=$copy/home PKG_CONFIG_PATH= bash -ex steps.sh) &&
		[ -f "$copy/home/.local/vmap/lib/libvmap.so.$version" ]
}
check "README: the steps into a prefix of your own, run as written" readme_prefix_steps
system_wide_assumptions() { # what `cmake --install` + `ldconfig` rely on
	pkg-config --variable pc_path pkg-config | tr ':' '\n' | grep -qx /usr/local/lib/pkgconfig &&
		cat /etc/ld.so.conf /etc/ld.so.conf.d/*.conf 2>/dev/null | grep -qx /usr/local/lib
}
check "README: system-wide, pkg-config and ld.so look in /usr/local/lib" system_wide_assumptions

# examples/ on its own, with find_package, once shared and once static.
examples_with() { # examples_with DIR EXPECT(shared|static) CMAKE-ARGS...
	local dir=$1 kind=$2
	shift 2
	cmake -S examples -B "$dir" -DCMAKE_C_COMPILER=gcc -DCMAKE_PREFIX_PATH="$prefix" \
		-DCMAKE_C_FLAGS=-Werror "$@" >"$dir.log" 2>&1 &&
		cmake --build "$dir" -j"$jobs" >>"$dir.log" 2>&1 &&
		grep -q "vmap $version in .*: vmap::vmap is vmap::vmap_$kind" "$dir.log" ||
		{ cat "$dir.log"; return 1; }
	if [ "$kind" = shared ]; then links_libvmap_so "$dir/readme"; else ! links_libvmap_so "$dir/readme"; fi
}
check "find_package(vmap $version): vmap::vmap is shared" examples_with "$tmp/ex-shared" shared
check "README example, find_package, shared" run_readme "$tmp/ex-shared/readme"
check "find_package with vmap_USE_STATIC_LIBS: vmap::vmap is static" \
	examples_with "$tmp/ex-static" static -Dvmap_USE_STATIC_LIBS=ON
check "README example, find_package, static" run_readme "$tmp/ex-static/readme"

ex=$tmp/ex-shared
run_interner() {
	printf 'the cat saw the dog\nand the cat ran\n\nthe end\n' | "$ex/interner" | diff - <(
		printf '0 1 2 0 3\n4 0 1 5\n\n0 6\n7 distinct words\n'
		printf '0 the\n1 cat\n2 saw\n3 dog\n4 and\n5 ran\n6 end\n')
}
check "examples/interner" run_interner
run_log() { # the reader starts first and follows the writer live
	local dir
	dir=$(mktemp -d "$tmp/log.XXXXXX")
	"$ex/log_reader" "$dir/log.vmap" 3000 >"$dir/read" 2>&1 &
	local reader=$!
	sleep 0.2
	"$ex/log_writer" "$dir/log.vmap" 3000 >"$dir/wrote" || return 1
	wait "$reader" || { cat "$dir/read"; return 1; }
	grep -qx "wrote 3000 records, next key 3000" "$dir/wrote" &&
		[ "$(wc -l <"$dir/read")" = 3000 ] &&
		[ "$(sed -n 1p "$dir/read")" = "record 0: user0 login" ] &&
		[ "$(sed -n 3000p "$dir/read")" = "record 2999: user11 logout" ] &&
		"$prefix/bin/vmap" check "$dir/log.vmap" >/dev/null
}
check "examples/log_writer with examples/log_reader following it" run_log
run_watch_table() { # events made one by one, each after the last was seen
	local dir out
	dir=$(mktemp -d "$tmp/watch.XXXXXX")
	out=$dir/out
	mkdir -p "$dir/tree/a/b"
	(cd "$dir" && timeout 20 "$ex/watch_table" tree 5 >"$out" 2>&1) &
	local pid=$!
	wait_line() { for _ in $(seq 200); do grep -qx "$1" "$out" && return 0; sleep 0.05; done; return 1; }
	wait_line "watching 3 directories" && mkdir "$dir/tree/a/new" &&
		wait_line "create tree/a/new" && touch "$dir/tree/a/new/f" &&
		wait_line "create tree/a/new/f" && mv "$dir/tree/a/new/f" "$dir/tree/a/b/g" &&
		rm "$dir/tree/a/b/g"
	wait "$pid" || { cat "$out"; return 1; }
	printf '%s\n' "watching 3 directories" "create tree/a/new" "create tree/a/new/f" \
		"moved_from tree/a/new/f" "moved_to tree/a/b/g" "delete tree/a/b/g" "4 watches" \
		"1 tree" "2 tree/a" "3 tree/a/b" "4 tree/a/new" | diff - "$out"
}
if [ -d /proc/sys/fs/inotify ]; then
	check "examples/watch_table on a live tree" run_watch_table
else
	fault "no inotify on this machine: examples/watch_table not run"
fi
vector_map_installed() {
	gcc -std=c11 -Wall -Wextra -Werror -o "$tmp/vector_map" tests/vector_map.c \
		$(pkg-config --cflags --libs vmap cmocka) -pthread -Wl,-rpath,"$libdir" &&
		"$tmp/vector_map"
}
if pkg-config --exists cmocka; then
	check "tests/vector_map.c against the installed <vector_map.h>" vector_map_installed
else
	fault "cmocka is not installed: the installed <vector_map.h> is not tested"
fi

# ---- 4. CMake: subproject, BUILD_SHARED_LIBS, lib64, DESTDIR, no C++ ------------
subproject() { # subproject DIR EXPECT(shared|static) CMAKE-ARGS...
	local dir=$1 kind=$2
	shift 2
	mkdir -p "$dir/app"
	cp examples/readme.c "$dir/app/readme.c"
	cat >"$dir/app/CMakeLists.txt" <<-EOF
		cmake_minimum_required(VERSION 3.18)
		project(parent LANGUAGES C)
		add_subdirectory($src vector_map)
		add_executable(app readme.c)
		target_link_libraries(app PRIVATE vmap::vmap)
	EOF
	cmake -S "$dir/app" -B "$dir/build" -DCMAKE_C_COMPILER=gcc "$@" >"$dir/log" 2>&1 &&
		cmake --build "$dir/build" -j"$jobs" >>"$dir/log" 2>&1 || { tail -20 "$dir/log"; return 1; }
	# nothing but the library and the application was built
	local built
	built=$(find "$dir/build" -type f -perm -u+x ! -name '*.so*' ! -name 'CMake*' | grep -v CMakeFiles)
	[ "$built" = "$dir/build/app" ] || { echo "built: $built"; return 1; }
	if [ "$kind" = shared ]; then links_libvmap_so "$dir/build/app"; else ! links_libvmap_so "$dir/build/app"; fi &&
		run_readme "$dir/build/app"
}
check "add_subdirectory: vmap::vmap, static, no tests/tools/bench/examples" subproject "$tmp/sub" static
check "add_subdirectory with BUILD_SHARED_LIBS=ON: vmap::vmap shared" \
	subproject "$tmp/sub-shared" shared -DBUILD_SHARED_LIBS=ON

lib64() { # plain cache strings, a static-only build, found from lib64
	local p=$tmp/p64
	configure_build "$tmp/lib64" -DCMAKE_C_COMPILER=gcc -DVMAP_TESTS=OFF -DVMAP_TOOLS=OFF \
		-DVMAP_EXAMPLES=OFF -DVMAP_BENCH=OFF -DBUILD_SHARED_LIBS=OFF \
		-DCMAKE_INSTALL_LIBDIR=lib64 -DCMAKE_INSTALL_INCLUDEDIR=include/x \
		-DCMAKE_INSTALL_PREFIX="$p" || { tail -20 "$tmp/lib64.log"; return 1; }
	cmake --install "$tmp/lib64" >/dev/null || return 1
	[ -f "$p/lib64/libvmap.a" ] && [ -f "$p/include/x/vmap.h" ] && [ ! -e "$p/lib64/libvmap.so" ] &&
		[ ! -e "$src/lib64" ] && [ ! -e "$src/build/lib64" ] &&
		[ "$(echo $(PKG_CONFIG_PATH=$p/lib64/pkgconfig pkg-config --cflags --libs vmap))" = "-I$p/include/x -L$p/lib64 -lvmap" ] ||
		{ find "$p"; return 1; }
	# (Debian does not search lib64 for packages: vmap_DIR names it)
	cmake -S examples -B "$tmp/ex64" -Dvmap_DIR="$p/lib64/cmake/vmap" >"$tmp/ex64.log" 2>&1 &&
		grep -q "vmap::vmap is vmap::vmap_static" "$tmp/ex64.log" &&
		cmake --build "$tmp/ex64" --target example_readme >/dev/null && run_readme "$tmp/ex64/readme"
}
check "-DCMAKE_INSTALL_LIBDIR=lib64 and BUILD_SHARED_LIBS=OFF: inside the prefix, static only" lib64
destdir() {
	DESTDIR=$tmp/stage cmake --install "$build" --prefix /usr/local >/dev/null &&
		grep -qx "prefix=/usr/local" "$tmp/stage/usr/local/lib/pkgconfig/vmap.pc" &&
		[ -f "$tmp/stage/usr/local/lib/libvmap.so.$version" ] &&
		[ -z "$(find "$tmp/stage" -mindepth 1 -maxdepth 1 ! -name usr)" ]
}
check "DESTDIR staging: files under DESTDIR, vmap.pc names the final prefix" destdir
no_cxx() {
	rm -rf "$tmp/nocxx"
	CXX=/nonexistent/c++ cmake -S "$src" -B "$tmp/nocxx" -DCMAKE_C_COMPILER=gcc -DVMAP_TESTS=OFF \
		-DVMAP_TOOLS=OFF -DVMAP_EXAMPLES=OFF -DVMAP_BENCH=ON >"$tmp/nocxx.log" 2>&1 &&
		grep -q "no C++ compiler found, the benchmark is not built" "$tmp/nocxx.log" ||
		{ cat "$tmp/nocxx.log"; return 1; }
}
check "no C++ compiler: configures, the benchmark off with a message" no_cxx

# ---- 5. the manual and the licence -------------------------------------------------
check "man pages: every public function, consistent, clean (installed)" \
	bash scripts/check_man.sh "$src" "$prefix/share/man"
check "MIT licence and SPDX lines" bash scripts/check_spdx.sh "$src"

if [ "$faults" -gt 0 ]; then
	echo "ci_install: $faults check(s) failed" >&2
	exit 1
fi
say "all checks passed"
