# SPDX-License-Identifier: MIT
#
# library.cmake - the library targets, all from one set of objects:
#
#   vmap_objects   the compiled sources; internal symbols have hidden
#                  visibility, the public API (VMAP_API) default visibility
#   vmap_static    libvmap.a: the objects linked into ONE relocatable object
#                  whose hidden symbols are then made local, so the archive
#                  defines no global name but the public API (an application
#                  may have its own crc32c or header_init)
#   vmap_shared    libvmap.so: exports only vmap_* under src/vmap.map
#   vmap_internal  the objects as compiled, internal names still global, for
#                  the tests that reach inside (fault injection, forged
#                  headers); never installed
#
# vmap::vmap is vmap::vmap_shared when it is built, else vmap::vmap_static;
# set vmap_USE_STATIC_LIBS to ON to have the static one whenever it is built
# (the same rule as the installed package, cmake/vmapConfig.cmake.in).

find_package(Threads REQUIRED)

add_library(vmap_objects OBJECT ${VMAP_SOURCES})
target_include_directories(vmap_objects PUBLIC
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
target_compile_options(vmap_objects PRIVATE ${VMAP_WARNINGS})
set_target_properties(vmap_objects PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  C_VISIBILITY_PRESET hidden)

# vmap_public_interface(TARGET): what a user of TARGET needs.
function(vmap_public_interface target)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
endfunction()

# ---- libvmap.a --------------------------------------------------------------
if(NOT CMAKE_OBJCOPY)
  message(FATAL_ERROR "objcopy not found (apt-get install binutils): libvmap.a "
    "needs it to make its internal symbols local")
endif()
set(vmap_merged ${CMAKE_CURRENT_BINARY_DIR}/vmap_merged.o)
# the compiler's own flags go along (CC="gcc -m32" or CFLAGS=-m32): -m32
# picks the objects' format
separate_arguments(vmap_link_flags UNIX_COMMAND "${CMAKE_C_COMPILER_ARG1} ${CMAKE_C_FLAGS}")
add_custom_command(OUTPUT ${vmap_merged}
  COMMAND ${CMAKE_C_COMPILER} ${vmap_link_flags} -r -nostdlib -o ${vmap_merged}.tmp
          $<TARGET_OBJECTS:vmap_objects>
  COMMAND ${CMAKE_OBJCOPY} --localize-hidden ${vmap_merged}.tmp ${vmap_merged}.local
  # i386 PIC calls compiler-made thunks in COMDAT sections that the final
  # link shares with other objects: local copies would be discarded under
  # their callers, so they stay global (and hidden), as the compiler made them
  COMMAND ${CMAKE_OBJCOPY} --wildcard --globalize-symbol=__x86.get_pc_thunk.*
          ${vmap_merged}.local ${vmap_merged}
  COMMAND ${CMAKE_COMMAND} -E remove ${vmap_merged}.tmp ${vmap_merged}.local
  DEPENDS vmap_objects $<TARGET_OBJECTS:vmap_objects>
  COMMENT "Linking the library objects into one, internal symbols made local"
  COMMAND_EXPAND_LISTS
  VERBATIM)
set_source_files_properties(${vmap_merged} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)

add_library(vmap_static STATIC ${vmap_merged})
set_target_properties(vmap_static PROPERTIES
  OUTPUT_NAME vmap
  LINKER_LANGUAGE C
  EXPORT_NAME vmap_static)
vmap_public_interface(vmap_static)
target_link_libraries(vmap_static INTERFACE Threads::Threads)
# The tools and the benchmark link it even when only libvmap.so is wanted;
# then it is built for them alone, never by default and never installed.
if(NOT VMAP_STATIC)
  set_target_properties(vmap_static PROPERTIES EXCLUDE_FROM_ALL ON)
endif()
add_library(vmap::vmap_static ALIAS vmap_static)

# ---- libvmap.so -------------------------------------------------------------
if(VMAP_SHARED)
  add_library(vmap_shared SHARED $<TARGET_OBJECTS:vmap_objects>)
  set_target_properties(vmap_shared PROPERTIES
    OUTPUT_NAME vmap
    VERSION ${PROJECT_VERSION}
    SOVERSION ${PROJECT_VERSION_MAJOR}
    EXPORT_NAME vmap_shared)
  target_link_options(vmap_shared PRIVATE
    "-Wl,--version-script=${PROJECT_SOURCE_DIR}/src/vmap.map")
  # --no-undefined: a symbol the C library lacks (as musl lacks glibc's
  # extensions) fails the link here, not the user's program later. Not under
  # the sanitizers, whose runtime the program brings (clang's TSan).
  if(NOT VMAP_SANITIZE)
    target_link_options(vmap_shared PRIVATE "-Wl,--no-undefined")
  endif()
  set_property(TARGET vmap_shared APPEND PROPERTY LINK_DEPENDS
    ${PROJECT_SOURCE_DIR}/src/vmap.map)
  vmap_public_interface(vmap_shared)
  target_link_libraries(vmap_shared PRIVATE Threads::Threads)
  add_library(vmap::vmap_shared ALIAS vmap_shared)
endif()

# ---- the tests' view --------------------------------------------------------
add_library(vmap_internal STATIC EXCLUDE_FROM_ALL $<TARGET_OBJECTS:vmap_objects>)
set_target_properties(vmap_internal PROPERTIES OUTPUT_NAME vmap_internal)
target_include_directories(vmap_internal PUBLIC
  ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(vmap_internal PUBLIC Threads::Threads)

if(VMAP_SHARED AND NOT (vmap_USE_STATIC_LIBS AND VMAP_STATIC))
  add_library(vmap::vmap ALIAS vmap_shared)
else()
  add_library(vmap::vmap ALIAS vmap_static)
endif()
