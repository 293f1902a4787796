# Which folder may use which: every `#include "…"` of a product file must name a header of its
# own folder or of a folder below it in this table (the README's "Source layout" draws it).
# The libraries' PRIVATE links make a wrong include fail to compile; this check names the rule
# broken, and also covers headers that a build would find by accident.
# Run: cmake -DSRC=<source dir> -P tests/check_layers.cmake
cmake_minimum_required(VERSION 3.25)
set(LAYERS
    "common:"
    "proto:common"
    "keys:proto common"
    "client/base:keys proto common"
    "client/forms:client/base keys proto common"
    "client/verify:client/forms client/base keys proto common"
    "client/net:client/base keys proto common"
    "client/exchange:client/net client/verify client/forms client/base keys proto common"
    "client/report:client/verify client/forms client/base keys proto common"
    "client/ui:client/exchange client/report client/net client/verify client/forms client/base keys proto common"
    "client/cli:client/ui client/exchange client/report client/net client/verify client/forms client/base keys proto common"
    "hub:client/net/tx_conn.h keys proto common")

# Where each header lives.
set(FOLDERS)
foreach(entry IN LISTS LAYERS)
    string(REGEX REPLACE ":.*" "" folder "${entry}")
    list(APPEND FOLDERS ${folder})
    file(GLOB headers RELATIVE ${SRC}/${folder} ${SRC}/${folder}/*.h)
    foreach(h IN LISTS headers)
        set(HOME_OF_${h} ${folder})
    endforeach()
endforeach()
set(HOME_OF_ticsx.pb-c.h proto) # generated into the build tree

set(broken 0)
foreach(entry IN LISTS LAYERS)
    string(REGEX REPLACE ":.*" "" folder "${entry}")
    string(REGEX REPLACE "^[^:]*:" "" allowed "${entry}")
    separate_arguments(allowed)
    file(GLOB sources ${SRC}/${folder}/*.c ${SRC}/${folder}/*.h)
    foreach(file IN LISTS sources)
        file(STRINGS ${file} includes REGEX "^#include \"[^\"]+\"")
        foreach(line IN LISTS includes)
            string(REGEX REPLACE "^#include \"([^\"]+)\".*" "\\1" h "${line}")
            set(home "${HOME_OF_${h}}")
            if(home STREQUAL "" OR home STREQUAL folder)
                continue()
            endif()
            if(NOT home IN_LIST allowed AND NOT "${home}/${h}" IN_LIST allowed)
                file(RELATIVE_PATH rel ${SRC} ${file})
                message(SEND_ERROR "${rel} includes ${h} from ${home}/, which ${folder}/ may not use (allowed: ${allowed})")
                set(broken 1)
            endif()
        endforeach()
    endforeach()
endforeach()
if(broken)
    message(FATAL_ERROR "a folder uses one above it or beside it: see the README, Source layout")
endif()
message(STATUS "layers kept: ${FOLDERS}")
