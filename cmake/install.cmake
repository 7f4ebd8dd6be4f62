# SPDX-License-Identifier: MIT
#
# install.cmake - what `cmake --install` puts under the prefix:
#
#   include/vmap.h, include/vector_map.h
#   lib/libvmap.a, lib/libvmap.so*           as VMAP_STATIC / VMAP_SHARED say
#   lib/pkgconfig/vmap.pc
#   lib/cmake/vmap/vmapConfig.cmake, vmapConfigVersion.cmake, the targets
#   share/man/man3, man5                     (man/CMakeLists.txt)
#   share/doc/vector_map/                    LICENSE, README, CHANGELOG, FORMAT
#
# lib/ and include/ are the GNUInstallDirs values: relative ones are taken
# under the prefix, absolute ones as they are.

include(CMakePackageConfigHelpers)

set(VMAP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vmap)

install(FILES
  ${PROJECT_SOURCE_DIR}/include/vmap.h
  ${PROJECT_SOURCE_DIR}/include/vector_map.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

install(FILES
  ${PROJECT_SOURCE_DIR}/LICENSE
  ${PROJECT_SOURCE_DIR}/README.md
  ${PROJECT_SOURCE_DIR}/CHANGELOG.md
  ${PROJECT_SOURCE_DIR}/docs/FORMAT.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# One export set per library, so a package may ship either alone; the
# config file loads whichever is there.
if(VMAP_STATIC)
  install(TARGETS vmap_static EXPORT vmapStaticTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT vmapStaticTargets NAMESPACE vmap:: DESTINATION ${VMAP_CMAKE_DIR})
endif()
if(VMAP_SHARED)
  install(TARGETS vmap_shared EXPORT vmapSharedTargets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT vmapSharedTargets NAMESPACE vmap:: DESTINATION ${VMAP_CMAKE_DIR})
endif()

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/vmapConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vmapConfig.cmake
  INSTALL_DESTINATION ${VMAP_CMAKE_DIR}
  NO_SET_AND_CHECK_MACRO NO_CHECK_REQUIRED_COMPONENTS_MACRO)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vmapConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/vmapConfig.cmake
  ${PROJECT_BINARY_DIR}/vmapConfigVersion.cmake
  DESTINATION ${VMAP_CMAKE_DIR})

# vmap.pc is written when it is installed, for the prefix it is installed to
# (cmake --install --prefix may differ from CMAKE_INSTALL_PREFIX), with plain
# absolute paths: `pkg-config --libs vmap` says -L/opt/vmap/lib, not
# -L/opt/vmap/lib/pkgconfig/../../lib.
set(vmap_pc_out ${PROJECT_BINARY_DIR}/vmap.pc)
install(CODE "
  set(vmap_pc_libdir [[${CMAKE_INSTALL_LIBDIR}]])
  set(vmap_pc_includedir [[${CMAKE_INSTALL_INCLUDEDIR}]])
  set(vmap_pc_version [[${PROJECT_VERSION}]])
  set(vmap_pc_template [[${PROJECT_SOURCE_DIR}/cmake/vmap.pc.in]])
  set(vmap_pc_out [[${vmap_pc_out}]])
  include([[${PROJECT_SOURCE_DIR}/cmake/pkgconfig.cmake]])
")
install(FILES ${vmap_pc_out} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
