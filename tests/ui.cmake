# ticsx ui end to end in a real browser (tests/ui/*.py): Debian's Chromium driven headless by
# chromedriver and python3-selenium under /usr/bin/python3 (not a python first on PATH), with
# axe-core from build/npm injected for the accessibility checks, against a real ticsx-hub and
# real homes. One ctest entry per flow; each exits 77 (skipped, with a message) when a tool is
# missing, and fails instead when CI is set. TX_UI_SCREENSHOTS=DIR also saves screenshots.
find_program(TX_UI_PYTHON NAMES python3 PATHS /usr/bin NO_DEFAULT_PATH)
foreach(flow attacks answer share dashboard lang a11y selfcheck credentials multiq plans members grants)
    if(TX_UI_PYTHON)
        add_test(NAME test_ui_${flow}
                 COMMAND ${TX_UI_PYTHON} ${CMAKE_CURRENT_SOURCE_DIR}/ui/test_ui_${flow}.py)
    else()
        # No /usr/bin/python3: skipped (77), failed on CI (no semicolon: it would split the
        # argument).
        add_test(NAME test_ui_${flow} COMMAND sh -c "echo 'test_ui_${flow}: no /usr/bin/python3' >&2
            if [ -z \"\${CI:-}\" ] || [ \"\$CI\" = false ] || [ \"\$CI\" = 0 ]
            then exit 77
            fi
            exit 1")
    endif()
    set_tests_properties(test_ui_${flow} PROPERTIES TIMEOUT 240 SKIP_RETURN_CODE 77 LABELS ui
        ENVIRONMENT "TX_BUILD_DIR=${CMAKE_BINARY_DIR};TX_SOURCE_DIR=${CMAKE_SOURCE_DIR};\
PYTHONDONTWRITEBYTECODE=1")
endforeach()
