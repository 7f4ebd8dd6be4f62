#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deps.sh - install what the build, the tests and the benchmarks need, from
# Debian's archive. Runs apt-get only as root and only for what is missing.
#
#   scripts/deps.sh                    the build, the tests, the benchmarks
#   scripts/deps.sh platform NAME...   also the toolchains of the CI matrix
#                                      (scripts/ci_matrix.sh): i386 musl arm64
#                                      armhf riscv64 ppc64el s390x, or all
#
# Never removes a package (apt-get --no-remove): a foreign architecture's
# package that would replace one of this machine's is refused, and said so.
set -euo pipefail

packages=(
	build-essential cmake pkg-config clang llvm libclang-rt-dev valgrind
	libcmocka-dev                       # tests
	libglib2.0-dev libjudy-dev liblmdb-dev libcdb-dev libsqlite3-dev
	gnuplot-nox                         # benchmark peers and plots
	inotify-tools                       # vmwatch comparison
	git rsync                           # vmwatch real-tool scenarios
	man-db groff-base                   # man page checks
)

# platform NAME: Debian architecture, packages (cross gcc, C library, qemu)
# and, through multiarch, the target's cmocka (optional: without it only the
# tests that need no cmocka are built).
declare -A arch=([i386]=i386 [arm64]=arm64 [armhf]=armhf [riscv64]=riscv64
	[ppc64el]=ppc64el [s390x]=s390x)
declare -A triplet=([arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf
	[riscv64]=riscv64-linux-gnu [ppc64el]=powerpc64le-linux-gnu [s390x]=s390x-linux-gnu)
gcc_major=$(gcc -dumpversion 2>/dev/null | cut -d. -f1 || echo 12)

platform_packages() {
	case $1 in
	musl) echo musl-tools ;;
	# gcc -m32 without gcc-multilib, which conflicts with every cross gcc
	i386) echo libc6-dev-i386 "lib32gcc-${gcc_major:-12}-dev" ;;
	arm64 | armhf | riscv64 | ppc64el | s390x)
		echo "gcc-${triplet[$1]}" "libc6-dev-${arch[$1]}-cross" qemu-user ;;
	*) echo "deps.sh: unknown platform '$1'" >&2; return 1 ;;
	esac
}

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# apt-get update once; with foreign architectures some lists (the security
# archive's) may fail to fetch: that is not fatal, what matters is whether
# the packages then install.
updated=
update_once() {
	[ -n "$updated" ] && return
	updated=1
	apt-get update -qq || echo "deps.sh: apt-get update reported errors (foreign architecture lists?); going on" >&2
}

install() {
	local missing=() p
	for p in "$@"; do installed "$p" || missing+=("$p"); done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "deps.sh: missing packages (run as root to install): ${missing[*]}" >&2
		return 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	update_once
	apt-get install -y -qq --no-install-recommends --no-remove "${missing[@]}" >/dev/null
}

# The target's cmocka through multiarch: refused (not fatal) when the
# architecture is not in this Debian release or its libc6 version differs.
install_target_cmocka() {
	local a=$1
	installed "libcmocka-dev:$a" && return 0
	[ "$(id -u)" = 0 ] || return 1
	update_once
	if ! grep -qhE "^Architectures:.* $a( |$)" /var/lib/apt/lists/*_InRelease 2>/dev/null; then
		echo "deps.sh: this Debian release's archive has no $a packages: only the tests without cmocka run for $a" >&2
		return 1
	fi
	if ! dpkg --print-foreign-architectures | grep -qx "$a"; then
		dpkg --add-architecture "$a"
		updated=
	fi
	update_once
	if ! apt-get install -y -qq --no-install-recommends --no-remove "libcmocka-dev:$a" >/dev/null 2>&1; then
		echo "deps.sh: libcmocka-dev:$a does not install here (not in this release's archive, or its libc6 differs from this machine's): only the tests without cmocka run for $a" >&2
		return 1
	fi
}

# gcc -m32 finds <asm/...> through /usr/include/asm, the one file that
# gcc-multilib would add (it cannot be installed beside cross compilers).
i386_asm_headers() {
	[ -e /usr/include/asm ] || [ "$(id -u)" != 0 ] ||
		ln -s x86_64-linux-gnu/asm /usr/include/asm
}

install "${packages[@]}" || [ "$(id -u)" != 0 ]
[ "${1:-}" = platform ] || exit 0
shift
wanted=("$@")
[ "${wanted[0]:-all}" = all ] && wanted=(i386 musl arm64 armhf riscv64 ppc64el s390x)
status=0
for p in "${wanted[@]}"; do
	pk=$(platform_packages "$p") || { status=1; continue; }
	# shellcheck disable=SC2086 # a list of names
	install $pk || { echo "deps.sh: $p: the toolchain did not install" >&2; status=1; continue; }
	[ "$p" = i386 ] && i386_asm_headers
	[ -n "${arch[$p]:-}" ] && { install_target_cmocka "${arch[$p]}" || true; }
done
exit $status
