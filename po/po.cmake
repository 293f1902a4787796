# cmake -P po/po.cmake with SOURCE_DIR, XGETTEXT, MSGMERGE, MSGATTRIB, MSGFMT, POT and MODE:
#   pot     extract every marked string of the programs into POT
#   update  pot, then merge it into po/ja.po (new strings untranslated, gone ones obsolete)
#   check   pot, then fail when a marked string has no Japanese, or a fuzzy or broken one
# Marked: _("...") and N_("...") in C (and the web UI's catalogue), and the format of tx_fail().

file(GLOB_RECURSE sources RELATIVE ${SOURCE_DIR}
    ${SOURCE_DIR}/common/*.c ${SOURCE_DIR}/common/*.h
    ${SOURCE_DIR}/client/*.c ${SOURCE_DIR}/client/*.h
    ${SOURCE_DIR}/hub/*.c ${SOURCE_DIR}/hub/*.h)
list(SORT sources)
execute_process(
    COMMAND ${XGETTEXT} --from-code=UTF-8 --language=C --keyword=_ --keyword=N_
            --keyword=tx_fail:2 --flag=tx_fail:2:c-format --add-comments=TRANSLATORS:
            --add-location=file --sort-by-file --package-name=ticsx -o ${POT} ${sources}
    WORKING_DIRECTORY ${SOURCE_DIR}
    RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "xgettext failed (${rc})")
endif()
if(MODE STREQUAL "pot")
    message(STATUS "wrote ${POT}")
    return()
endif()

set(po ${SOURCE_DIR}/po/ja.po)
if(MODE STREQUAL "update")
    execute_process(
        COMMAND ${MSGMERGE} --quiet --update --backup=none --no-fuzzy-matching
                --add-location=file --sort-by-file ${po} ${POT}
        RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "msgmerge failed (${rc})")
    endif()
    # Translations of strings the code no longer has are dropped, not kept at the end.
    execute_process(COMMAND ${MSGATTRIB} --no-obsolete -o ${po} ${po} RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
        message(FATAL_ERROR "msgattrib failed (${rc})")
    endif()
    message(STATUS "merged ${POT} into ${po}: translate the entries with an empty msgstr")
    return()
endif()

# check: what the code marks today, with the translations ja.po has.
set(merged ${POT}.ja.po)
execute_process(COMMAND ${MSGMERGE} --quiet --no-fuzzy-matching -o ${merged} ${po} ${POT}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "msgmerge failed (${rc}): po/ja.po is not a valid catalogue")
endif()
set(failed 0)
foreach(kind untranslated only-fuzzy)
    execute_process(COMMAND ${MSGATTRIB} --${kind} --no-obsolete --no-wrap ${merged}
                    OUTPUT_VARIABLE out RESULT_VARIABLE rc)
    string(REPLACE ";" "," out "${out}") # shown only; a CMake list would split at it
    string(REGEX MATCHALL "\nmsgid \"[^\n]*" ids "\n${out}")
    list(FILTER ids EXCLUDE REGEX "msgid \"\"$")
    list(TRANSFORM ids REPLACE "^\n" "")
    list(LENGTH ids n)
    if(n GREATER 0)
        set(failed 1)
        string(REPLACE ";" "\n  " shown "${ids}")
        message(SEND_ERROR "${n} ${kind} string(s) in po/ja.po (run `make po-update` and "
                           "translate them):\n  ${shown}")
    endif()
endforeach()
execute_process(COMMAND ${MSGFMT} --check -o /dev/null ${merged}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
    message(SEND_ERROR "msgfmt --check refuses po/ja.po:\n${err}")
    set(failed 1)
endif()
execute_process(COMMAND ${MSGATTRIB} --only-obsolete --no-wrap ${merged}
                OUTPUT_VARIABLE out)
string(REGEX MATCHALL "\n#~ msgid \"[^\n]*" gone "\n${out}")
list(LENGTH gone n)
if(n GREATER 0)
    message(STATUS "note: ${n} translation(s) in po/ja.po for strings the code no longer has")
endif()
if(failed)
    message(FATAL_ERROR "po/ja.po is incomplete")
endif()
message(STATUS "po/ja.po translates every marked string")
