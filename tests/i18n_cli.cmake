# The command line in Japanese through the real ticsx and ticsx-hub: --lang ja and LANG
# choosing the catalogue, --lang after every command, --json the same in both languages,
# Japanese errors, cert show and verify, the XLSX template's sheet names and headers (read with
# libzip) and the Japanese template read back by the answers reader.
if(NOT TARGET PkgConfig::LIBZIP)
    pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
endif()
tx_add_test(test_i18n SOURCES test_i18n.c
            LIBS tx_test_harness tx_client PkgConfig::JANSSON PkgConfig::LIBZIP TIMEOUT 300)
add_dependencies(test_i18n ticsx ticsx-hub tx_catalogue)
