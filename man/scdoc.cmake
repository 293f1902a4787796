# Runs scdoc on one page: cmake -DSCDOC=scdoc -DIN=page.1.scd -DOUT=page.1 [-DJA=ON] -P scdoc.cmake
# (scdoc reads standard input and writes standard output; a failure leaves no page behind),
# then turns hyphenation and justification off.
cmake_minimum_required(VERSION 3.25)
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${SCDOC} INPUT_FILE ${IN} OUTPUT_FILE ${OUT}.tmp
                ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    file(REMOVE ${OUT}.tmp)
    message(FATAL_ERROR "scdoc refused ${IN}: ${err}")
endif()
# No hyphenation and no stretched blanks: an option split as "--cer-tificate" cannot be
# copied, and Japanese lines break only at blanks, which justification would widen.
file(READ ${OUT}.tmp page)
string(REGEX REPLACE "(\n\\.TH [^\n]*\n)" "\\1.nh\n.ad l\n" page "${page}")
file(WRITE ${OUT}.tmp "${page}")
# A Japanese page (-DJA=ON): break points between Japanese characters and no blank where a
# sentence goes on to the next source line (ja-breaks.sed, ja-join.sed; groff 1.22 breaks
# lines only at blanks).
if(JA)
    get_filename_component(here ${CMAKE_CURRENT_LIST_FILE} DIRECTORY)
    execute_process(
        COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C sed -f ${here}/ja-breaks.sed ${OUT}.tmp
        COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C sed -f ${here}/ja-join.sed
        OUTPUT_FILE ${OUT}.ja ERROR_VARIABLE err RESULTS_VARIABLE rcs)
    if(NOT rcs STREQUAL "0;0")
        file(REMOVE ${OUT}.tmp ${OUT}.ja)
        message(FATAL_ERROR "sed could not prepare the Japanese page ${OUT}: ${err}")
    endif()
    file(RENAME ${OUT}.ja ${OUT}.tmp)
endif()
file(RENAME ${OUT}.tmp ${OUT})
