# SPDX-License-Identifier: MIT
#
# pkgconfig.cmake - writes vmap.pc at install time (see install.cmake), when
# the prefix is known: CMAKE_INSTALL_PREFIX is then the --prefix given to
# `cmake --install`, if any. Paths come out normalised (no "..", no "//");
# a directory under the prefix is written relative to ${prefix}.

# vmap_pc_dir(OUT DIR): DIR (relative to the prefix, or absolute), as a .pc path.
function(vmap_pc_dir out dir)
  get_filename_component(full "${dir}" ABSOLUTE BASE_DIR "${vmap_pc_prefix}")
  string(FIND "${full}/" "${vmap_pc_prefix}/" at)
  if(at EQUAL 0 AND NOT vmap_pc_prefix STREQUAL "/")
    string(LENGTH "${vmap_pc_prefix}" n)
    string(SUBSTRING "${full}" ${n} -1 rest)
    set(full "\${prefix}${rest}")
  endif()
  set(${out} "${full}" PARENT_SCOPE)
endfunction()

get_filename_component(vmap_pc_prefix "${CMAKE_INSTALL_PREFIX}" ABSOLUTE)
vmap_pc_dir(vmap_pc_libdir_value "${vmap_pc_libdir}")
vmap_pc_dir(vmap_pc_includedir_value "${vmap_pc_includedir}")
configure_file("${vmap_pc_template}" "${vmap_pc_out}" @ONLY)
