# Runs scdoc on one page: cmake -DSCDOC=scdoc -DIN=page.1.scd -DOUT=page.1 -P scdoc.cmake
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
file(RENAME ${OUT}.tmp ${OUT})
