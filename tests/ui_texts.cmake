# The web UI's Japanese table: every English text of client/ui/assets/i18n.js has Japanese in
# po/ja.po for exactly that English, with the same {placeholders} (cmake/ui_texts.cmake).
add_test(NAME test_ui_texts
         COMMAND ${CMAKE_COMMAND} -DMODE=check
                 -DI18N_JS=${CMAKE_SOURCE_DIR}/client/ui/assets/i18n.js
                 -DPO=${CMAKE_SOURCE_DIR}/po/ja.po -DMSGATTRIB=${MSGATTRIB}
                 -P ${CMAKE_SOURCE_DIR}/cmake/ui_texts.cmake)
