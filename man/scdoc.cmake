# Runs scdoc on one page: cmake -DSCDOC=scdoc -DIN=page.1.scd -DOUT=page.1 -P scdoc.cmake
# (scdoc reads standard input and writes standard output; a failure leaves no page behind).
cmake_minimum_required(VERSION 3.25)
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${SCDOC} INPUT_FILE ${IN} OUTPUT_FILE ${OUT}.tmp
                ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    file(REMOVE ${OUT}.tmp)
    message(FATAL_ERROR "scdoc refused ${IN}: ${err}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
