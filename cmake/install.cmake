# `cmake --install build [--prefix P]`: the dasgd CLI in bin/, the library (libdasgd.a), every
# header of sim/, objectives/ and topologies/ under include/dasgd/ with the tree's layout, and the
# package config that makes find_package(dasgd) + target_link_libraries(app dasgd::dasgd) work
# (docs/LIBRARY.md). The dependencies the headers need are found again by dasgdConfig.cmake.
include(CMakePackageConfigHelpers)

install(TARGETS dasgd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS dasgd_core EXPORT dasgdTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} ${CMAKE_INSTALL_INCLUDEDIR}/dasgd)
foreach(dir sim objectives topologies)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dasgd
          FILES_MATCHING PATTERN "*.hpp")
endforeach()

set(DASGD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/dasgd)
install(EXPORT dasgdTargets NAMESPACE dasgd:: FILE dasgdTargets.cmake DESTINATION ${DASGD_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/dasgdConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/dasgdConfig.cmake INSTALL_DESTINATION ${DASGD_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/dasgdConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/dasgdConfig.cmake ${PROJECT_BINARY_DIR}/dasgdConfigVersion.cmake
        DESTINATION ${DASGD_CMAKE_DIR})
