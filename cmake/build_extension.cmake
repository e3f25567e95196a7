# cmake -DSOURCE=.. -DBUILD=.. -DFLAGS=.. -DPREFIX=.. -P build_extension.cmake: configures and builds
# the example extension against the package installed in PREFIX. FLAGS are the configure flags
# joined by '|'. The configure is fresh (no cache: find_package runs again); objects are kept and
# rebuilt when a source or an installed header they include changed, so a rerun takes seconds.
string(REPLACE "|" ";" FLAGS "${FLAGS}")
file(REMOVE ${BUILD}/CMakeCache.txt)
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BUILD} ${FLAGS} -DCMAKE_PREFIX_PATH=${PREFIX}
                RESULT_VARIABLE configured)
if(NOT configured EQUAL 0)
  message(FATAL_ERROR "configuring the extension against ${PREFIX} failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD} -j2 RESULT_VARIABLE built)
if(NOT built EQUAL 0)
  message(FATAL_ERROR "building the extension failed")
endif()
