# SPDX-License-Identifier: MIT
# cross.cmake - build for another Linux architecture with Debian's cross
# compilers, and run the tests under qemu-user:
#
#   cmake -S . -B build/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/cross.cmake \
#         -DVMAP_TRIPLET=aarch64-linux-gnu
#
# VMAP_TRIPLET: aarch64-linux-gnu, arm-linux-gnueabihf, riscv64-linux-gnu,
# powerpc64le-linux-gnu, s390x-linux-gnu, i686-linux-gnu, ... (the prefix of
# the gcc-TRIPLET package). scripts/deps.sh platforms installs them.
#
# Libraries of the target (cmocka) come from Debian's multiarch packages,
# libcmocka-dev:ARCH, in /usr/lib/TRIPLET. Programs run through
# qemu-ARCH; where the target's C library is installed by multiarch
# (/lib/TRIPLET/libc.so.6) it is used directly, else the cross one under
# /usr/TRIPLET (qemu -L). Tests that fork are skipped under qemu-user: see
# VMAP_TEST_NO_FORK in tests/testutil.h.

if(NOT VMAP_TRIPLET)
  set(VMAP_TRIPLET "$ENV{VMAP_TRIPLET}")
endif()
if(NOT VMAP_TRIPLET)
  message(FATAL_ERROR "cross.cmake: set VMAP_TRIPLET, e.g. -DVMAP_TRIPLET=aarch64-linux-gnu")
endif()
# try_compile projects see the toolchain file again: pass the triplet on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES VMAP_TRIPLET)

string(REGEX REPLACE "-.*" "" vmap_cpu "${VMAP_TRIPLET}")
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${vmap_cpu})
set(CMAKE_C_COMPILER ${VMAP_TRIPLET}-gcc)
set(CMAKE_CXX_COMPILER ${VMAP_TRIPLET}-g++)
set(CMAKE_LIBRARY_ARCHITECTURE ${VMAP_TRIPLET})

# Find the target's libraries and headers, never the build machine's.
set(ENV{PKG_CONFIG_LIBDIR} "/usr/lib/${VMAP_TRIPLET}/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(CMAKE_FIND_ROOT_PATH /usr/${VMAP_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)

# qemu's name for the CPU where it differs from the triplet's.
set(vmap_qemu ${vmap_cpu})
if(vmap_cpu STREQUAL "powerpc64le")
  set(vmap_qemu ppc64le)
elseif(vmap_cpu MATCHES "^i[3-6]86$")
  set(vmap_qemu i386)
endif()
if(EXISTS /lib/${VMAP_TRIPLET}/libc.so.6)
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${vmap_qemu})
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-${vmap_qemu} -L /usr/${VMAP_TRIPLET})
endif()
