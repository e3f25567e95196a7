# cmake -DBINARY=.. -DCONFIG=.. -DOUT=.. -P check_extension_refusal.cmake: the extension's own key,
# given a wrong value, is refused like a built-in's: exit 2, one line naming the JSON path, nothing
# written.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${BINARY} run ${CONFIG} --set objective.curvature=-1 --out ${OUT} --quiet
                RESULT_VARIABLE code ERROR_VARIABLE error OUTPUT_VARIABLE output)
set(expected "dasgd: ${CONFIG}: /objective/curvature: expected a positive number, got -1\n")
if(NOT code EQUAL 2 OR NOT error STREQUAL expected OR NOT output STREQUAL "" OR EXISTS ${OUT})
  message(FATAL_ERROR "expected exit 2 and \"${expected}\" with nothing written, got exit ${code}: \"${error}\"")
endif()
