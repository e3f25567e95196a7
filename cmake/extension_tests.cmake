# CTest checks of the library use (docs/LIBRARY.md), with examples/extension/ as the consumer:
#   Library.InstallsIntoAPrefix          cmake --install into build/extension-test/prefix (fixture)
#   Library.ExtensionBuildsAgainstTheInstalledPackage  configure + build the example with find_package(dasgd)
#   Library.ExtensionRunsItsOwnObjectiveAndAlgorithm   its binary runs a config naming both; the
#                                        names are checked in config.json and summary.json
#   Library.ExtensionRefusesItsOwnBadKeyWithAPath      its own key, wrong: one located line, exit 2
#   Library.AddSubdirectoryConfigures    the example configured with add_subdirectory(<this tree>)
set(DASGD_EXT_DIR ${PROJECT_BINARY_DIR}/extension-test)
set(DASGD_EXT_PREFIX ${DASGD_EXT_DIR}/prefix)
set(DASGD_EXT_SOURCE ${PROJECT_SOURCE_DIR}/examples/extension)
set(DASGD_EXT_FLAGS -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER})
if(CMAKE_CXX_COMPILER_LAUNCHER)
  list(APPEND DASGD_EXT_FLAGS -DCMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER})
endif()

string(REPLACE ";" "|" DASGD_EXT_FLAGS_JOINED "${DASGD_EXT_FLAGS}")

add_test(NAME Library.InstallsIntoAPrefix
         COMMAND ${CMAKE_COMMAND} --install ${PROJECT_BINARY_DIR} --prefix ${DASGD_EXT_PREFIX})
set_tests_properties(Library.InstallsIntoAPrefix PROPERTIES FIXTURES_SETUP dasgd_installed TIMEOUT 120)

add_test(NAME Library.ExtensionBuildsAgainstTheInstalledPackage
         COMMAND ${CMAKE_COMMAND} -DSOURCE=${DASGD_EXT_SOURCE} -DBUILD=${DASGD_EXT_DIR}/installed
                 -DFLAGS=${DASGD_EXT_FLAGS_JOINED} -DPREFIX=${DASGD_EXT_PREFIX}
                 -P ${PROJECT_SOURCE_DIR}/cmake/build_extension.cmake)
set_tests_properties(Library.ExtensionBuildsAgainstTheInstalledPackage PROPERTIES
  FIXTURES_REQUIRED dasgd_installed FIXTURES_SETUP dasgd_extension_built TIMEOUT 600)

add_test(NAME Library.ExtensionRunsItsOwnObjectiveAndAlgorithm
         COMMAND ${CMAKE_COMMAND} -DBINARY=${DASGD_EXT_DIR}/installed/dasgd_extension
                 -DCONFIG=${DASGD_EXT_SOURCE}/config.json -DOUT=${DASGD_EXT_DIR}/run
                 -P ${PROJECT_SOURCE_DIR}/cmake/check_extension_run.cmake)
set_tests_properties(Library.ExtensionRunsItsOwnObjectiveAndAlgorithm PROPERTIES
  FIXTURES_REQUIRED dasgd_extension_built TIMEOUT 60)

add_test(NAME Library.ExtensionRefusesItsOwnBadKeyWithAPath
         COMMAND ${CMAKE_COMMAND} -DBINARY=${DASGD_EXT_DIR}/installed/dasgd_extension
                 -DCONFIG=${DASGD_EXT_SOURCE}/config.json -DOUT=${DASGD_EXT_DIR}/bad
                 -P ${PROJECT_SOURCE_DIR}/cmake/check_extension_refusal.cmake)
set_tests_properties(Library.ExtensionRefusesItsOwnBadKeyWithAPath PROPERTIES
  FIXTURES_REQUIRED dasgd_extension_built TIMEOUT 60)

add_test(NAME Library.AddSubdirectoryConfigures
         COMMAND ${CMAKE_COMMAND} -S ${DASGD_EXT_SOURCE} -B ${DASGD_EXT_DIR}/subdirectory ${DASGD_EXT_FLAGS}
                 -DDASGD_SOURCE_DIR=${PROJECT_SOURCE_DIR})
set_tests_properties(Library.AddSubdirectoryConfigures PROPERTIES TIMEOUT 120
  PASS_REGULAR_EXPRESSION "dasgd extension: dasgd::dasgd from add_subdirectory, its tests OFF")
