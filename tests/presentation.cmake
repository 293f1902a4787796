# Every report format rendered from a hand-made report document (tests/reports/credentials.json)
# with credentials, evidence files, a policy verdict, level shares and item topics: the
# renderers are functions of the document alone, so no exchange is needed. Needs the catalogue
# (tx_catalogue) for the Japanese.
pkg_check_modules(LIBZIP_PRESENTATION REQUIRED IMPORTED_TARGET libzip)
tx_add_test(test_render_docs SOURCES test_render_docs.c xlsx_parts.c LIBS tx_client PkgConfig::JANSSON
            PkgConfig::LIBZIP_PRESENTATION)
add_dependencies(test_render_docs tx_catalogue)

# Evidence files opened from the web UI (GET /api/evidence) over a real hub: the checked file's
# bytes and media type, a supplier's HTML as bytes to save, bad requests, a damaged piece refused.
tx_add_test(test_ui_evidence SOURCES test_ui_evidence.c LIBS tx_test_harness tx_client
            PkgConfig::JANSSON TIMEOUT 300)
add_dependencies(test_ui_evidence ticsx ticsx-hub tx_catalogue)
