# Report formats (CSV, HTML, OSCAL, XLSX) rendered from a real exchange through the real ticsx
# and ticsx-hub binaries; the OSCAL document is validated with tests/reports/validate-oscal
# (ajv-cli from build/npm, installed by script/bootstrap --tests) and the HTML drawn by headless
# Chromium. Both are required when CI is set.
pkg_check_modules(LIBZIP_REPORTS REQUIRED IMPORTED_TARGET libzip)
tx_add_test(test_reports SOURCES test_reports.c xlsx_parts.c LIBS tx_test_harness tx_client
            PkgConfig::JANSSON PkgConfig::LIBZIP_REPORTS TIMEOUT 300)
add_dependencies(test_reports ticsx ticsx-hub tx_catalogue)
# The report's JSON writer against jansson's json_dumps (tx_json_write.h), no binaries.
tx_add_test(test_json_write SOURCES test_json_write.c LIBS tx_client PkgConfig::JANSSON)
